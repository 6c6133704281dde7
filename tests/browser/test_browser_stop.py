"""The campaign page says why a run stopped and how to fix it (issue 15): a real `run`
process refused by the simulator over HTTP, then the page in Chromium.

The run gets a database of its own (the session's holds rehearsals, which a real run is
kept apart from) and a dashboard of its own serving it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from campaign.calls.vocab import StopReason
from campaign.clock import CompressedClock
from campaign.simulator import DEFAULT_FROM_NUMBERS, TEST_API_KEY, World, running_server
from campaign.store.db import open_db
from campaign.store.models import Campaign
from tests.browser.conftest import start_server, stop_server
from tests.browser.support import ROOT, write_list

#: Not a number of the simulated account: call-dial answers 422.
NOT_OURS = "+15005550006"


def test_the_page_shows_why_the_run_stopped_and_the_fix(page: Page, tmp_path: Path) -> None:
    db_path = tmp_path / "refused.db"
    clock = CompressedClock.anchored(40.0, epoch=time.time())
    world = World(clock=clock, seed=4, from_numbers=DEFAULT_FROM_NUMBERS)
    contacts = write_list(tmp_path / "refused.csv", 4, start=7700)
    with running_server(world) as base_url:
        run = subprocess.run(
            [sys.executable, "-m", "campaign", "run", str(contacts), "--db", str(db_path),
             "--name", "refused-numbers", "--from", NOT_OURS, "--window", "any",
             "--min-gap", "0", "--until-idle"],
            env={**os.environ, "VOICY_API_KEY": TEST_API_KEY, "VOICY_BASE_URL": base_url,
                 "CAMPAIGN_CLOCK": clock.spec()},
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    database = open_db(db_path)
    try:
        with database.read_session() as session:
            campaign_id = session.scalars(
                select(Campaign.id).where(Campaign.name == "refused-numbers")
            ).one()
    finally:
        database.dispose()
    reason = StopReason.FROM_NUMBERS_REFUSED
    server, process = start_server("--db", str(db_path))
    try:
        page.goto(f"{server.rstrip('/')}/campaigns/{campaign_id}")
        expect(page.locator("[data-live-state]")).to_have_text("interrupted")
        note = page.locator(".stop-note")
        expect(note).to_be_visible()
        expect(note.locator('[data-live="stop_reason"]')).to_have_text(reason.words)
        expect(note.locator('[data-live="stop_fix"]')).to_have_text(reason.fix or "")
        expect(note.locator('[data-live="stop_detail"]')).not_to_be_empty()
    finally:
        stop_server(process)
