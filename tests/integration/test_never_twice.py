"""Never twice across campaigns (issue 12): the same list run again, overlapping lists, and
the minimum gap between calls to one number.

The CLI tests run `python -m campaign run` in separate processes against the simulator on a
port, on real SQLite files. Both sides share one compressed clock (`CAMPAIGN_CLOCK`), so a
24 h gap never passes during a test, and the simulator's `dial_counts` is the ground truth.
The gap's expiry is shown in-process on a FakeClock.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from sqlalchemy import func, select

from campaign.calls.intents import Blocked, BlockedBy, Intent, write_intent
from campaign.calls.vocab import AttemptStatus
from campaign.campaigns.create import create_campaign
from campaign.campaigns.history import check_same_list, describe_recent, recent_calls
from campaign.campaigns.recent import recent_calls_report
from campaign.clock import CompressedClock, FakeClock
from campaign.engine.progress import RunResult
from campaign.engine.runner import Runner
from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.localtime import local_text
from campaign.simulator import (
    DEFAULT_AGENT_ID,
    DEFAULT_FROM_NUMBERS,
    PLANS,
    TEST_API_KEY,
    World,
    create_app,
    running_server,
)
from campaign.simulator import server as simulator_server
from campaign.store.db import Database, open_db
from campaign.store.models import Attempt, Campaign, Contact, Suppression
from tests.conftest import MakeWorld, RunRunner
from tests.factories import fake_contacts, store_campaign, us_numbers

if TYPE_CHECKING:
    from campaign.contacts import ContactList

DAY = timedelta(days=1)
#: Virtual seconds per real second shared by the simulator and the CLI processes.
SCALE = 50.0
#: Real seconds a CLI process may take at most (imports alone take a few).
CLI_TIMEOUT = 60.0


# --- in-process, on a fake clock -----------------------------------------------------------


def contact_list(numbers: list[str], name: str) -> ContactList:
    """A list as `run` would import it, without a file."""
    return cast("ContactList", fake_contacts(numbers, name))


async def run_list(
    db: Database, world: World, run_runner: RunRunner, numbers: list[str], name: str, **kw: Any
) -> tuple[Runner, RunResult, int]:
    settings = RunSettings(from_numbers=DEFAULT_FROM_NUMBERS[:2], window="any", **kw)
    campaign_id = store_campaign(db, contact_list(numbers, name), settings, world.clock)
    return (*await run_runner(db, world, campaign_id, settings), campaign_id)


def first_call_at(db: Database, number: str) -> datetime:
    with db.read_session() as session:
        found = session.scalar(
            select(Attempt.requested_at)
            .where(Attempt.to_number == number, Attempt.state != AttemptStatus.NOT_PLACED)
            .order_by(Attempt.requested_at)
        )
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("state", "refused_without", "allowed_with"),
    [
        ("interrupted", "resume it with `python -m campaign resume monday`", "new"),
        ("paused", "resume it with `python -m campaign resume monday`", "new"),
        ("finished", "already ran as campaign monday", "again"),
        ("canceled", "already ran as campaign monday", "again"),
    ],
)
def test_the_same_list_is_refused_until_the_matching_flag_is_given(
    db: Database, state: str, refused_without: str, allowed_with: str
) -> None:
    numbers = us_numbers(3)
    settings = RunSettings(from_numbers=DEFAULT_FROM_NUMBERS[:1])
    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    monday = create_campaign(
        db, contact_list(numbers, "monday.csv"), settings, now=now, name="monday",
        fingerprint="f" * 64,
    )  # fmt: skip
    with db.session() as session:
        stored = session.get(Campaign, monday.id)
        assert stored is not None
        stored.state = state
    check_same_list(db, "e" * 64, new=False, again=False)  # another list: nothing to say
    other_flag = {"new": "again", "again": "new"}[allowed_with]
    for flags in ({}, {other_flag: True}):
        with pytest.raises(InputError) as refused:
            check_same_list(db, "f" * 64, **{"new": False, "again": False, **flags})
        assert refused_without in refused.value.message
        assert refused.value.exit_code == 2
    check_same_list(db, "f" * 64, **{"new": False, "again": False, allowed_with: True})


def test_recent_calls_counts_the_last_day_and_week_with_last_outcomes(
    db: Database, db_path: Path
) -> None:
    now = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    numbers = us_numbers(6)
    settings = RunSettings(from_numbers=DEFAULT_FROM_NUMBERS[:1])
    earlier = create_campaign(db, contact_list(numbers, "earlier.csv"), settings, now=now)
    calls = [  # (number, how long ago, attempt state, Voicy status)
        (numbers[0], timedelta(hours=2), "ended", "user_hangup"),
        (numbers[0], timedelta(days=3), "ended", "busy"),  # older call to the same number
        (numbers[1], timedelta(hours=20), "placed", None),  # still in progress
        (numbers[2], timedelta(days=3), "ended", "no_answer"),
        (numbers[3], timedelta(days=10), "ended", "user_hangup"),  # over a week ago
        (numbers[4], timedelta(hours=1), "not_placed", None),  # no call was made
    ]
    with db.session() as session:
        contact_ids = dict(
            session.execute(
                select(Contact.to_number, Contact.id).where(Contact.campaign_id == earlier.id)
            ).all()
        )
        for i, (number, ago, state, status) in enumerate(calls):
            session.add(
                Attempt(
                    campaign_id=earlier.id,
                    contact_id=contact_ids[number],
                    number=i + 1,
                    state=state,
                    from_number=DEFAULT_FROM_NUMBERS[0],
                    to_number=number,
                    requested_at=now - ago,
                    voicy_status=status,
                    details_fetched=True,
                )
            )
    recent = recent_calls(db, numbers, now)
    assert (recent.last_day, recent.last_week) == (2, 3)
    assert recent.last_outcomes == {"user_hangup": 1, "in progress": 1, "no_answer": 1}
    assert "2 in the last day, 3 in the last week" in describe_recent(recent)
    assert recent_calls(db, numbers[3:], now).last_week == 0
    report = recent_calls_report(str(db_path), numbers, now)  # what validate and --dry-run say
    assert report.startswith("Called recently by campaigns in this database: 2 in the last day")
    elsewhere = db_path.parent / "none-yet.db"
    assert recent_calls_report(str(elsewhere), numbers, now).startswith("No database yet")
    assert not elsewhere.exists()


def test_the_intent_transaction_refuses_a_number_until_its_gap_has_passed(db: Database) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    number = us_numbers(1)[0]
    settings = RunSettings(from_numbers=DEFAULT_FROM_NUMBERS[:1])
    monday = create_campaign(db, contact_list([number], "mon.csv"), settings, now=clock.now())
    tuesday = create_campaign(db, contact_list([number], "tue.csv"), settings, now=clock.now())
    with db.read_session() as session:
        contact_of = dict(session.execute(select(Contact.campaign_id, Contact.id)).all())

    def intent(campaign_id: int) -> Intent | Blocked:
        return write_intent(
            db,
            campaign_id=campaign_id,
            contact_id=contact_of[campaign_id],
            from_number=DEFAULT_FROM_NUMBERS[0],
            agent_id=None,
            runner="test",
            now=clock.now(),
            min_gap=DAY.total_seconds(),
        )

    called = clock.now()
    assert isinstance(intent(monday.id), Intent)
    clock.advance((DAY - timedelta(seconds=1)).total_seconds())
    blocked = intent(tuesday.id)
    assert blocked == Blocked(BlockedBy.RECENTLY_CALLED, called + DAY)
    with db.read_session() as session:
        waiting = session.get(Contact, contact_of[tuesday.id])
        assert waiting is not None
        assert (waiting.state, waiting.wait_reason) == ("queued", "recently_called")
        assert waiting.next_attempt_at == called + DAY
    clock.advance(1.0)  # the gap has passed: the same claim now succeeds
    assert isinstance(intent(tuesday.id), Intent)


def test_two_runners_claiming_the_same_numbers_at_once_get_one_intent_per_number(
    db_path: Path,
) -> None:
    """The gap check and the intent are one transaction: two connections racing through the
    same numbers (as two runner processes do) never both write an intent for one number."""
    clock = FakeClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    numbers = us_numbers(60)
    settings = RunSettings(from_numbers=DEFAULT_FROM_NUMBERS[:1])
    runners = [open_db(db_path), open_db(db_path)]  # one connection pool each
    try:
        ids: list[tuple[int, list[int]]] = []
        for name in ("a.csv", "b.csv"):
            campaign = create_campaign(
                runners[0], contact_list(numbers, name), settings, now=clock.now()
            )
            with runners[0].read_session() as session:
                contact_ids = session.scalars(
                    select(Contact.id)
                    .where(Contact.campaign_id == campaign.id)
                    .order_by(Contact.position)
                )
                ids.append((campaign.id, list(contact_ids)))
        start = threading.Barrier(2)
        outcomes: dict[int, list[Intent | Blocked]] = {}

        def claim_all(db: Database, campaign_id: int, contact_ids: list[int]) -> None:
            start.wait()
            outcomes[campaign_id] = [
                write_intent(
                    db,
                    campaign_id=campaign_id,
                    contact_id=contact_id,
                    from_number=DEFAULT_FROM_NUMBERS[0],
                    agent_id=None,
                    runner=f"runner-{campaign_id}",
                    now=clock.now(),
                    min_gap=DAY.total_seconds(),
                )
                for contact_id in contact_ids
            ]

        threads = [
            threading.Thread(target=claim_all, args=(db, campaign_id, contact_ids))
            for db, (campaign_id, contact_ids) in zip(runners, ids, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=CLI_TIMEOUT)
    finally:
        for db in runners:
            db.dispose()
    intents = Counter(
        result.to_number
        for results in outcomes.values()
        for result in results
        if isinstance(result, Intent)
    )
    assert intents == {number: 1 for number in numbers}
    blocked = [r for results in outcomes.values() for r in results if isinstance(r, Blocked)]
    assert len(blocked) == len(numbers)
    assert all(b.reason == "recently_called" for b in blocked)
    split = [sum(isinstance(r, Intent) for r in v) for v in outcomes.values()]
    print(f"intents per runner: {split}")


@pytest.mark.anyio
async def test_a_recently_called_number_waits_for_the_gap_then_is_called(
    db: Database, make_world: MakeWorld, run_runner: RunRunner
) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    monday, fresh = us_numbers(6), us_numbers(2, start=50)
    world = make_world(clock, seed=5, connected=monday + fresh)
    _, result, _ = await run_list(db, world, run_runner, monday, "monday.csv")
    assert result.state == "finished" and sum(world.dial_counts.values()) == 6

    clock.advance(3600.0)
    tuesday = monday[:4] + fresh  # four of Monday's numbers again, two new ones
    runner, result, campaign_id = await run_list(
        db, world, run_runner, tuesday, "tuesday.csv", until_idle=True
    )
    # --until-idle: the new numbers are called, then the run stops saying when to resume.
    assert result.idle and result.state == "interrupted"
    assert world.dial_counts == Counter({**{n: 1 for n in monday}, **{n: 1 for n in fresh}})
    due = min(first_call_at(db, n) for n in monday[:4]) + DAY
    assert f"next is due {due.isoformat(timespec='minutes')}" in result.message
    assert "python -m campaign resume" in result.message
    assert result.progress.waiting == {"recently_called": 4}
    # Waiting numbers spend no dial budget: only the two real dials were paid for.
    assert runner.budget.granted_by_kind.get("call-dial", 0) == 2
    with db.read_session() as session:
        waiting = {
            str(c.to_number): c
            for c in session.scalars(
                select(Contact).where(Contact.campaign_id == campaign_id, Contact.state == "queued")
            )
        }
    assert set(waiting) == set(monday[:4])
    for number, contact in waiting.items():
        assert contact.wait_reason == "recently_called"
        assert contact.next_attempt_at == first_call_at(db, number) + DAY

    # Resumed without --until-idle: each is called once its gap has passed, not before.
    settings = RunSettings(from_numbers=DEFAULT_FROM_NUMBERS[:2], window="any")
    for number in monday[:4]:
        world.script(number, ["user_hangup", "user_hangup"])
    _, result = await run_runner(db, world, campaign_id, settings)
    assert result.state == "finished"
    for number in monday[:4]:
        first, second = sorted(c.start for c in world.calls if c.to_number == number)
        gap = second - first
        assert DAY.total_seconds() <= gap < DAY.total_seconds() + 600, number


# --- separate processes against the simulator on a port ----------------------------------------


@dataclass
class Sim:
    world: World
    clock: CompressedClock
    url: str
    workdir: Path
    gun: StartGun

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICY_", "CAMPAIGN_"))}
        env.update(
            VOICY_API_KEY=TEST_API_KEY,
            VOICY_FROM_NUMBERS=",".join(DEFAULT_FROM_NUMBERS[:2]),
            CAMPAIGN_CLOCK=self.clock.spec(),
            COLUMNS="300",  # rich wraps at 80 columns when printing to a pipe
        )
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "campaign", *args, "--base-url", self.url]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            env=self.env,
            cwd=self.workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def write_list(self, name: str, numbers: list[str]) -> str:
        rows = "".join(f"Person {i},{n}\n" for i, n in enumerate(numbers))
        (self.workdir / name).write_text("first_name,phone\n" + rows)
        return name


class StartGun:
    """The simulator's ASGI app, able to hold every agent-get request until `fire()`.

    `run --agent` asks for its agent before it stores or dials anything, so runners started
    as separate processes wait here until all have arrived, and leave the line together.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.armed = False
        self.arrived = 0  # only the server's event-loop thread writes it
        self._fired = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.armed and scope["type"] == "http" and "/agent-get/" in scope["path"]:
            self.arrived += 1
            while not self._fired.is_set():
                await asyncio.sleep(0.005)
        await self.app(scope, receive, send)

    def fire_when(self, arrived: int) -> None:
        deadline = time.monotonic() + CLI_TIMEOUT
        while self.arrived < arrived:
            if time.monotonic() > deadline:
                pytest.fail(f"{arrived - self.arrived} runner(s) never asked for their agent")
            time.sleep(0.01)
        self._fired.set()


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sim]:
    clock = CompressedClock.anchored(SCALE, epoch=time.time())
    world = World(
        clock=clock, plan=PLANS["enterprise"], seed=9, call_seconds=(5, 10), ring_seconds=(1, 2)
    )
    guns: list[StartGun] = []

    def gated_app(world: World) -> StartGun:
        guns.append(StartGun(create_app(world)))
        return guns[-1]

    monkeypatch.setattr(simulator_server, "create_app", gated_app)
    with running_server(world) as url:
        yield Sim(world, clock, url, tmp_path, guns[0])


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


