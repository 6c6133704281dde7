"""The runner uses what the webhooks deliver: ends and details from the inbox (no call-get),
lines freed at once, unknown dials resolved, polling only as the safety net; lost, repeated,
reordered and forged deliveries change nothing; a runner killed with -9 while deliveries
arrive finds them in the inbox on `resume`.

The simulator's sender posts over real HTTP to a real receiver writing the same SQLite file.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from sqlalchemy import func, select

from campaign.calls.vocab import EndSource
from campaign.campaigns.connect import Connection
from campaign.campaigns.create import create_campaign
from campaign.campaigns.runs import build_runner
from campaign.clock import CompressedClock
from campaign.engine.settings import RunSettings
from campaign.outcomes.status import campaign_status
from campaign.outcomes.status_view import sources_text
from campaign.receiver import SECRET_ENV, listening, serve_webhooks
from campaign.receiver.listen import SIMULATE_FAULTS_ENV
from campaign.simulator import (
    DEFAULT_FROM_NUMBERS,
    PLANS,
    TEST_API_KEY,
    Faults,
    World,
    in_process_transport,
    running_server,
)
from campaign.simulator.webhooks import FORGED_MARKER, WebhookFaults, WebhookSender
from campaign.store.db import Database, open_db
from campaign.store.models import Attempt, Contact, Event, WebhookDelivery
from campaign.voicy.client import VoicyClient
from tests.factories import fake_contacts, runner_env, us_numbers, write_contacts_csv
from tests.ground_truth import assert_never_twice

SECRET = "whsec_consumption_test_7c1d0a9e55"
pytestmark = pytest.mark.anyio


async def _rehearse(
    db: Database, world: World, settings: RunSettings, numbers: list[str], clock: CompressedClock
) -> int:
    rows = fake_contacts(numbers)
    campaign = create_campaign(db, rows, settings, now=clock.now())  # type: ignore[arg-type]
    client = VoicyClient(
        TEST_API_KEY,
        "http://voicy.sim/functions/v1",
        transport=in_process_transport(world),
        clock=clock,
    )
    woken: list[Callable[..., None]] = []

    def wake(*args: object) -> None:
        for hook in woken:
            hook(*args)

    async with (
        client,
        listening(
            db,
            "127.0.0.1:0",
            clock=clock,
            world=world,
            on_delivery=wake,
        ),
    ):
        runner = build_runner(db, campaign.id, settings, Connection(client, clock, world))
        woken.append(runner.delivery_arrived)
        result = await runner.run()
    assert result.state == "finished", result.message
    return campaign.id


async def test_lost_repeated_and_forged_deliveries_change_no_outcome_and_save_call_gets(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SIMULATE_FAULTS_ENV, "lost=0.2,repeated=0.1,forged=0.1,reorder=3")
    monkeypatch.delenv(SECRET_ENV, raising=False)
    clock = CompressedClock(100.0)
    world = World(clock=clock, plan=PLANS["standard"], seed=5)
    settings = RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]),
        window="any",
        min_gap=0,
        retry_delays={"busy": 30.0, "no_answer": 30.0, "error": 30.0},
    )
    campaign_id = await _rehearse(db, world, settings, us_numbers(30, start=300), clock)

    assert_never_twice(db, campaign_id, world, max_attempts=3)
    connected = [c for c in world.calls if c.connected]
    with db.read_session() as session:
        states = Counter(session.scalars(select(Contact.state)))
        sources = Counter(session.scalars(select(Attempt.ended_by)))
        summaries = dict(
            session.execute(
                select(Attempt.call_id, Attempt.summary).where(Attempt.category == "connected")
            ).all()
        )
        pending = set(
            session.scalars(
                select(WebhookDelivery.call_id).where(WebhookDelivery.consumed_at.is_(None))
            )
        )
        consumed = session.scalar(
            select(func.count()).where(WebhookDelivery.consumed_at.is_not(None))
        )
    assert states == {"done": 30}
    # Every connected call has its summary (from a delivery, or a call-get when it was lost)
    # and nothing forged reached the store.
    assert set(summaries) == {c.call_id for c in connected}
    assert all(s and FORGED_MARKER not in s for s in summaries.values())
    # Scans usually see an end before its delivery (post-call processing takes seconds);
    # calls that never connected get no delivery at all: those are the scans' to find.
    assert sources["polled"] > 0 and set(sources) <= {"polled", "webhook", "fetched"}
    # The call-gets were for the connected calls whose delivery never came (or came late).
    gets = world.requests_by_endpoint["call-get"]
    assert gets < len(connected)
    # Every delivery was used, but one that came after its call's details were fetched
    # (lost-looking, then late or reordered) as the run was ending: it has nothing the store
    # lacks (the run ends the moment its last details are in, not when the sender is done).
    assert consumed > len(pending)
    assert all(summaries.get(call_id) for call_id in pending), pending
    # status (and --json, and the page) say where the results came from.
    status = campaign_status(db)
    assert status.results_by_source == {source.value: sources[source.value] for source in EndSource}
    assert sum(status.results_by_source.values()) == len(world.calls)
    assert "polled (call-list)" in sources_text(status.results_by_source)
    assert status.to_json()["results_by_source"] == status.results_by_source


async def test_a_delivery_resolves_a_dial_whose_outcome_was_unknown(db: Database) -> None:
    clock = CompressedClock(100.0)
    # Every dial places its call and answers 502; scans wait an hour: only deliveries tell.
    world = World(clock=clock, plan=PLANS["standard"], seed=3, faults=Faults(p_ambiguous=1.0))
    settings = RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS[:1]),
        window="any",
        min_gap=0,
        max_attempts=1,
        poll_interval=3600.0,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SIMULATE_FAULTS_ENV, "scope=all")
        patch.delenv(SECRET_ENV, raising=False)
        campaign_id = await _rehearse(db, world, settings, us_numbers(3, start=900), clock)
    assert world.faults_served["ambiguous"] == 3
    # No scan: the deliveries told. A 502 makes the API suspect, so a one-row call-list probe
    # may follow each failed dial (engine/api_health.py); none of them is a scan.
    assert world.requests_by_endpoint["call-list"] <= world.faults_served["ambiguous"]
    assert_never_twice(db, campaign_id, world, max_attempts=1)
    with db.read_session() as session:
        attempts = list(session.scalars(select(Attempt)))
        linked = session.scalar(select(func.count()).where(Event.kind == "reconciled"))
    assert {a.ended_by for a in attempts} == {"webhook"}
    assert {a.call_id for a in attempts} == {c.call_id for c in world.calls}
    assert linked == 3


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(sql).fetchall()


def _count(db: Path, sql: str) -> int:
    return int(_query(db, sql)[0][0])  # type: ignore[call-overload]


async def _until(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except sqlite3.OperationalError:
            pass
        await anyio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def test_kill_9_while_deliveries_arrive_then_resume_uses_the_inbox(tmp_path: Path) -> None:
    scale = 40.0
    clock = CompressedClock.anchored(scale, epoch=time.time())
    world = World(clock=clock, plan=PLANS["standard"], seed=11, call_seconds=(30.0, 60.0))
    numbers = us_numbers(12, start=600)
    contacts = write_contacts_csv(tmp_path / "contacts.csv", numbers)
    db_path = tmp_path / "campaign.db"
    db = open_db(db_path)  # the receiver's handle on the file the runner writes
    with running_server(world) as base_url:
        env = runner_env(base_url, clock.spec(), DEFAULT_FROM_NUMBERS[:2])
        command = [sys.executable, "-m", "campaign"]
        options = ["--window", "any", "--retry-delay", "20s", "--min-gap", "0", "--db"]
        async with anyio.create_task_group() as tg:
            address = await tg.start(serve_webhooks, db, SECRET, "127.0.0.1", 0, clock)
            sender = WebhookSender(world, address.url, SECRET, faults=WebhookFaults(scope="all"))
            tg.start_soon(sender.run)
            process = await anyio.open_process(
                [*command, "run", str(contacts), *options, str(db_path)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            await _until(
                lambda: (
                    db_path.exists()
                    and _count(db_path, "SELECT count(*) FROM attempts WHERE state='placed'") >= 5
                )
            )
            process.kill()  # SIGKILL, while calls are in progress
            await process.wait()
            open_calls = {
                str(r[0])
                for r in _query(
                    db_path, "SELECT call_id FROM attempts WHERE state='placed' AND call_id"
                )
            }
            assert open_calls
            # While no runner is up, the calls end and their deliveries land in the inbox.
            await _until(
                lambda: (
                    open_calls
                    <= {str(r[0]) for r in _query(db_path, "SELECT call_id FROM webhook_inbox")}
                )
            )
            resumed = await anyio.run_process(
                [*command, "resume", "--db", str(db_path)], env=env, check=False
            )
            tg.cancel_scope.cancel()
    db.dispose()
    assert resumed.returncode == 0, resumed.stdout.decode() + resumed.stderr.decode()
    ended_by = dict(
        (str(c), str(s))
        for c, s in _query(db_path, "SELECT call_id, ended_by FROM attempts WHERE call_id")
    )
    assert {ended_by[c] for c in open_calls} == {"webhook"}  # resume used the inbox first
    assert _query(db_path, "SELECT count(*) FROM contacts WHERE state != 'done'") == [(0,)]
    placed = Counter(
        str(n) for (n,) in _query(db_path, "SELECT to_number FROM attempts WHERE state='ended'")
    )
    assert dict(world.dial_counts) == dict(placed)  # no duplicate, nothing lost
    assert _query(
        db_path,
        "SELECT count(*) FROM attempts WHERE category='connected' AND summary IS NULL",
    ) == [(0,)]
