"""Pause and cancel from the library, the command line and the buttons, on a real SQLite file:
with a live runner only a request is written; without one the state changes directly, and
a contact whose call may be in progress is never touched."""

from __future__ import annotations

import os
import re
import socket
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from campaign.campaigns import control
from campaign.campaigns.control import cancel_campaign, pause_campaign
from campaign.cli import main
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign, Contact, Event
from campaign.web.app import create_app
from tests.outcomes_factory import finished_campaign, ready_campaign

with warnings.catch_warnings():  # starlette asks for httpx2, which is not packaged here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def campaign_row(db: Database, campaign_id: int) -> Campaign:
    with db.read_session() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        session.expunge(campaign)
        return campaign


def outcomes(db: Database, campaign_id: int) -> dict[int, str | None]:
    with db.read_session() as session:
        rows = session.execute(
            select(Contact.id, Contact.outcome).where(Contact.campaign_id == campaign_id)
        ).all()
    return {contact_id: outcome for contact_id, outcome in rows}


def hold_lock(db: Database, campaign_id: int, *, alive: bool = True) -> None:
    """Make the campaign look run by a live runner (this process) or by a dead one."""
    beat = datetime.now(UTC) - (timedelta(0) if alive else timedelta(minutes=10))
    with db.session() as session:
        session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(
                state="running",
                lock_owner=f"{os.getpid()}@test",
                lock_pid=os.getpid(),
                lock_host=socket.gethostname(),
                lock_heartbeat_at=beat,
                lock_acquired_at=beat,
            )
        )


def open_intent(db: Database, campaign_id: int) -> int:
    """One contact with a dial request whose answer is not recorded (after a crash)."""
    with db.session() as session:
        contact = session.scalars(
            select(Contact).where(Contact.campaign_id == campaign_id).order_by(Contact.position)
        ).first()
        assert contact is not None
        contact.state = "active"
        session.add(
            Attempt(
                campaign_id=campaign_id,
                contact_id=contact.id,
                number=1,
                state="intent",
                from_number="+15550000001",
                to_number=contact.to_number or "",
                requested_at=datetime.now(UTC),
            )
        )
        return contact.id


def test_pause_without_a_runner_pauses_at_once(db: Database) -> None:
    campaign_id = ready_campaign(db, "fresh")
    result = pause_campaign(db, "fresh")
    assert (result.result, result.state) == ("applied", "paused")
    assert "resume fresh" in result.message
    assert campaign_row(db, campaign_id).state == "paused"
    assert pause_campaign(db, "fresh").result == "unchanged"
    with db.read_session() as session:
        assert session.scalars(select(Event.kind).where(Event.kind == "paused")).all()


def test_with_a_live_runner_only_a_request_is_written(db: Database) -> None:
    campaign_id = ready_campaign(db, "busy")
    hold_lock(db, campaign_id)
    before = outcomes(db, campaign_id)
    result = pause_campaign(db, "busy")
    assert result.result == "requested" and result.runner_pid == os.getpid()
    assert "stops dialing within a second" in result.message
    row = campaign_row(db, campaign_id)
    assert (row.state, row.requested_action) == ("running", "pause")
    cancel = cancel_campaign(db, "busy")
    assert cancel.result == "requested" and cancel.canceled == 0
    assert campaign_row(db, campaign_id).requested_action == "cancel"
    assert outcomes(db, campaign_id) == before  # the runner marks them, not us


def test_a_dead_runners_campaign_is_changed_directly(db: Database) -> None:
    campaign_id = ready_campaign(db, "orphan", contacts=4)
    hold_lock(db, campaign_id, alive=False)
    result = cancel_campaign(db, "orphan")
    assert (result.result, result.state, result.canceled) == ("applied", "canceled", 4)
    row = campaign_row(db, campaign_id)
    assert row.state == "canceled" and row.finished_at is not None
    assert set(outcomes(db, campaign_id).values()) == {"canceled"}


def test_cancel_never_touches_a_contact_whose_call_may_be_in_progress(db: Database) -> None:
    campaign_id = ready_campaign(db, "crashed", contacts=4)
    hold_lock(db, campaign_id, alive=False)
    open_contact = open_intent(db, campaign_id)
    result = cancel_campaign(db, "crashed")
    assert (result.canceled, result.open_attempts) == (3, 1)
    assert "resume crashed" in result.message
    found = outcomes(db, campaign_id)
    assert found.pop(open_contact) is None
    assert set(found.values()) == {"canceled"}
    row = campaign_row(db, campaign_id)
    assert row.state != "canceled"  # resumable: only a runner can record that call
    assert row.requested_action == "cancel"