def wait_until_settled(db_path: Path, expected_contacts: int) -> dict[str, int]:
    """Wait until every contact is final or waits for a rule (no runner has anything left to
    dial now); then how many contacts wait, by campaign source file."""
    deadline = time.monotonic() + CLI_TIMEOUT
    while time.monotonic() < deadline:
        time.sleep(0.1)
        db = open_db(db_path)
        try:
            with db.read_session() as session:
                rows = session.execute(
                    select(Campaign.source_name, Contact.state, Contact.wait_reason).join(
                        Campaign, Campaign.id == Contact.campaign_id
                    )
                ).all()
        finally:
            db.dispose()
        settled = all(
            state == "done" or (state == "queued" and reason not in (None, "scheduled"))
            for _, state, reason in rows
        )
        if len(rows) == expected_contacts and settled:
            waiting = Counter(str(source) for source, state, _ in rows if state == "queued")
            return {str(source): waiting[str(source)] for source, _, _ in rows}
    pytest.fail(f"the runners did not settle in {CLI_TIMEOUT:.0f} s")


def campaigns(db_path: Path) -> list[Campaign]:
    db = open_db(db_path)
    try:
        with db.read_session() as session:
            return list(session.scalars(select(Campaign).order_by(Campaign.id)))
    finally:
        db.dispose()


