"""Steering a runner that works in another process (`campaign run --simulate`) from the page:
the counters move by themselves, Pause stops the dialing (and `resume` finishes the campaign
with no duplicate call), Cancel marks everyone not yet called `canceled`."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from campaign.cli import main
from campaign.outcomes.status import campaign_status
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign, Event
from tests.browser.support import (
    ROOT,
    campaign_cli,
    never_twice_violations,
    open_attempts,
    queued_count,
    start_runner,
    write_list,
)

#: A slow runner (3 lines) on 60 people: it is still dialing when the test steers it.
SLOW = ("--concurrency", "3")
#: The page must show a change the runner made within this many milliseconds.
LIVE_MS = 2500


def wait_running(db: Database, name: str, runner: subprocess.Popen[str]) -> int:
    """The campaign's id once its runner has placed a call."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert runner.poll() is None, runner.stdout.read() if runner.stdout else ""
        with db.read_session() as session:
            campaign = session.scalars(select(Campaign).where(Campaign.name == name)).first()
            if campaign is not None and campaign.state == "running":
                placed = session.scalar(
                    select(func.count())
                    .select_from(Attempt)
                    .where(
                        Attempt.campaign_id == campaign.id, Attempt.state.in_(("placed", "ended"))
                    )
                )
                if placed:
                    return campaign.id
        time.sleep(0.2)
    raise AssertionError(f"runner of {name} did not start dialing")


def finish(runner: subprocess.Popen[str]) -> str:
    try:
        output, _ = runner.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        runner.kill()
        raise
    assert runner.returncode == 0, output
    return " ".join(output.split())  # rich wraps lines at the terminal's width


def watch_counters_move(page: Page) -> None:
    """The progress line changes while the page stays the same page (no reload)."""
    page.evaluate("window.sameDocument = true")
    progress = page.locator('[data-live="progress"]')
    first = progress.inner_text()
    expect(progress).not_to_have_text(first, timeout=10_000)
    expect(page.locator('[data-live="calls_in_progress"]')).to_be_visible()
    assert page.evaluate("window.sameDocument === true")


@pytest.fixture
def live_list(tmp_path: Path) -> Path:
    return write_list(tmp_path / "people.csv", 60, start=1000)


def test_pause_from_the_button_then_resume_finishes_without_duplicates(
    page: Page,
    server: str,
    web_db: Database,
    web_db_path: Path,
    live_list: Path,
    artifacts: Path,
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    runner = start_runner(live_list, web_db_path, "spring-reminders", *SLOW)
    try:
        campaign_id = wait_running(web_db, "spring-reminders", runner)
        page.goto(f"{server}/campaigns/{campaign_id}")
        expect(page.locator("h1 [data-live-state]")).to_have_text("running")
        watch_counters_move(page)

        pause = page.get_by_role("button", name="Pause")
        pause.focus()
        page.keyboard.press("Enter")  # usable without a mouse
        expect(page.locator(".notice")).to_contain_text("Pause requested")
        output = finish(runner)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert "paused" in output and "resume spring-reminders" in output

    # The runner tracked its calls to their end and dialed no one after it stopped.
    assert open_attempts(web_db, campaign_id) == 0
    with web_db.read_session() as session:
        stopped_at = session.scalar(
            select(func.max(Event.at)).where(
                Event.campaign_id == campaign_id, Event.kind == "run_end"
            )
        )
        last_dial = session.scalar(
            select(func.max(Attempt.requested_at)).where(Attempt.campaign_id == campaign_id)
        )
    assert stopped_at is not None and last_dial is not None and last_dial <= stopped_at
    left = queued_count(web_db, campaign_id)
    assert left > 0, "the runner finished before the pause: the test proves nothing"
    assert campaign_status(web_db, "spring-reminders").state == "paused"
    expect(page.locator("h1 [data-live-state]")).to_have_text("paused", timeout=LIVE_MS)
    expect(page.locator('[data-live="resume_command"]')).to_have_text(
        "python -m campaign resume spring-reminders --db campaign.db"
    )  # serve's own --db
    expect(page.get_by_role("button", name="Pause")).to_be_hidden()

    resumed = campaign_cli(
        "resume", "spring-reminders", "--db", str(web_db_path), "--concurrency", "10", timeout=90
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "finished" in resumed.stdout
    assert never_twice_violations(web_db, campaign_id) == []
    final = campaign_status(web_db, "spring-reminders").to_json()
    assert final["state"] == "finished" and "pending" not in final["outcomes"]
    expect(page.locator("h1 [data-live-state]")).to_have_text("finished", timeout=LIVE_MS)
    for outcome, count in final["outcomes"].items():
        expect(page.locator(f'[data-live="outcome.{outcome}"]')).to_have_text(f"{count:,}")
    page.goto(f"{server}/campaigns/{campaign_id}")  # the README's picture: no notice
    expect(page.locator("footer")).to_contain_text("Database: campaign.db")  # no temp path
    version = page.request.get(f"{server}/campaigns/{campaign_id}/live").json()["charts_version"]
    expect(page.locator(f'.charts[data-version="{version}"] svg.chart')).to_have_count(
        5, timeout=20_000
    )
    if os.environ.get("CAMPAIGN_UPDATE_DOCS"):  # refresh the README's picture on demand
        page.screenshot(path=str(ROOT / "docs" / "campaign-page.png"), full_page=True)
    page.screenshot(path=str(artifacts / "campaign-finished-1280px.png"), full_page=True)


def test_cancel_from_the_button_marks_the_rest_canceled(
    page: Page,
    server: str,
    web_db: Database,
    web_db_path: Path,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    people = write_list(tmp_path / "others.csv", 60, start=5000)
    runner = start_runner(people, web_db_path, "flu-shots", *SLOW)
    try:
        campaign_id = wait_running(web_db, "flu-shots", runner)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{server}/campaigns/{campaign_id}")
        watch_counters_move(page)
        page.get_by_role("link", name="Cancel…").click()
        expect(page.locator("h1")).to_contain_text("Cancel flu-shots?")
        page.screenshot(path=str(artifacts / "confirm-cancel-390px.png"), full_page=True)
        page.get_by_role("button", name="Yes, cancel the campaign").click()
        expect(page.locator(".notice")).to_contain_text("Cancel requested")
        output = finish(runner)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert "canceled" in output
    status = campaign_status(web_db, "flu-shots").to_json()  # what `status --json` prints
    assert status["state"] == "canceled"
    assert status["outcomes"].get("canceled", 0) > 0 and "pending" not in status["outcomes"]
    assert open_attempts(web_db, campaign_id) == 0
    assert never_twice_violations(web_db, campaign_id) == []
    expect(page.locator("h1 [data-live-state]")).to_have_text("canceled", timeout=LIVE_MS)
    expect(page.locator('[data-live="outcome.canceled"]')).to_have_text(
        str(status["outcomes"]["canceled"])
    )
    expect(page.get_by_role("link", name="Cancel…")).to_be_hidden()
    page.screenshot(path=str(artifacts / "campaign-canceled-390px.png"), full_page=True)
    refused = CliRunner().invoke(main, ["resume", "flu-shots", "--db", str(web_db_path)])
    assert refused.exit_code == 2 and "canceled and cannot be resumed" in refused.output
