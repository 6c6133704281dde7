"""The engine end to end against the in-process simulator, on real SQLite files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from campaign.campaigns.connect import Connection
from campaign.campaigns.runs import build_runner
from campaign.clock import CompressedClock
from campaign.engine.runner import Runner
from campaign.engine.settings import RunSettings
from campaign.simulator import DEFAULT_FROM_NUMBERS, Faults, World
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign, Contact
from tests.conftest import MakeWorld, RunRunner
from tests.factories import fake_contacts, sim_connection, store_campaign, us_numbers
from tests.ground_truth import assert_never_twice

pytestmark = pytest.mark.anyio

FAST_REDIALS = {"busy": 30.0, "no_answer": 30.0, "error": 30.0}


RunCampaign = Callable[..., Awaitable[tuple[Runner, World, int]]]


@pytest.fixture
def run_campaign(make_world: MakeWorld, run_runner: RunRunner) -> RunCampaign:
    """`await run_campaign(db, numbers, faults=, scale=, seed=, world=, **settings)`: a list
    stored and run to its end on a compressed clock; (runner, world, campaign id)."""

    async def run(
        db: Database,
        numbers: list[str],
        *,
        faults: Faults | None = None,
        scale: float = 200.0,
        seed: int = 3,
        world: World | None = None,
        **settings_kw: object,
    ) -> tuple[Runner, World, int]:
        world = world or make_world(CompressedClock(scale), seed=seed, faults=faults or Faults())
        settings_kw.setdefault("retry_delays", dict(FAST_REDIALS))
        settings_kw.setdefault("window", "any")
        settings = RunSettings(
            from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]),
            **settings_kw,  # type: ignore[arg-type]
        )
        campaign_id = store_campaign(db, fake_contacts(numbers), settings, world.clock)
        runner, _ = await run_runner(db, world, campaign_id, settings)
        return runner, world, campaign_id

    return run


async def test_every_contact_reached_once_with_simulated_outcomes(
    db: Database, run_campaign: RunCampaign
) -> None:
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
    db: Database, run_campaign: RunCampaign
) -> None:
    _runner, world, cid = await run_campaign(db, us_numbers(20), max_attempts=1)
    with db.read_session() as session:
        attempts = list(session.scalars(select(Attempt).where(Attempt.campaign_id == cid)))
    connected = [a for a in attempts if a.category == "connected"]
    assert connected and all(a.details_fetched and a.summary for a in connected)
    assert all(a.transcript for a in connected)
    assert world.requests_by_endpoint["call-get"] == len(connected)


@pytest.mark.parametrize("seed", [1, 2])
async def test_ambiguous_and_dropped_dials_never_call_twice(
    db: Database, seed: int, run_campaign: RunCampaign
) -> None:
    faults = Faults(p_ambiguous=0.25, p_drop=0.25, p_5xx=0.1)
    _runner, world, cid = await run_campaign(db, us_numbers(25), faults=faults, seed=seed)
    assert world.faults_served["ambiguous"] + world.faults_served["drop"] > 0
    assert_never_twice(db, cid, world, max_attempts=3)
    with db.read_session() as session:
        states = Counter(session.scalars(select(Contact.state).where(Contact.campaign_id == cid)))
    assert states == {"done": 25}


async def test_until_idle_exits_when_everyone_waits(
    db: Database, make_world: MakeWorld, run_campaign: RunCampaign
) -> None:
    world = make_world(CompressedClock(200.0))
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


async def test_a_cancel_left_pending_is_honoured_by_the_next_runner(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    world = make_world(CompressedClock(200.0))
    settings = RunSettings(from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]), window="any")
    campaign_id = store_campaign(db, fake_contacts(us_numbers(4)), settings, world.clock)
    with db.session() as session:
        row = session.get(Campaign, campaign_id)
        assert row is not None
        row.state, row.requested_action = "interrupted", "cancel"
    _, result = await run_runner(db, world, campaign_id, settings)
    assert result.state == "canceled"
    assert sum(world.dial_counts.values()) == 0
    with db.read_session() as session:
        outcomes = set(session.scalars(select(Contact.outcome)))
        assert outcomes == {"canceled"}
        campaign_row = session.get(Campaign, campaign_id)
        assert campaign_row is not None and campaign_row.requested_action is None


class LaggingClock:
    """The API's clock, `lag` seconds behind the runner's (same pace): its start times look
    earlier than the runner's intents."""

    def __init__(self, base: CompressedClock, lag: float) -> None:
        self.base, self.lag = base, lag

    def time(self) -> float:
        return self.base.time() - self.lag

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    async def sleep(self, seconds: float) -> None:
        await self.base.sleep(seconds)


async def test_an_api_clock_behind_ours_is_learned_and_no_call_is_lost(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    clock = CompressedClock(200.0)
    world = make_world(LaggingClock(clock, 60.0), seed=4)  # type: ignore[arg-type]
    numbers = us_numbers(12)
    settings = RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]), window="any", min_gap=0, max_attempts=1
    )
    campaign_id = store_campaign(db, fake_contacts(numbers), settings, clock)
    async with sim_connection(world) as connection:
        runner = build_runner(db, campaign_id, settings, Connection(connection.client, clock))
        result = await runner.run()
    assert result.state == "finished"
    assert_never_twice(db, campaign_id, world, max_attempts=1)
    # Scans missed the first calls (they started "before" the intents), looked back the
    # whole margin for them, and learned the lag for the rest. Learned = 60 s less the time
    # to answer the dial, which on a x200 clock is 200x the real latency: a busy machine's
    # 100 ms reads as 20 s, so the bound is "most of the lag", never "none of it".
    assert 30_000 <= runner.tracker.lag.lag_ms <= 61_000
