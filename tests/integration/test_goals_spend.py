"""Goals, callbacks and the spending cap end to end: the in-process simulator on a compressed
clock, real SQLite files; every run is checked for no duplicate call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaign.calls.vocab import CampaignState, Outcome, StopReason, WaitReason
from campaign.campaigns.estimate import cost_estimate, describe_estimate
from campaign.clock import CompressedClock
from campaign.engine.settings import RunSettings
from campaign.outcomes.frames import read_campaign_rows
from campaign.outcomes.results import results_frame
from campaign.outcomes.status import campaign_status
from campaign.simulator import DEFAULT_FROM_NUMBERS
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign, Contact
from campaign.store.spend import spend_of
from tests.conftest import MakeWorld, RunRunner
from tests.factories import fake_contacts, store_campaign, us_numbers
from tests.ground_truth import assert_never_twice

pytestmark = pytest.mark.anyio

CONNECTS = ["user_hangup"] * 5


def settings(**changes: object) -> RunSettings:
    base = RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]),
        window="any",
        retry_delays={"busy": 30.0, "no_answer": 30.0, "error": 30.0},
    )
    return base.with_overrides(**changes)


async def test_goal_no_goal_redials_and_callbacks(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    world = make_world(CompressedClock(2000.0), seed=5)
    goal, missed, callback, garbage, busy_after = us_numbers(5)
    for number in (goal, missed, callback, garbage, busy_after):
        world.script(number, CONNECTS)
    world.script(busy_after, ["user_hangup", "busy", "busy"])
    world.script_extracted(goal, {"confirmed": "yes", "cb": ""})
    world.script_extracted(missed, {"confirmed": False, "cb": ""})
    world.script_extracted(callback, {"confirmed": False, "cb": "in 10 minutes"})
    world.script_extracted(garbage, {"confirmed": False, "cb": "when I'm less busy"})
    world.script_extracted(busy_after, {"confirmed": False, "cb": ""})
    run = settings(
        goal="confirmed",
        callback_var="cb",
        retry_delays={"busy": 30.0, "no_answer": 30.0, "error": 30.0, "no_goal": 60.0},
    )
    numbers = [goal, missed, callback, garbage, busy_after]
    cid = store_campaign(db, fake_contacts(numbers), run, world.clock)
    _, result = await run_runner(db, world, cid, run)
    assert result.state == CampaignState.FINISHED
    assert_never_twice(db, cid, world, max_attempts=3)
    with db.read_session() as session:
        outcome = dict(
            session.execute(
                select(Contact.to_number, Contact.outcome).where(Contact.campaign_id == cid)
            ).all()
        )
        asked = session.execute(
            select(Attempt.number, Attempt.requested_at, Attempt.ended_at)
            .where(Attempt.to_number == callback)
            .order_by(Attempt.number)
        ).all()
    # Reached the goal: never dialed again.
    assert world.dial_counts[goal] == 1 and outcome[goal] == Outcome.GOAL_REACHED
    # Missed it with no_goal=1m: redialed up to --max-attempts, then no_goal.
    assert world.dial_counts[missed] == 3 and outcome[missed] == Outcome.NO_GOAL
    assert world.dial_counts[garbage] == 3 and outcome[garbage] == Outcome.NO_GOAL
    # Reached once, then busy twice: still reads as reached (no goal), not failed.
    assert world.dial_counts[busy_after] == 3 and outcome[busy_after] == Outcome.NO_GOAL
    # The callback: the next call is 10 minutes after the end, not on the 1-minute schedule.
    assert outcome[callback] == Outcome.NO_GOAL
    first, second = asked[0], asked[1]
    assert first.ended_at is not None
    assert second.requested_at - first.ended_at >= timedelta(minutes=10)
    # The export and status say it.
    table = results_frame(read_campaign_rows(db, None))
    reached = dict(zip(table["to_number"], table["goal_reached"], strict=True))
    assert reached[goal] == "true" and reached[missed] == "false"
    status = campaign_status(db).to_json()
    assert status["goal"]["var"] == "confirmed"
    assert status["goal"]["reached"] == 1 and status["goal"]["connected"] == 5
    assert status["spend"]["total"] > 0 and status["spend"]["currency"] == "USD"
    # The page shows the goal and the spend from the same store.
    from starlette.testclient import TestClient

    from campaign.web.app import create_app

    with TestClient(create_app(db, live_max_age=0, charts_in_process=True)) as client:
        page = client.get(f"/campaigns/{cid}").text
    assert "confirmed is true: 1 of 5 people reached (20%)" in page
    assert 'data-live="spend">' in page and "USD a connected call" in page


async def test_callback_waits_and_is_listed(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    world = make_world(CompressedClock(2000.0), seed=6)
    (number,) = us_numbers(1)
    world.script(number, CONNECTS)
    world.script_extracted(number, {"cb": "tomorrow at 5pm"})
    run = settings(callback_var="cb", until_idle=True)
    cid = store_campaign(db, fake_contacts([number]), run, world.clock)
    _, result = await run_runner(db, world, cid, run)
    assert result.stop_reason is StopReason.IDLE
    status = campaign_status(db)
    assert status.callbacks_waiting == 1
    (listed,) = status.callbacks
    assert listed.at is not None and listed.detail is not None
    assert "tomorrow at 5pm" in listed.detail
    with db.read_session() as session:
        contact = session.scalars(select(Contact).where(Contact.campaign_id == cid)).one()
    assert contact.wait_reason == WaitReason.CALLBACK and contact.outcome is None


async def test_spend_cap_pauses_then_resume_with_a_higher_cap_finishes(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    world = make_world(CompressedClock(1000.0), seed=7)
    numbers = us_numbers(24)
    for number in numbers:
        world.script(number, CONNECTS)
    capped = settings(max_cost=0.4, concurrency=4)
    cid = store_campaign(db, fake_contacts(numbers), capped, world.clock)
    _, result = await run_runner(db, world, cid, capped)
    assert result.stop_reason is StopReason.SPEND_CAP
    assert result.state == CampaignState.PAUSED
    with db.read_session() as session:
        spent = spend_of(session, cid)
        campaign = session.get(Campaign, cid)
        assert campaign is not None and campaign.stop_reason == StopReason.SPEND_CAP
        pending = session.scalar(
            select(Contact.id).where(Contact.campaign_id == cid, Contact.outcome.is_(None))
        )
    # Stopped with people left; the overshoot is bounded by the first wave of lines.
    assert pending is not None and spent.in_flight == 0
    assert spent.total <= 0.4 + 4 * (spent.per_call_in_flight or 0.0)
    dialed = sum(world.dial_counts.values())
    assert dialed < len(numbers)
    # `resume --max-cost HIGHER`: the rest are called, nobody twice.
    lifted = capped.with_overrides(max_cost=100.0)
    _, result = await run_runner(db, world, cid, lifted)
    assert result.state == CampaignState.FINISHED
    assert sum(world.dial_counts.values()) == len(numbers)
    assert_never_twice(db, cid, world, max_attempts=3)
    # The dry run's estimate now has this database's calls to learn from.
    past = cost_estimate(db, None, 10)
    assert past is not None and past.answer_rate == 1.0
    assert "about" in describe_estimate(past, 10, None)
    assert "no estimate yet" in describe_estimate(cost_estimate(db, "agent_other", 10), 10, None)


async def test_redial_and_callback_never_fall_on_shabbat(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    # Friday 12:00 in Israel (10:00 UTC): the default calendar closes at 13:00 until Sunday
    # (an hour of margin: 18 s real at 200x, for a slow start on a busy machine).
    start = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    world = make_world(CompressedClock(200.0, start=start), seed=8)
    busy, asks = "+972521234567", "+972541234567"
    world.script(busy, ["busy", "user_hangup"])
    world.script(asks, CONNECTS)
    world.script_extracted(asks, {"cb": "in two hours"})  # Friday ~14:00: closed
    run = settings(window="default", callback_var="cb", until_idle=True)
    run = run.with_overrides(retry_delays={"busy": 3600.0, "no_answer": 3600.0, "error": 60.0})
    cid = store_campaign(db, fake_contacts([busy, asks]), run, world.clock)
    _, result = await run_runner(db, world, cid, run)
    assert result.stop_reason is StopReason.IDLE
    sunday_nine = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)  # 09:00 in Israel
    with db.read_session() as session:
        due = dict(
            session.execute(
                select(Contact.to_number, Contact.next_attempt_at).where(Contact.campaign_id == cid)
            ).all()
        )
    assert due == {busy: sunday_nine, asks: sunday_nine}
    assert world.dial_counts == {busy: 1, asks: 1}
