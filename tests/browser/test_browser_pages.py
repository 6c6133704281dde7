"""The dashboard in Chromium: pages agree with `status --json`, the contacts table filters
and searches from the keyboard, hostile text stays text, phones get readable pages, and a
non-loopback bind answers 401 without its token."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect
from sqlalchemy import select

from campaign.store.db import Database
from campaign.store.models import Contact
from tests.browser.conftest import start_server, stop_server
from tests.browser.support import (
    HOSTILE_NAME,
    IMG_SUMMARY,
    ROOT,
    SCRIPT_LINE,
    SECRET,
    Hostile,
)

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def shoot(page: Page, folder: Path, name: str) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(folder / f"{name}-{width}px.png"), full_page=True)


def fits_the_screen(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_list_and_campaign_page_agree_with_status_json(
    page: Page, server: str, web_db_path: Path, seeded: dict[str, int], artifacts: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    commands = [  # both at once: each takes a second or two to start
        subprocess.Popen(
            [sys.executable, "-m", "campaign", *args, "--json", "--db", str(web_db_path)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for args in (["list"], ["status", "spring-recall"])
    ]
    listed, status = (json.loads(command.communicate(timeout=60)[0]) for command in commands)
    page.goto(server + "/")
    for summary in listed:
        row = page.locator("tr", has=page.get_by_role("link", name=summary["name"], exact=True))
        expect(row.locator("[data-live-state]")).to_have_text(summary["state"])
        for outcome in ("connected", "failed", "pending"):
            count = summary["outcomes"].get(outcome, 0)
            expect(row.locator(f'[data-live="{outcome}"]')).to_have_text(f"{count:,}")
    shoot(page, artifacts, "campaigns")
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    shoot(page, artifacts, "campaigns")

    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/campaigns/{seeded['spring-recall']}")
    expect(page.locator("h1 [data-live-state]")).to_have_text(status["state"])
    for outcome in (
        "connected",
        "failed",
        "pending",
        "unknown",
        "invalid",
        "duplicate",
        "dnc",
        "canceled",
    ):
        count = status["outcomes"].get(outcome, 0)
        expect(page.locator(f'[data-live="outcome.{outcome}"]')).to_have_text(f"{count:,}")
    expect(page.locator('[data-live="requests"]')).to_have_text(str(status["requests_used"]))
    expect(page.locator('[data-live="attempts_used"]')).to_have_text(str(status["attempts_used"]))
    expect(page.locator("svg.chart")).to_have_count(5, timeout=15_000)
    shoot(page, artifacts, "campaign")
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    shoot(page, artifacts, "campaign")


def test_contacts_filter_and_search_with_the_keyboard(
    page: Page, server: str, seeded: dict[str, int], artifacts: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/campaigns/{seeded['many']}/contacts")
    summary = page.locator("p.summary")
    expect(summary).to_contain_text("Rows 1–50 of 130")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.locator("#q").focus()
    page.keyboard.type("García")
    page.keyboard.press("Enter")
    expect(summary).to_contain_text("Rows 1–19 of 19")
    expect(page.locator("tbody tr")).to_have_count(19)
    expect(page.locator("tbody tr").first).to_contain_text("Person000 García")

    page.locator("#outcome").focus()
    page.keyboard.press("ArrowDown")  # all -> connected
    page.keyboard.press("Tab")  # rows per page
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show")).to_be_focused()
    page.keyboard.press("Enter")
    expect(summary).to_contain_text("of 10 for “García” with outcome connected")
    page.get_by_role("link", name="Clear").click()
    expect(summary).to_contain_text("of 130")

    page.select_option("#outcome", "failed")
    page.get_by_role("button", name="Show").click()
    expect(summary).to_contain_text("Rows 1–33 of 33")
    for badge in page.locator("tbody .badge").all():
        expect(badge).to_have_text("failed")
    page.get_by_role("link", name="Calls").click()  # sort: most calls first
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Calls")
    calls = [int(text) for text in page.locator('td[data-label="Calls"]').all_inner_texts()]
    assert calls == sorted(calls, reverse=True) and calls[0] == 3

    page.goto(f"{server}/campaigns/{seeded['many']}/contacts?q=202-555-0042")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Person042")

    page.goto(f"{server}/campaigns/{seeded['many']}/contacts")
    page.get_by_role("link", name="Next ›").click()
    expect(summary).to_contain_text("Rows 51–100 of 130")
    shoot(page, artifacts, "contacts")
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    shoot(page, artifacts, "contacts")


def test_a_transcript_with_a_script_shows_it_as_text(
    page: Page, server: str, hostile: Hostile, seeded: dict[str, int], artifacts: Path
) -> None:
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    base = f"{server}/campaigns/{hostile.campaign_id}"
    for url in ("/", base, f"{base}/contacts", f"{base}/contacts?q=mallory"):
        page.goto(url if url.startswith("http") else server + url)
        expect(page.locator("main")).to_be_visible()
    page.goto(f"{base}/contacts/{hostile.contact_id}")
    expect(page.locator(".turn.caller p")).to_have_text(SCRIPT_LINE)
    expect(page.locator(".summary-text")).to_have_text(IMG_SUMMARY)
    expect(page.locator("h1")).to_contain_text(HOSTILE_NAME)
    expect(page.locator("dd", has_text="<script>alert(4)</script>")).to_have_count(1)
    assert page.locator("script").count() == 1  # our app.js only
    assert page.locator("img").count() == 0
    assert SECRET not in page.content()
    page.wait_for_timeout(300)
    assert dialogs == []
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    shoot(page, artifacts, "contact")
    page.set_viewport_size(DESKTOP)
    shoot(page, artifacts, "contact")


def test_not_found_and_bad_parameters_are_pages(
    page: Page, server: str, seeded: dict[str, int]
) -> None:
    response = page.goto(f"{server}/campaigns/98765")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    response = page.goto(f"{server}/campaigns/{seeded['many']}/contacts?page=zero")
    assert response is not None and response.status == 400
    expect(page.locator(".message")).to_contain_text("page must be a whole number")


def test_a_non_loopback_bind_needs_the_token(
    page: Page, web_db_path: Path, seeded: dict[str, int]
) -> None:
    url, process = start_server("--db", str(web_db_path), "--host", "0.0.0.0")
    try:
        local = re.sub(r"^http://[^/]+:", "http://127.0.0.1:", url)
        bare = local.split("?")[0]
        response = page.goto(bare)
        assert response is not None and response.status == 401
        expect(page.locator("h1")).to_have_text("Access token needed")
        response = page.goto(f"{bare}campaigns/{seeded['many']}")
        assert response is not None and response.status == 401
        response = page.goto(local)
        assert response is not None and response.status == 200
        assert "token" not in page.url
        page.goto(f"{bare}campaigns/{seeded['many']}/contacts")  # the cookie carries it
        expect(page.locator("p.summary")).to_contain_text("of 130")
    finally:
        stop_server(process)


def test_the_html_report_fits_a_phone(
    page: Page, web_db_path: Path, seeded: dict[str, int], tmp_path: Path, artifacts: Path
) -> None:
    """`report --html` on a 390 px screen: no table is cut (nor scrolls) at its right edge."""
    page.set_viewport_size(PHONE)
    for name in ("spring-recall", "many"):
        target = tmp_path / f"{name}.html"
        written = subprocess.run(
            [
                sys.executable,
                "-m",
                "campaign",
                "report",
                name,
                "--html",
                str(target),
                "--db",
                str(web_db_path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert written.returncode == 0, written.stderr
        page.goto(target.as_uri())
        assert fits_the_screen(page)
        tables = page.evaluate(
            "Array.from(document.querySelectorAll('table')).map(t => "
            "[t.parentElement.scrollWidth, t.parentElement.clientWidth])"
        )
        assert len(tables) >= 3 and all(inner <= shown for inner, shown in tables), tables
        shoot(page, artifacts, f"report-{name}")


def test_times_read_in_the_browsers_time_zone(
    browser: Browser, server: str, seeded: dict[str, int], web_db: Database
) -> None:
    """A reader in Israel sees Israeli time on every page (the page's script tells the server
    its zone: the first page, written in this machine's zone, is shown again in the
    reader's), the charts' time axis in that zone, and a person's call in their own time."""
    context = browser.new_context(timezone_id="Asia/Jerusalem", viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{server}/campaigns/{seeded['spring-recall']}")
        created = page.locator(".meta time").first
        expect(created).to_have_text("Jan 5, 2026, 16:59 Israel Time")  # stored 14:59 UTC
        assert created.get_attribute("datetime") == "2026-01-05T14:59:00+00:00"
        expect(page.locator('[data-live="started"]')).to_have_text("Jan 5, 2026, 17:00 Israel Time")
        expect(page.locator("[data-zone-note]")).to_have_text("times in Israel Time")
        expect(page.locator(".charts-box")).to_contain_text(
            "times in Israel Time except", timeout=20_000
        )
        assert "time (Israel Time)" in page.locator(".charts-box").inner_html()

        with web_db.read_session() as session:  # Alice, line 2: timezone America/Chicago
            alice = session.scalar(
                select(Contact.id).where(
                    Contact.campaign_id == seeded["spring-recall"], Contact.line == 2
                )
            )
        page.goto(f"{server}/campaigns/{seeded['spring-recall']}/contacts/{alice}")
        started = page.locator("dt:text-is('Started') + dd")
        expect(started.locator("time")).to_have_text("Jan 5, 2026, 17:07 Israel Time")  # 15:07 UTC
        expect(started.locator("[data-their-time]")).to_have_text(
            "(Jan 5, 2026, 09:07 Central Time)"
        )  # the person's own time
    finally:
        context.close()
