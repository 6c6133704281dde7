"""Calling rules end to end (issue 7): the engine against the in-process simulator on real
SQLite files, with a FakeClock (time moves only when the runner sleeps: no test waits).

The simulator's `world.calls` is the ground truth: when each call really started, from
which number, to whom.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import anyio
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from campaign.campaigns.dnc import add_numbers
from campaign.cli import main
from campaign.clock import CompressedClock, FakeClock
from campaign.engine.progress import RunResult
from campaign.engine.runner import Runner
from campaign.engine.settings import RunSettings
from campaign.outcomes.frames import read_campaign_rows
from campaign.outcomes.results import results_frame
from campaign.outcomes.status import campaign_status
from campaign.simulator import (
    DEFAULT_FROM_NUMBERS,
    TEST_API_KEY,
    SimCall,
    World,
    running_server,
)
from campaign.store.db import Database, open_db
from campaign.store.models import Attempt, Contact, Event, Suppression
from tests.conftest import MakeWorld, RunRunner
from tests.factories import FakeContactList, fake_contacts, store_campaign, us_numbers

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.anyio

US_FROM, US_FROM_2, UK_FROM = DEFAULT_FROM_NUMBERS
UNKNOWN_FROM = "+15005550006"  # not on the simulated account: call-dial answers 422
NEW_YORK = "+12022000000"  # Washington DC: America/New_York
LONDON = "+442079460123"  # Europe/London
AUSTRALIAN_MOBILE = "+61412345678"  # phonenumbers: 8 zones from Cocos to Lord Howe


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def start_of(call: SimCall) -> datetime:
    return datetime.fromtimestamp(call.start, UTC)


def calls_to(world: World, number: str) -> list[SimCall]:
    return [c for c in world.calls if c.to_number == number]


#: The simulator seed of these tests.
SEED = 7


def connect_all(world: World, numbers: list[str]) -> None:
    """Every first dial connects (unless a test scripts otherwise): no redials by chance."""
    for number in numbers:
        world.script(number, ["user_hangup"])
        world.script_extracted(number, {"opt_out": False})


def settings(**kw: Any) -> RunSettings:
    kw.setdefault("from_numbers", (US_FROM, US_FROM_2))
    kw.setdefault("window", "any")
    return RunSettings(**kw)


def create(db: Database, world: World, contacts: FakeContactList, run_settings: RunSettings) -> int:
    return store_campaign(db, contacts, run_settings, world.clock)


async def create_and_run(
    run_runner: RunRunner,
    db: Database,
    world: World,
    contacts: FakeContactList,
    run_settings: RunSettings,
) -> tuple[Runner, RunResult, int]:
    campaign_id = create(db, world, contacts, run_settings)
    runner, result = await run_runner(db, world, campaign_id, run_settings)
    return runner, result, campaign_id


def contacts_of(db: Database, campaign_id: int) -> dict[str, Contact]:
    with db.read_session() as session:
        rows = session.scalars(select(Contact).where(Contact.campaign_id == campaign_id))
        return {str(c.to_number): c for c in rows}


def local_hour(instant: datetime, zone: str) -> float:
    local = instant.astimezone(ZoneInfo(zone))
    return local.hour + local.minute / 60 + local.second / 3600


# --- calling windows ---------------------------------------------------------------------


async def test_each_contact_is_dialed_only_once_its_local_window_opens(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    # Monday 10:30 UTC: open in London, 05:30 in New York, 02:30 in Los Angeles, and 21:30
    # on Lord Howe Island (one of the Australian mobile's zones).
    clock = FakeClock(at("2026-03-02T10:30+00:00"))
    world = make_world(clock, seed=SEED)
    tz_column = "+12022000001"  # a New York number whose row says Los Angeles: the row wins
    numbers = [LONDON, NEW_YORK, tz_column, AUSTRALIAN_MOBILE]
    connect_all(world, numbers)
    contacts = fake_contacts(numbers)
    contacts.rows_[2].timezone = "America/Los_Angeles"
    run_settings = settings(window="08:00-21:00", until_idle=True)
    campaign_id = create(db, world, contacts, run_settings)

    # First pass with --until-idle: London is called, everyone else waits for an opening.
    _, result = await run_runner(db, world, campaign_id, run_settings)
    assert result.idle and result.state == "interrupted"
    assert [c.to_number for c in world.calls] == [LONDON]
    waiting = contacts_of(db, campaign_id)
    expected_openings = {
        NEW_YORK: at("2026-03-02T08:00-05:00"),
        tz_column: at("2026-03-02T08:00-08:00"),
        # Cocos (UTC+6:30) opens last; Lord Howe (UTC+11) closes first: open 01:30-10:00 UTC.
        AUSTRALIAN_MOBILE: at("2026-03-03T01:30+00:00"),
    }
    for number, opening in expected_openings.items():
        assert waiting[number].wait_reason == "window"
        assert waiting[number].next_attempt_at == opening
    assert "2026-03-02T13:00" in result.message and "resume" in result.message

    # Resumed without --until-idle: each is dialed just after its own opening, never before.
    _, result = await run_runner(db, world, campaign_id, settings(window="08:00-21:00"))
    assert result.state == "finished"
    assert sorted(world.dial_counts.values()) == [1, 1, 1, 1]
    for number, opening in expected_openings.items():
        (call,) = calls_to(world, number)
        assert opening <= start_of(call) < opening + timedelta(minutes=10), number
    zones = {
        LONDON: ["Europe/London"],
        NEW_YORK: ["America/New_York"],
        tz_column: ["America/Los_Angeles"],
        AUSTRALIAN_MOBILE: ["Australia/Lord_Howe", "Australia/Sydney", "Indian/Cocos"],
    }
    for call in world.calls:
        for zone in zones[call.to_number]:
            assert 8 <= local_hour(start_of(call), zone) < 21, (call.to_number, zone)


async def test_a_redial_due_after_the_window_closes_waits_for_the_next_opening(
    db: Database,
    make_world: MakeWorld,
    run_runner: RunRunner,
) -> None:
    # Saturday 20:30 in New York, the night US clocks spring forward (Sunday 2026-03-08).
    clock = FakeClock(at("2026-03-07T20:30-05:00"))
    world = make_world(clock, seed=SEED)
    world.script(NEW_YORK, ["busy", "user_hangup"])
    run_settings = settings(
        window="08:00-21:00",
        retry_delays={"busy": 3600.0, "no_answer": 3600.0, "error": 3600.0},
    )
    _, result, campaign_id = await create_and_run(
        run_runner, db, world, fake_contacts([NEW_YORK]), run_settings
    )
    assert result.state == "finished"
    first, second = calls_to(world, NEW_YORK)
    assert start_of(first) < at("2026-03-07T20:40-05:00")
    # Due at 21:30, after the window: moved to Sunday 08:00 EDT, which is 12:00 UTC.
    opening = at("2026-03-08T08:00-04:00")
    assert opening == at("2026-03-08T12:00+00:00")
    assert opening <= start_of(second) < opening + timedelta(minutes=10)
    assert contacts_of(db, campaign_id)[NEW_YORK].outcome == "connected"


async def test_start_at_and_stop_at_bound_the_whole_campaign(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    clock = FakeClock(at("2026-03-02T15:00+00:00"))
    world = make_world(clock, seed=SEED)
    numbers = us_numbers(4)
    for number in numbers:
        world.script(number, ["busy", "busy", "user_hangup"])
    run_settings = settings(
        start_at="2026-03-02T16:00:00+00:00",
        stop_at="2026-03-02T16:30:00+00:00",
        retry_delays={"busy": 3600.0, "no_answer": 3600.0, "error": 3600.0},
    )
    _, result, campaign_id = await create_and_run(
        run_runner, db, world, fake_contacts(numbers), run_settings
    )
    starts = [start_of(c) for c in world.calls]
    assert len(starts) == 4  # one each; the redials were due after --stop-at
    assert all(at("2026-03-02T16:00+00:00") <= s < at("2026-03-02T16:30+00:00") for s in starts)
    assert result.state == "interrupted" and "--stop-at" in result.message
    assert all(c.wait_reason == "redial" for c in contacts_of(db, campaign_id).values())


async def test_a_run_whose_contacts_all_wait_ends_at_stop_at(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    clock = FakeClock(at("2026-03-02T15:00+00:00"))
    world = make_world(clock, seed=SEED)
    (number,) = us_numbers(1)
    world.script(number, ["busy", "user_hangup"])
    run_settings = settings(
        stop_at="2026-03-02T15:30:00+00:00",
        retry_delays={"busy": 3600.0, "no_answer": 3600.0, "error": 3600.0},
    )
    _, result, _ = await create_and_run(
        run_runner, db, world, fake_contacts([number]), run_settings
    )
    assert "--stop-at" in result.message
    assert clock.now() < at("2026-03-02T15:35+00:00")  # not 16:00, when the redial is due


# --- do-not-call and opt-out ------------------------------------------------------------


@pytest.fixture
def compressed_sim(make_world: MakeWorld) -> Iterator[tuple[World, str, dict[str, str]]]:
    """The simulator on a port, on a compressed clock a CLI run in this process shares."""
    clock = CompressedClock.anchored(200.0, epoch=time.time())
    world = make_world(clock, seed=SEED)
    env = {
        "VOICY_API_KEY": TEST_API_KEY,
        "VOICY_FROM_NUMBERS": f"{US_FROM},{US_FROM_2}",
        "CAMPAIGN_CLOCK": clock.spec(),
        "COLUMNS": "200",
        "VOICY_BASE_URL": "",
        "CAMPAIGN_DB": "",
    }
    with running_server(world) as url:
        yield world, url, env


def test_dnc_file_given_to_run_ends_the_contact_as_dnc_without_a_dial(
    tmp_path: Path, compressed_sim: tuple[World, str, dict[str, str]]
) -> None:
    world, url, env = compressed_sim
    numbers = us_numbers(4)
    connect_all(world, numbers)
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "first_name,phone\n" + "".join(f"P{i},{n}\n" for i, n in enumerate(numbers))
    )
    dnc = tmp_path / "dnc.txt"
    dnc.write_text("# do not call\n(202) 200-0002\n")  # numbers[2], written the US way
    db_path = tmp_path / "campaign.db"
    args = ["run", str(contacts), "--db", str(db_path), "--base-url", url, "--window", "any"]
    result = CliRunner().invoke(
        main,
        [*args, "--dnc", str(dnc)],
        env=env,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Do-not-call list dnc.txt: 1 numbers (1 new)" in result.output
    assert numbers[2] not in world.dial_counts
    assert dict(world.dial_counts) == {n: 1 for n in numbers if n != numbers[2]}
    db = open_db(db_path)
    try:
        with db.read_session() as session:
            outcomes = dict(session.execute(select(Contact.to_number, Contact.outcome)).all())
            attempts = list(session.scalars(select(Attempt.to_number)))
        assert outcomes[numbers[2]] == "dnc"
        assert numbers[2] not in attempts
        assert Counter(outcomes.values()) == {"connected": 3, "dnc": 1}
    finally:
        db.dispose()


def test_dnc_commands_add_list_and_remove_numbers_in_any_format(tmp_path: Path) -> None:
    db_arg = ["--db", str(tmp_path / "campaign.db")]
    cli = CliRunner()
    added = cli.invoke(main, ["dnc", "add", "(202) 200-0003", "+44 20 7946 0123", *db_arg])
    assert added.exit_code == 0, added.output
    assert "2 number(s) added" in added.output
    listed = cli.invoke(main, ["dnc", "list", *db_arg])
    assert "+12022000003\tmanual" in listed.output and LONDON in listed.output
    bad = cli.invoke(main, ["dnc", "add", "+12022000004", "call me maybe", *db_arg])
    assert bad.exit_code == 2 and "nothing was added" in bad.output
    removed = cli.invoke(main, ["dnc", "remove", "202-200-0003", *db_arg])
    assert removed.exit_code == 0 and "1 number(s) removed" in removed.output
    listed = cli.invoke(main, ["dnc", "list", *db_arg])
    assert "+12022000003" not in listed.output and LONDON in listed.output


async def test_a_number_added_to_the_dnc_list_while_the_campaign_runs_is_not_dialed(
    db: Database,
    make_world: MakeWorld,
    run_runner: RunRunner,
) -> None:
    clock = FakeClock(at("2026-03-02T15:00+00:00"))
    world = make_world(clock, seed=SEED)
    numbers = us_numbers(4)
    connect_all(world, numbers)
    target = numbers[3]
    run_settings = settings(concurrency=1)
    campaign_id = create(db, world, fake_contacts(numbers), run_settings)
    assert contacts_of(db, campaign_id)[target].state == "queued"  # not on the list at import

    async def dnc_add_once_the_first_call_is_placed() -> None:
        while not world.dial_counts:
            await anyio.sleep(0)
        # What `python -m campaign dnc add` does, while the runner is mid-campaign.
        add_numbers(db, [target], source="manual", reason="asked by email", now=clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(dnc_add_once_the_first_call_is_placed)
        _, result = await run_runner(db, world, campaign_id, run_settings)
    assert result.state == "finished"
    assert target not in world.dial_counts
    assert sum(world.dial_counts.values()) == 3
    contact = contacts_of(db, campaign_id)[target]
    assert contact.outcome == "dnc" and contact.attempts == 0
    with db.read_session() as session:
        assert session.scalar(select(Attempt.id).where(Attempt.to_number == target)) is None


async def test_an_opt_out_in_one_campaign_is_never_dialed_by_another(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    clock = FakeClock(at("2026-03-02T15:00+00:00"))
    world = make_world(clock, seed=SEED)
    opted_out, stays, other = us_numbers(3)
    connect_all(world, [opted_out, stays, other])
    world.script_extracted(opted_out, {"opt_out": True})
    # --min-gap 0: only the opt-out may keep campaign B from calling the number again.
    a_settings = settings(opt_out_var="opt_out", min_gap=0.0)
    b_settings = settings(min_gap=0.0)
    campaign_a = create(db, world, fake_contacts([opted_out, stays], "monday.csv"), a_settings)
    # B is imported before A runs, so only the check right before each dial can stop it.
    campaign_b = create(
        db, world, fake_contacts([opted_out, stays, other], "tuesday.csv"), b_settings
    )
    _, result = await run_runner(db, world, campaign_a, a_settings)
    assert result.state == "finished"
    with db.read_session() as session:
        suppressed = {s.e164: s for s in session.scalars(select(Suppression))}
    assert set(suppressed) == {opted_out}
    assert suppressed[opted_out].source == "opt-out"
    assert "opt_out=True" in (suppressed[opted_out].reason or "")

    _, result = await run_runner(db, world, campaign_b, b_settings)
    assert result.state == "finished"
    assert world.dial_counts == Counter({opted_out: 1, stays: 2, other: 1})
    outcomes = {n: c.outcome for n, c in contacts_of(db, campaign_b).items()}
    assert outcomes == {opted_out: "dnc", stays: "connected", other: "connected"}

    # A list imported later marks the number dnc at import.
    campaign_c = create(db, world, fake_contacts([opted_out], "wednesday.csv"), b_settings)
    contact = contacts_of(db, campaign_c)[opted_out]
    assert contact.outcome == "dnc" and contact.state == "done"


async def test_without_opt_out_var_an_opt_out_answer_suppresses_nothing(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    clock = FakeClock(at("2026-03-02T15:00+00:00"))
    world = make_world(clock, seed=SEED)
    (number,) = us_numbers(1)
    connect_all(world, [number])
    world.script_extracted(number, {"opt_out": True})
    _, result, _ = await create_and_run(run_runner, db, world, fake_contacts([number]), settings())
    assert result.state == "finished" and world.dial_counts[number] == 1
    with db.read_session() as session:
        assert session.scalar(select(Suppression.e164)) is None


# --- per-day cap ----------------------------------------------------------------------------


async def test_max_attempts_per_day_counts_every_campaign_in_the_recipients_day(
    db: Database,
    make_world: MakeWorld,
    run_runner: RunRunner,
) -> None:
    # 09:00 in New York. Campaign A connects once; campaign B may call twice a local day.
    clock = FakeClock(at("2026-03-02T09:00-05:00"))
    world = make_world(clock, seed=SEED)
    world.script(NEW_YORK, ["user_hangup", "busy", "busy", "user_hangup"])
    quick = {"busy": 600.0, "no_answer": 600.0, "error": 600.0}
    _, result, _ = await create_and_run(
        run_runner, db, world, fake_contacts([NEW_YORK], "a.csv"), settings(min_gap=0.0)
    )
    assert result.state == "finished"
    b_settings = settings(min_gap=0.0, max_attempts_per_day=2, retry_delays=quick)
    _, result, campaign_b = await create_and_run(
        run_runner, db, world, fake_contacts([NEW_YORK], "b.csv"), b_settings
    )
    assert result.state == "finished"
    a_call, b_first, b_second, b_third = (start_of(c) for c in calls_to(world, NEW_YORK))
    assert b_first - a_call < timedelta(minutes=10)  # 2nd call of the local day: allowed
    # The redial due 10 minutes later would be the 3rd today: it waits for New York's
    # midnight (05:00 UTC), not UTC midnight, even under --window any.
    midnight = at("2026-03-03T00:00-05:00")
    assert midnight <= b_second < midnight + timedelta(minutes=10)
    assert b_second - b_first > timedelta(hours=10)
    assert timedelta(minutes=10) <= b_third - b_second < timedelta(minutes=20)
    assert contacts_of(db, campaign_b)[NEW_YORK].outcome == "connected"


# --- caller-ID pool -----------------------------------------------------------------------


@pytest.mark.parametrize("local_presence", [True, False])
async def test_local_presence_calls_each_contact_from_its_own_country(
    db: Database,
    local_presence: bool,
    make_world: MakeWorld,
    run_runner: RunRunner,
) -> None:
    clock = FakeClock(at("2026-03-02T15:00+00:00"))
    world = make_world(clock, seed=SEED)
    uk = [f"+44207946012{i}" for i in range(3)]
    us = us_numbers(3)
    connect_all(world, uk + us)
    run_settings = settings(
        from_numbers=(US_FROM, US_FROM_2, UK_FROM), local_presence=local_presence
    )
    await create_and_run(run_runner, db, world, fake_contacts([*uk, *us]), run_settings)
    used = {c.to_number: c.from_number for c in world.calls}
    assert set(used) == set(uk + us)
    if local_presence:
        assert all(used[n] == UK_FROM for n in uk)
        assert all(used[n] in (US_FROM, US_FROM_2) for n in us)
        assert {used[n] for n in us} == {US_FROM, US_FROM_2}  # rotation among the ties
    else:  # plain rotation: some contact gets a caller ID from another country
        assert any(used[n] != UK_FROM for n in uk) or any(used[n] == UK_FROM for n in us)


async def test_a_from_number_refused_with_422_leaves_the_pool_and_the_rest_go_on(
    db: Database,
    make_world: MakeWorld,
    run_runner: RunRunner,
) -> None:
    clock = FakeClock(at("2026-03-02T15:00+00:00"))
    world = make_world(clock, seed=SEED)
    numbers = us_numbers(6)
    connect_all(world, numbers)
    run_settings = settings(from_numbers=(UNKNOWN_FROM, US_FROM, US_FROM_2))
    campaign_id = create(db, world, fake_contacts(numbers), run_settings)
    runner, result = await run_runner(db, world, campaign_id, run_settings)
    pool = runner.caller_ids
    assert result.state == "finished" and result.fatal is None
    assert dict(world.dial_counts) == {n: 1 for n in numbers}
    assert {c.from_number for c in world.calls} == {US_FROM, US_FROM_2}
    assert pool.available == [US_FROM, US_FROM_2]
    assert len(pool.warnings) == 1 and UNKNOWN_FROM in pool.warnings[0]
    with db.read_session() as session:
        events = list(
            session.scalars(select(Event.message).where(Event.kind == "from_number_refused"))
        )
        refused = list(
            session.scalars(select(Attempt.state).where(Attempt.from_number == UNKNOWN_FROM))
        )
    # Dials already in flight when the first 422 came back are refused too; none placed a
    # call, none counts as an attempt, and each contact was dialed again from the rest.
    assert refused and set(refused) == {"not_placed"}
    assert len(events) == 1 and UNKNOWN_FROM in str(events[0])  # warned once
    assert all(c.outcome == "connected" for c in contacts_of(db, campaign_id).values())


async def test_when_every_from_number_is_refused_the_campaign_stops_with_the_fix(
    db: Database,
    make_world: MakeWorld,
    run_runner: RunRunner,
) -> None:
    clock = FakeClock(at("2026-03-02T15:00+00:00"))
    world = make_world(clock, seed=SEED)
    numbers = us_numbers(3)
    run_settings = settings(from_numbers=(UNKNOWN_FROM, "+15005550007"))
    campaign_id = create(db, world, fake_contacts(numbers), run_settings)
    _, result = await run_runner(db, world, campaign_id, run_settings)
    assert result.fatal is not None and "refused" in result.fatal
    assert not world.calls
    assert all(c.state == "queued" for c in contacts_of(db, campaign_id).values())


async def test_a_holiday_holds_the_country_in_one_statement_and_says_which(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    # Yom Kippur 2026 (Monday 21 September), 17:00 in Israel: every Israeli contact waits for
    # Tuesday 09:00, with the holiday's name; the US contacts are called.
    clock = FakeClock(at("2026-09-21T17:00+03:00"))  # 10:00 in Washington
    world = make_world(clock, seed=SEED)
    israel = ["+972521234567", "+972527654321", "+972541112222"]
    us = us_numbers(2)
    connect_all(world, israel + us)
    run_settings = settings(window="default", until_idle=True)
    campaign_id = create(db, world, fake_contacts(israel + us), run_settings)
    _, result = await run_runner(db, world, campaign_id, run_settings)
    assert result.idle and sorted(world.dial_counts) == sorted(us)
    waiting = contacts_of(db, campaign_id)
    for number in israel:
        contact = waiting[number]
        assert (contact.wait_reason, contact.wait_detail) == ("window", "holiday (Yom Kippur)")
        assert contact.next_attempt_at == at("2026-09-22T09:00+03:00")
        assert contact.zone_key is not None and contact.zone_key.startswith("IL ")
    status = campaign_status(db, clock=clock)
    (window,) = [w for w in status.waiting if w.reason == "window"]
    assert (window.count, window.detail) == (3, "holiday (Yom Kippur)")
    # The country's calendar in status, and each waiting row's reason in the export.
    assert status.calendar is not None
    (il,) = [c for c in status.calendar.countries if c.country == "IL"]
    assert (il.closed_because, il.next_opening) == (
        "holiday (Yom Kippur)",
        at("2026-09-22T09:00+03:00"),
    )
    table = results_frame(read_campaign_rows(db, status.name))
    held = table[table["to_number"].isin(israel)]
    assert held["wait_detail"].tolist() == ["holiday (Yom Kippur)"] * 3
    assert table[table["to_number"].isin(us)]["wait_detail"].isna().all()
