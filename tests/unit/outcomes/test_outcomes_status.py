"""Status snapshots: live vs interrupted runners, waiting contacts, JSON for scripts."""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from campaign.calls.vocab import AttemptStatus, CampaignState
from campaign.clock import FakeClock
from campaign.outcomes.status import (
    CampaignStatus,
    campaign_status,
    campaign_summaries,
    resume_command,
)
from campaign.outcomes.status_view import render_status
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign
from tests.outcomes_factory import (
    T0,
    StoredCampaign,
    finished_campaign,
    queued_contacts,
    ready_campaign,
)

NOW = T0 + timedelta(hours=1)


def _run_by_this_process(db: Database, campaign_id: int, heartbeat_age: float) -> None:
    with db.session() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.state = CampaignState.RUNNING
        campaign.finished_at = None
        campaign.lock_owner = "runner-1"
        campaign.lock_pid = os.getpid()
        campaign.lock_host = socket.gethostname()
        campaign.lock_heartbeat_at = NOW - timedelta(seconds=heartbeat_age)


def test_finished_campaign(db: Database, finished: StoredCampaign) -> None:
    status = campaign_status(db, clock=FakeClock(NOW))
    assert status.state == "finished" and status.finished
    assert status.outcomes == {
        "connected": 3,
        "failed": 1,
        "invalid": 1,
        "duplicate": 1,
        "dnc": 1,
        "unknown": 1,
    }
    assert status.contacts == 8
    assert status.attempts_used == len(finished.calls)  # the not-placed request excluded
    assert (status.requests_used, status.rate_limited) == (57, 2)
    assert status.elapsed_s == 7200
    assert status.resume_command is None
    assert status.calls_in_progress == 0 and status.waiting == []


def test_running_with_a_fresh_heartbeat(db: Database, finished: StoredCampaign) -> None:
    _run_by_this_process(db, finished.campaign_id, heartbeat_age=3)
    status = campaign_status(db, clock=FakeClock(NOW))
    assert status.state == "running"
    assert status.runner is not None and status.runner.alive
    assert status.elapsed_s == 3600
    assert status.resume_command == "python -m campaign resume spring-recall"


def test_a_stale_runner_means_interrupted_with_the_resume_command(
    db: Database, finished: StoredCampaign
) -> None:
    _run_by_this_process(db, finished.campaign_id, heartbeat_age=120)
    status = campaign_status(db, clock=FakeClock(NOW), db_argument="/data/my db.sqlite")
    assert (status.state, status.stored_state) == ("interrupted", "running")
    assert status.runner is not None and not status.runner.alive
    assert status.resume_command == (
        "python -m campaign resume spring-recall --db '/data/my db.sqlite'"
    )


def test_waiting_contacts_by_reason_with_the_next_due(
    db: Database, finished: StoredCampaign
) -> None:
    cid = finished.campaign_id
    queued_contacts(db, cid, 2, first_line=100)  # never called: ready now
    queued_contacts(
        db,
        cid,
        3,
        first_line=200,
        next_attempt_at=NOW + timedelta(minutes=10),
        wait_reason="redial",
    )
    queued_contacts(
        db, cid, 1, first_line=300, next_attempt_at=NOW + timedelta(minutes=5), wait_reason="redial"
    )
    queued_contacts(
        db, cid, 2, first_line=400, next_attempt_at=NOW + timedelta(hours=9), wait_reason="window"
    )
    queued_contacts(
        db, cid, 1, first_line=500, next_attempt_at=NOW - timedelta(minutes=1), wait_reason="redial"
    )  # due already
    status = campaign_status(db, clock=FakeClock(NOW))
    assert status.ready_to_dial == 3
    waiting = {w.reason: (w.count, w.next_due) for w in status.waiting}
    assert waiting == {
        "redial": (4, NOW + timedelta(minutes=5)),
        "window": (2, NOW + timedelta(hours=9)),
    }
    assert [w.reason for w in status.waiting] == ["redial", "window"]
    assert status.outcomes["pending"] == 9