def test_the_same_list_again_is_refused_resumed_or_called_again_on_purpose(sim: Sim) -> None:
    numbers = us_numbers(5)
    for number in numbers:
        sim.world.script(number, ["user_hangup", "user_hangup"])
    contacts = sim.write_list("contacts.csv", numbers)
    db = ["--db", "campaign.db", "--window", "any"]

    first = sim.run("run", contacts, *db)
    assert first.returncode == 0, first.stderr
    assert dict(sim.world.dial_counts) == {n: 1 for n in numbers}
    (monday,) = campaigns(sim.workdir / "campaign.db")
    assert monday.state == "finished"

    # The list ran to its end: refused (exit 2) and nobody is called; meanwhile a dry run of
    # an overlapping list says how many of its numbers were called lately, with outcomes.
    overlapping = sim.write_list("overlapping.csv", numbers + us_numbers(3, start=40))
    dry = sim.start("run", overlapping, *db, "--dry-run")
    again = sim.run("run", contacts, *db)
    dry_code, dry_out, dry_err = finish(dry)
    assert again.returncode == 2
    assert f"already ran as campaign {monday.name}" in again.stderr
    assert "5 of 5 rows reached" in again.stderr and "--again" in again.stderr
    assert dry_code == 0, dry_err
    assert "5 in the last day, 5 in the last week (last outcomes: user_hangup 5)" in dry_out
    assert "nothing was stored" in dry_out
    assert len(campaigns(sim.workdir / "campaign.db")) == 1
    assert sum(sim.world.dial_counts.values()) == 5

    # --again --min-gap 0: called again, on purpose.
    twice = sim.run("run", contacts, *db, "--again", "--min-gap", "0")
    assert twice.returncode == 0, twice.stderr
    assert dict(sim.world.dial_counts) == {n: 2 for n in numbers}

    # --again under the default 24 h gap: everyone waits; --until-idle exits 0 saying when.
    waiting = sim.run("run", contacts, *db, "--again", "--until-idle")
    assert waiting.returncode == 0, waiting.stderr
    assert sum(sim.world.dial_counts.values()) == 10
    *_, again_campaign, unfinished = campaigns(sim.workdir / "campaign.db")
    db_file = open_db(sim.workdir / "campaign.db")
    try:
        with db_file.read_session() as session:
            called_again = list(
                session.scalars(
                    select(Attempt.requested_at).where(Attempt.campaign_id == again_campaign.id)
                )
            )
            waits = Counter(
                session.scalars(
                    select(Contact.wait_reason).where(Contact.campaign_id == unfinished.id)
                )
            )
    finally:
        db_file.dispose()
    assert waits == {"recently_called": 5}
    due = local_text(min(called_again) + DAY)  # in the user's time zone, named
    assert f"every remaining contact waits; the next is due {due}" in waiting.stdout
    assert unfinished.state == "interrupted"
    assert f"python -m campaign resume {unfinished.name} --db campaign.db" in waiting.stdout

    # The same list while that campaign is unfinished: exit 2 with the resume command.
    third = sim.run("run", contacts, *db)
    assert third.returncode == 2
    assert f"this list is campaign {unfinished.name}" in third.stderr
    assert "0 of 5 final" in third.stderr
    # The printed command reaches the database the user gave.
    resume = f"`python -m campaign resume {unfinished.name} --db campaign.db`"
    assert f"resume it with {resume}" in third.stderr
    assert "--new" in third.stderr
    assert sum(sim.world.dial_counts.values()) == 10
    assert len(campaigns(sim.workdir / "campaign.db")) == 3


