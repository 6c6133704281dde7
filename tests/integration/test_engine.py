"""The engine end to end against the in-process simulator, on real SQLite files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from campaign.clock import CompressedClock
from campaign.engine.create import create_campaign
from campaign.engine.run import Runner
from campaign.engine.settings import RunSettings
from campaign.simulator import (
    DEFAULT_FROM_NUMBERS,
    PLANS,
    TEST_API_KEY,
    Faults,
    World,
    in_process_transport,
)
from campaign.store.db import Database
from campaign.store.models import ENDED, PLACED, Attempt, Campaign, Contact
from campaign.voicy.client import VoicyClient
from tests.factories import fake_contacts, us_numbers

pytestmark = pytest.mark.anyio

FAST_REDIALS = {"busy": 30.0, "no_answer": 30.0, "error": 30.0}


async def run_campaign(
    db: Database,
    numbers: list[str],
    *,
    faults: Faults | None = None,
    scale: float = 200.0,
    seed: int = 3,
    world: World | None = None,
    **settings_kw: object,
) -> tuple[Runner, World, int]:
    if world is None:
        world = World(
            clock=CompressedClock(scale),
            plan=PLANS["standard"],
            seed=seed,
            faults=faults or Faults(),
        )
    clock = world.clock
    settings_kw.setdefault("retry_delays", dict(FAST_REDIALS))
    settings_kw.setdefault("window", "any")
    settings = RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]),
        **settings_kw,  # type: ignore[arg-type]
    )
    campaign = create_campaign(db, fake_contacts(numbers), settings, now=clock.now())
    client = VoicyClient(
        TEST_API_KEY,
        "http://voicy.sim/functions/v1",
        transport=in_process_transport(world),
        clock=clock,
    )
    async with client:
        runner = Runner(db, campaign.id, client, settings, world.clock)
        await runner.run()
    return runner, world, campaign.id


def placed_per_number(db: Database, campaign_id: int) -> Counter[str]:
    with db.read_session() as session:
        rows = session.execute(
            select(Attempt.to_number).where(
                Attempt.campaign_id == campaign_id, Attempt.state.in_((PLACED, ENDED))
            )
        ).scalars()
        return Counter(rows)


def assert_never_twice(db: Database, campaign_id: int, world: World, max_attempts: int) -> None:
    recorded = placed_per_number(db, campaign_id)
    assert dict(world.dial_counts) == dict(recorded)
    assert max(world.dial_counts.values()) <= max_attempts
    with db.read_session() as session:
        call_ids = set(session.scalars(select(Attempt.call_id).where(Attempt.call_id.is_not(None))))
    assert call_ids == {call.call_id for call in world.calls}


async def test_every_contact_reached_once_with_simulated_outcomes(db: Database) -> None:
    numbers = us_numbers(30)
    _runner, world, cid = await run_campaign(db, numbers)
    with db.read_session() as session:
        campaign = session.get(Campaign, cid)
        assert campaign is not None and campaign.state == "finished"
        contacts = list(session.scalars(select(Contact).where(Contact.campaign_id == cid)))
    assert all(c.state == "done" for c in contacts)
    for contact in contacts:
        assert contact.to_number is not None
        attempts = world.dial_counts[contact.to_number]
        # The simulator decided each call's end; the store agrees on the last one.
        expected = world.planned_status(contact.to_number, attempts - 1)
        assert contact.last_status == expected
        connected = expected in {"user_hangup", "agent_hangup", "inactivity", "ended"}
        assert contact.outcome == ("connected" if connected else "failed")
    assert_never_twice(db, cid, world, max_attempts=3)
    assert world.served_429 == 0 and world.served_concurrency_429 == 0
    assert world.max_concurrent <= 10
    assert world.max_requests_in_any_window <= 60


async def test_connected_calls_have_details_and_failed_ones_cost_no_call_get(
    db: Database,
) -> None:
    _runner, world, cid = await run_campaign(db, us_numbers(20), max_attempts=1)
    with db.read_session() as session:
        attempts = list(session.scalars(select(Attempt).where(Attempt.campaign_id == cid)))
    connected = [a for a in attempts if a.category == "connected"]
    assert connected and all(a.details_fetched and a.summary for a in connected)
    assert all(a.transcript for a in connected)
    assert world.requests_by_endpoint["call-get"] == len(connected)


@pytest.mark.parametrize("seed", [1, 2])
async def test_ambiguous_and_dropped_dials_never_call_twice(db: Database, seed: int) -> None:
    faults = Faults(p_ambiguous=0.25, p_drop=0.25, p_5xx=0.1)
    _runner, world, cid = await run_campaign(db, us_numbers(25), faults=faults, seed=seed)
    assert world.faults_served["ambiguous"] + world.faults_served["drop"] > 0
    assert_never_twice(db, cid, world, max_attempts=3)
    with db.read_session() as session:
        states = Counter(session.scalars(select(Contact.state).where(Contact.campaign_id == cid)))
    assert states == {"done": 25}


async def test_until_idle_exits_when_everyone_waits(db: Database, tmp_path: Path) -> None:
    clock = CompressedClock(200.0)
    world = World(clock=clock, plan=PLANS["standard"], seed=0)
    numbers = us_numbers(3)
    for number in numbers:
        world.script(number, ["busy", "user_hangup"])
    _runner, world, cid = await run_campaign(
        db,
        numbers,
        world=world,
        until_idle=True,
        retry_delays={"busy": 7200.0, "no_answer": 7200.0, "error": 7200.0},
    )
    with db.read_session() as session:
        campaign = session.get(Campaign, cid)
        assert campaign is not None and campaign.state == "interrupted"
        waiting = list(session.scalars(select(Contact).where(Contact.campaign_id == cid)))
    assert all(c.wait_reason == "redial" and c.next_attempt_at for c in waiting)
    assert sum(world.dial_counts.values()) == 3


async def test_a_cancel_left_pending_is_honoured_by_the_next_runner(db: Database) -> None:
    clock = CompressedClock(200.0)
    world = World(clock=clock, plan=PLANS["standard"], seed=0)
    settings = RunSettings(from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]), window="any")
    campaign = create_campaign(db, fake_contacts(us_numbers(4)), settings, now=clock.now())
    with db.session() as session:
        row = session.get(Campaign, campaign.id)
        assert row is not None
        row.state, row.requested_action = "interrupted", "cancel"
    client = VoicyClient(
        TEST_API_KEY, "http://voicy.sim/functions/v1", transport=in_process_transport(world),
        clock=clock,
    )
    async with client:
        result = await Runner(db, campaign.id, client, settings, clock).run()
    assert result.state == "canceled"
    assert sum(world.dial_counts.values()) == 0
    with db.read_session() as session:
        outcomes = set(session.scalars(select(Contact.outcome)))
        assert outcomes == {"canceled"}
        campaign_row = session.get(Campaign, campaign.id)
        assert campaign_row is not None and campaign_row.requested_action is None