def test_calls_in_progress_and_unresolved_dials(db: Database, finished: StoredCampaign) -> None:
    ids = queued_contacts(db, finished.campaign_id, 3)
    with db.session() as session:
        states = (AttemptStatus.PLACED, AttemptStatus.PLACED, AttemptStatus.INTENT)
        for contact_id, state in zip(ids, states, strict=True):
            session.add(
                Attempt(
                    campaign_id=finished.campaign_id,
                    contact_id=contact_id,
                    number=1,
                    state=state,
                    from_number="+15550000001",
                    to_number="+15557000100",
                    requested_at=NOW,
                )
            )
    status = campaign_status(db, clock=FakeClock(NOW))
    assert status.calls_in_progress == 2
    assert status.unresolved_requests == 1
    assert status.attempts_used == len(finished.calls) + 2


def test_json_is_plain_data(db: Database, finished: StoredCampaign) -> None:
    data = json.loads(json.dumps(campaign_status(db, clock=FakeClock(NOW)).to_json()))
    assert data["name"] == "spring-recall"
    assert data["started_at"] == "2026-01-05T15:00:00+00:00"
    assert data["outcomes"]["connected"] == 3
    assert data["resume_command"] is None


def test_summaries_newest_first(db: Database, finished: StoredCampaign) -> None:
    finished_campaign(db, "second", start=T0 + timedelta(days=1))
    summaries = campaign_summaries(db, clock=FakeClock(NOW))
    assert [s.name for s in summaries] == ["second", "spring-recall"]
    assert summaries[0].contacts == 8 and summaries[0].outcomes["connected"] == 3
    assert json.dumps([s.to_json() for s in summaries])


def test_resume_command_quotes_what_needs_quoting() -> None:
    assert resume_command("a b") == "python -m campaign resume 'a b'"


# --- the calling calendar, per country -------------------------------------------------

ISRAELI = ["+972527654321", "+972536543210", "+97236123456"]
AMERICAN = ["+12125550143", "+13125550162"]


@pytest.mark.parametrize(
    ("now", "israel", "opens"),
    [
        # Yom Kippur (Monday 21 Sep 2026), 10:00 in Israel: the day after, at 09:00.
        (
            datetime(2026, 9, 21, 7, tzinfo=UTC),
            "holiday (Yom Kippur)",
            datetime(2026, 9, 22, 6, tzinfo=UTC),
        ),
        # Shabbat, 12:00: Sunday 09:00 (Israel keeps summer time until late October).
        (
            datetime(2026, 9, 19, 9, tzinfo=UTC),
            "closed day (Saturday)",
            datetime(2026, 9, 20, 6, tzinfo=UTC),
        ),
        # Friday 14:00: closed since 13:00, Sunday 09:00.
        (
            datetime(2026, 9, 18, 11, tzinfo=UTC),
            "outside calling hours (fri 09:00-13:00)",
            datetime(2026, 9, 20, 6, tzinfo=UTC),
        ),
    ],
)
def test_status_names_each_countrys_schedule_and_next_opening(
    db: Database, now: datetime, israel: str, opens: datetime
) -> None:
    cid = ready_campaign(db, contacts=0)
    queued_contacts(db, cid, 3, numbers=ISRAELI)
    queued_contacts(db, cid, 2, first_line=10, numbers=AMERICAN)
    status = campaign_status(db, clock=FakeClock(now))
    assert status.calendar is not None
    by_country = {c.country: c for c in status.calendar.countries}
    il = by_country["IL"]
    assert (il.contacts, il.schedule, il.source) == (
        3,
        "sun-thu 09:00-20:00, fri 09:00-13:00",
        "Israel's default",
    )
    assert (il.open_now, il.closed_because, il.next_opening) == (False, israel, opens)
    assert by_country["US"].schedule == "08:00-21:00 every day"
    data = json.loads(json.dumps(status.to_json()))
    first = data["calendar"]["countries"][0]
    assert (first["country"], first["closed_because"]) == ("IL", israel)
    assert first["next_opening"] == opens.isoformat()
    text = _rendered(status)
    assert "IL (3 to call)  sun-thu 09:00-20:00, fri 09:00-13:00 (Israel's default)" in text
    assert f"closed now: {israel}, opens" in text


def test_the_calendar_is_left_out_when_nobody_is_left_to_call(
    db: Database, finished: StoredCampaign
) -> None:
    status = campaign_status(db, clock=FakeClock(NOW))
    assert status.calendar is None
    assert "Calling calendar" not in _rendered(status)


def _rendered(status: CampaignStatus) -> str:
    console = Console(width=200, record=True)
    console.print(render_status(status))
    return console.export_text()