def test_two_campaigns_started_together_dial_each_shared_number_once(sim: Sim) -> None:
    shared = us_numbers(20)
    own_a, own_b = us_numbers(10, start=100), us_numbers(10, start=200)
    for number in shared + own_a + own_b:
        sim.world.script(number, ["user_hangup"])
    # Both lists start with the shared numbers, in opposite orders, and dial a few at a time:
    # the runners meet in the middle of the shared numbers, both trying to claim them.
    list_a = sim.write_list("monday.csv", shared + own_a)
    list_b = sim.write_list("tuesday.csv", shared[::-1] + own_b)
    options = ["--db", "campaign.db", "--window", "any", "--concurrency", "4",
               "--agent", DEFAULT_AGENT_ID]  # fmt: skip
    # The database exists already (two runners creating a new one at once is another matter).
    open_db(sim.workdir / "campaign.db").dispose()
    sim.gun.armed = True
    processes = {
        "monday.csv": sim.start("run", list_a, *options),
        "tuesday.csv": sim.start("run", list_b, *options),
    }
    waiting: dict[str, int] = {}
    try:
        sim.gun.fire_when(arrived=2)  # both processes are up: they start at the same instant
        waiting = wait_until_settled(sim.workdir / "campaign.db", expected_contacts=60)
    finally:
        # A runner left with contacts waiting for the gap (24 h) never ends by itself: stop
        # it with Ctrl-C. One whose every contact is final ends on its own.
        for source, process in processes.items():
            if waiting.get(source, 1):
                process.send_signal(signal.SIGINT)
    for source, process in processes.items():
        code, _, err = finish(process)
        assert code == (130 if waiting[source] else 0), err

    db = open_db(sim.workdir / "campaign.db")
    try:
        with db.read_session() as session:
            attempts = session.execute(
                select(Attempt.to_number, Attempt.campaign_id, Attempt.requested_at).where(
                    Attempt.state != AttemptStatus.NOT_PLACED
                )
            ).all()
            held = session.execute(
                select(Contact.to_number, Contact.wait_reason, Contact.next_attempt_at).where(
                    Contact.state == "queued"
                )
            ).all()
    finally:
        db.dispose()
    # The two runners really dialed side by side: each began before the other was done.
    spans: dict[int, tuple[datetime, datetime]] = {}
    for _, campaign_id, at in attempts:
        first, last = spans.get(campaign_id, (at, at))
        spans[campaign_id] = (min(first, at), max(last, at))
    (first_a, last_a), (first_b, last_b) = spans.values()
    assert first_a <= last_b and first_b <= last_a, spans

    # Ground truth: every number of both lists was dialed exactly once in total.
    assert dict(sim.world.dial_counts) == {n: 1 for n in shared + own_a + own_b}
    assert Counter(number for number, _, _ in attempts) == {n: 1 for n in shared + own_a + own_b}
    # Each shared number waits in the campaign that did not call it, until the gap has passed.
    called_at = {number: at for number, _, at in attempts}
    assert sorted(str(to_number) for to_number, _, _ in held) == sorted(shared)
    for to_number, reason, due in held:
        assert reason == "recently_called" and due == called_at[str(to_number)] + DAY
    split = Counter(campaign_id for number, campaign_id, _ in attempts if number in shared)
    print(f"shared numbers called by each campaign: {dict(split)}")


