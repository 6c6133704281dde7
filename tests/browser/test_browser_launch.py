"""A campaign launched from the page: upload the sample list, check it against `validate`, fix
a mapping, start it on the simulator inside `serve --simulate`, watch it finish, and download
the export that `python -m campaign export` writes too."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from campaign.store.db import open_db
from campaign.store.models import Campaign
from tests.browser.conftest import start_server, stop_server
from tests.browser.support import ROOT, campaign_cli

SAMPLE = ROOT / "sample_lists" / "contacts.csv"


@pytest.fixture
def launch_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    db_path = tmp_path / "launch.db"  # serve creates it: a new user's first page
    url, process = start_server("--db", str(db_path), "--simulate")
    yield url.rstrip("/"), db_path
    stop_server(process)


def _validate_counts() -> dict[str, int]:
    out = campaign_cli("validate", str(SAMPLE)).stdout
    found = {key: re.search(rf"^{key}\s+(\d+)", out, re.M) for key in ("valid", "rejected")}
    return {key: int(m.group(1)) for key, m in found.items() if m}


def test_launch_from_the_page_runs_on_the_simulator_and_exports_the_same(
    page: Page, launch_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, db_path = launch_server
    expected = _validate_counts()
    page.goto(f"{base}/")  # an empty database: the way in is New campaign
    expect(page.locator("[data-empty]")).to_contain_text("No campaigns in this database yet")
    page.locator("[data-empty]").get_by_role("link", name="New campaign").click()
    expect(page).to_have_url(f"{base}/new")
    page.set_input_files("input[name=file]", str(SAMPLE))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator('[data-count="valid"]')).to_have_text(str(expected["valid"]))
    expect(page.locator('[data-count="invalid"]')).to_have_text(str(expected["rejected"]))

    # Two agents on the account and none chosen: the page says the vars are unchecked and
    # shows what each column is sent as; choosing the agent checks them.
    expect(page.locator("[data-unchecked]")).to_contain_text("not checked")
    expect(page.locator('[data-as="first_name"]')).to_have_value("first_name")
    page.select_option('[data-field="agent"]', label="Appointment reminder")
    page.get_by_role("button", name="Check the vars").click()
    expect(page.locator("[data-unchecked]")).to_have_count(0)

    # Break the first_name mapping: the start is blocked with a message naming the var.
    page.select_option('[data-map="first_name"]', "")
    page.get_by_role("button", name="Apply the mapping").click()
    expect(page.locator("[data-missing]")).to_contain_text("first_name")
    expect(page.locator("[data-start]")).to_be_disabled()
    # Fix it; a second tab opens the same check page before the start.
    page.select_option('[data-map="first_name"]', "first_name")
    page.get_by_role("button", name="Apply the mapping").click()
    expect(page.locator("[data-missing]")).to_have_count(0)
    check_url = page.url
    second = page.context.new_page()
    second.goto(check_url)
    second.select_option('[data-field="agent"]', label="Appointment reminder")
    second.get_by_role("button", name="Check the vars").click()

    page.fill("input[name=name]", "from the page")
    page.get_by_role("button", name="Start the campaign").click()
    expect(page).to_have_url(re.compile(r"/campaigns/\d+$"))
    campaign_id = int(page.url.rsplit("/", 1)[1])

    second.get_by_role("button", name="Start the campaign").click()
    expect(second.locator("[data-start-error]")).to_be_visible()

    db = open_db(db_path)
    try:
        deadline = time.monotonic() + 45
        while True:
            with db.read_session() as session:
                state = session.scalar(select(Campaign.state).where(Campaign.id == campaign_id))
            if state == "finished":
                break
            assert time.monotonic() < deadline, f"campaign still {state}"
            time.sleep(0.5)
    finally:
        db.dispose()
    page.reload()
    expect(page.locator("main")).to_contain_text("finished")

    with page.expect_download() as download_info:
        page.locator(f'a[href="/campaigns/{campaign_id}/results.csv"]').click()
    downloaded = tmp_path / "page.csv"
    download_info.value.save_as(downloaded)
    exported = tmp_path / "cli.csv"
    result = campaign_cli("export", "from the page", "-o", str(exported), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert downloaded.read_bytes() == exported.read_bytes()


def test_broken_file_dropped_on_the_page_gets_a_message(
    page: Page, launch_server: tuple[str, Path]
) -> None:
    base, _ = launch_server
    page.goto(f"{base}/new")
    # Drag and drop: a file dropped on the zone is uploaded at once.
    page.evaluate("""() => {
        const data = new DataTransfer();
        data.items.add(new File(["name,city\\nAda,London\\n"], "names.csv", {type: "text/csv"}));
        const zone = document.querySelector("[data-dropzone]");
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true,
                                                  cancelable: true}));
    }""")
    expect(page).to_have_url(re.compile(r"/new/[A-Za-z0-9_-]+$"))
    expect(page.locator("[data-launch-error]")).to_contain_text("phone")
    expect(page.locator("[data-start]")).to_be_disabled()