def test_a_runner_taking_the_campaign_meanwhile_gets_a_request(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign_id = ready_campaign(db, "raced")
    hold_lock(db, campaign_id, alive=False)

    def judged_dead_then_taken(campaign: Campaign, now: datetime | None = None) -> bool:
        with db.session() as session:  # a new runner takes the lock right after our look
            session.execute(
                update(Campaign)
                .where(Campaign.id == campaign_id)
                .values(lock_owner="new-runner", lock_heartbeat_at=datetime.now(UTC))
            )
        return False

    monkeypatch.setattr(control, "holder_is_alive", judged_dead_then_taken)
    result = cancel_campaign(db, "raced")
    assert result.result == "requested"
    assert set(outcomes(db, campaign_id).values()) == {None}
    assert campaign_row(db, campaign_id).requested_action == "cancel"


def test_finished_and_canceled_campaigns_refuse(db: Database) -> None:
    finished_campaign(db, "done")
    with pytest.raises(InputError, match="finished"):
        pause_campaign(db, "done")
    with pytest.raises(InputError, match="finished"):
        cancel_campaign(db, "done")
    ready_campaign(db, "gone")
    cancel_campaign(db, "gone")
    with pytest.raises(InputError, match="canceled"):
        pause_campaign(db, "gone")
    assert cancel_campaign(db, "gone").result == "unchanged"


def test_the_commands(db: Database, db_path: Path) -> None:
    finished_campaign(db, "old")
    campaign_id = ready_campaign(db, "latest")
    runner = CliRunner()
    declined = runner.invoke(main, ["cancel", "--db", str(db_path)], input="n\n")
    assert declined.exit_code == 1
    assert "Cancel campaign latest (ready, 3 contacts" in declined.output
    assert campaign_row(db, campaign_id).state == "ready"
    paused = runner.invoke(main, ["pause", "--db", str(db_path)])
    assert paused.exit_code == 0 and "campaign latest paused" in paused.output
    assert f"`python -m campaign resume latest --db {db_path}`" in paused.output
    canceled = runner.invoke(main, ["cancel", "latest", "--db", str(db_path)], input="y\n")
    assert canceled.exit_code == 0, canceled.output
    assert "3 contacts not yet final are marked canceled" in canceled.output
    refused = runner.invoke(main, ["pause", "old", "--db", str(db_path)])
    assert refused.exit_code == 2 and "finished" in refused.output
    missing = runner.invoke(main, ["pause", "--db", str(db_path.with_name("nope.db"))])
    assert missing.exit_code == 2 and "no campaign database" in missing.output
    ready_campaign(db, "quiet")
    yes = runner.invoke(main, ["cancel", "quiet", "--yes", "--db", str(db_path)])
    assert yes.exit_code == 0 and "canceled" in yes.output


def test_the_buttons(db: Database) -> None:
    finished_id = finished_campaign(db, "old").campaign_id
    campaign_id = ready_campaign(db, "fresh")
    app = create_app(db, live_max_age=1.0, charts_in_process=True)
    with TestClient(app, follow_redirects=True) as client:
        page = client.get(f"/campaigns/{campaign_id}").text  # caches the view for a second
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert token is not None and f'action="/campaigns/{campaign_id}/pause"' in page
        paused = client.post(f"/campaigns/{campaign_id}/pause", data={"csrf": token.group(1)})
        assert "Paused. No runner was working" in paused.text
        assert "data-live-state>paused<" in paused.text  # not the cached view of a second ago
        confirm = client.get(f"/campaigns/{campaign_id}/cancel").text
        assert "cannot be resumed" in confirm and "Yes, cancel the campaign" in confirm
        canceled = client.post(f"/campaigns/{campaign_id}/cancel", data={"csrf": token.group(1)})
        assert "Canceled. Everyone not yet called is marked canceled." in canceled.text
        assert set(outcomes(db, campaign_id).values()) == {"canceled"}
        refused = client.post(f"/campaigns/{finished_id}/pause", data={"csrf": token.group(1)})
        assert refused.status_code == 409 and "nothing to pause" in refused.text
        nothing = client.get(f"/campaigns/{finished_id}/cancel").text
        assert "there is nothing to cancel" in nothing and "Yes, cancel" not in nothing