def test_rehearsals_never_hold_back_or_share_a_database_with_real_calls(sim: Sim) -> None:
    """The first hour's trap: rehearse a list twice, then call it for real. The rehearsals
    live in ./rehearsal.db, so the real run finds no recent call, no same-list match and no
    made-up opt-out, and dials everyone at once; mixing the two kinds is refused."""
    numbers = us_numbers(6, start=700)
    for number in numbers:
        sim.world.script(number, ["user_hangup"])
    contacts = sim.write_list("patients.csv", numbers)
    rehearse = ["run", contacts, "--simulate", "--window", "any", "--opt-out-var", "opt_out"]
    first = sim.run(*rehearse)
    assert first.returncode == 0, first.stderr
    second = sim.run(*rehearse, "--again")
    assert second.returncode == 0, second.stderr
    assert "--db rehearsal.db" in second.stdout  # the export/resume hints reach the file
    assert (sim.workdir / "rehearsal.db").is_file()
    assert not (sim.workdir / "campaign.db").exists()
    assert sum(sim.world.dial_counts.values()) == 0  # the port's simulator saw nothing

    real = sim.run("run", contacts, "--window", "any")
    assert real.returncode == 0, real.stderr
    assert "recently" not in real.stdout + real.stderr
    assert dict(sim.world.dial_counts) == {n: 1 for n in numbers}
    (campaign,) = campaigns(sim.workdir / "campaign.db")
    assert campaign.state == "finished" and not campaign.settings["simulate"]

    # Mixing is refused both ways, with the fix, before anyone is dialed.
    into_real = sim.run(*rehearse, "--again", "--db", "campaign.db")
    assert into_real.returncode == 2
    assert "campaign.db holds real campaigns" in into_real.stderr
    assert "rehearsals go to ./rehearsal.db" in into_real.stderr
    into_rehearsals = sim.run("run", contacts, "--again", "--db", "rehearsal.db")
    assert into_rehearsals.returncode == 2
    assert "rehearsal.db holds rehearsals" in into_rehearsals.stderr
    assert "--db NEW.db" in into_rehearsals.stderr
    assert len(campaigns(sim.workdir / "campaign.db")) == 1
    assert len(campaigns(sim.workdir / "rehearsal.db")) == 2
    assert dict(sim.world.dial_counts) == {n: 1 for n in numbers}
    db = open_db(sim.workdir / "campaign.db")
    try:
        with db.read_session() as session:
            assert session.scalar(select(func.count()).select_from(Suppression)) == 0
    finally:
        db.dispose()
