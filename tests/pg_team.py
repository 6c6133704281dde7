"""Several runner processes on one PostgreSQL campaign, judged by the simulator's ground truth.

The simulator runs in the test process over real HTTP; each runner is a `python -m campaign`
subprocess sharing the simulator's compressed clock through CAMPAIGN_CLOCK. Leases are in
real seconds (`CAMPAIGN_LEASE`), since they are about processes, not calls.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from campaign.campaigns.create import create_campaign
from campaign.clock import CompressedClock
from campaign.engine.settings import RunSettings
from campaign.simulator import DEFAULT_FROM_NUMBERS, PLANS, TEST_API_KEY, World, running_server
from campaign.store.db import Database, open_db
from tests.factories import fake_contacts, us_numbers

#: Virtual seconds per real second: a Standard campaign of 300 contacts takes ~20 s.
SCALE = 60.0
#: Real seconds a runner lives without a heartbeat, in these tests.
LEASE_SECONDS = 3.0
CAMPAIGN = "team"


@dataclass
class Team:
    world: World
    env: dict[str, str]
    url: str
    db: Database
    numbers: list[str]
    logs: Path
    procs: list[subprocess.Popen[bytes]]

    def query(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.db.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]

    def scalar(self, sql: str, **params: Any) -> Any:
        return self.query(sql, **params)[0][0]

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """`python -m campaign ARGS --db URL` in the background, output to a log file."""
        index = len(self.procs)
        log = (self.logs / f"runner-{index}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "campaign", *args, "--db", self.url],
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Any:
        return subprocess.run(
            [sys.executable, "-m", "campaign", *args, "--db", self.url],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def log(self, index: int) -> str:
        return (self.logs / f"runner-{index}.log").read_text(errors="replace")

    def wait_all(self, timeout: float = 120) -> list[int]:
        deadline = time.monotonic() + timeout
        codes = []
        for proc in self.procs:
            codes.append(proc.wait(timeout=max(0.1, deadline - time.monotonic())))
        return codes


@contextmanager
def team(
    pg_url: str,
    tmp_path: Path,
    *,
    contacts: int,
    plan: str = "standard",
    scale: float = SCALE,
    create: bool = True,
    seed: int = 5,
    call_seconds: tuple[float, float] = (5, 20),
    lease: float = LEASE_SECONDS,
    **settings: Any,
) -> Iterator[Team]:
    """A simulator on a port, a database with campaign `team` of `contacts` numbers.

    Calls are short (5–20 s of talk) so a campaign is bound by the plan, not by waiting;
    `settings` override the campaign's RunSettings.
    """
    clock = CompressedClock.anchored(scale, epoch=time.time())
    world = World(
        clock=clock, plan=PLANS[plan], seed=seed, call_seconds=call_seconds, ring_seconds=(1, 4)
    )
    db = open_db(pg_url)
    numbers = us_numbers(contacts, start=700)
    if create:
        limits = PLANS[plan]
        run_settings = RunSettings(
            **{
                "from_numbers": tuple(DEFAULT_FROM_NUMBERS[:2]),
                "window": "any",
                "min_gap": 0,
                "retry_delays": {"busy": 20.0, "no_answer": 20.0, "error": 20.0},
                "concurrency": limits.concurrent_calls,
                "rate": limits.requests_per_minute,
                **settings,
            }
        )
        contacts_list = fake_contacts(numbers)
        create_campaign(
            db,
            contacts_list,
            run_settings,
            now=clock.now(),
            name=CAMPAIGN,  # type: ignore[arg-type]
        )
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with running_server(world) as base_url:
            env = {
                **os.environ,
                "VOICY_API_KEY": TEST_API_KEY,
                "VOICY_BASE_URL": base_url,
                "VOICY_FROM_NUMBERS": ",".join(DEFAULT_FROM_NUMBERS[:2]),
                "CAMPAIGN_CLOCK": clock.spec(),
                "CAMPAIGN_LEASE": f"{lease:g}s",
                "PYTHONUNBUFFERED": "1",
            }
            env.pop("CAMPAIGN_CRASH_AT", None)
            env.pop("CAMPAIGN_DB", None)
            yield Team(world, env, pg_url, db, numbers, tmp_path, procs)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        db.dispose()


def assert_complete_and_never_twice(setup: Team, max_attempts: int = 3) -> None:
    """Every contact final; each number dialed exactly as often as the store recorded."""
    states = dict(setup.query("SELECT state, count(*) FROM contacts GROUP BY state"))
    assert states == {"done": len(setup.numbers)}, states
    placed = Counter(
        number
        for (number,) in setup.query(
            "SELECT to_number FROM attempts WHERE state IN ('placed', 'ended')"
        )
    )
    world = setup.world
    dialed = dict(world.dial_counts)
    differ = {
        n: (dialed.get(n, 0), placed.get(n, 0))
        for n in set(dialed) | set(placed)
        if dialed.get(n, 0) != placed.get(n, 0)
    }
    assert not differ, _explain(setup, differ)
    assert max(world.dial_counts.values()) <= max_attempts
    recorded = {c for (c,) in setup.query("SELECT call_id FROM attempts WHERE call_id IS NOT NULL")}
    assert recorded == {call.call_id for call in world.calls}
    open_attempts = setup.scalar(
        "SELECT count(*) FROM attempts WHERE state IN ('intent', 'placed', 'unknown')"
    )
    assert open_attempts == 0
    assert setup.scalar("SELECT count(*) FROM contacts WHERE outcome IS NULL") == 0


def _explain(setup: Team, differ: dict[str, tuple[int, int]]) -> str:
    """Numbers whose dials (simulator, store) differ, with their attempts and calls."""
    lines = [f"(dialed, recorded) differ for {differ}"]
    for number in differ:
        lines += [
            f"  attempt {row}"
            for row in setup.query(
                "SELECT id, number, state, runner, call_id, error, requested_at "
                "FROM attempts WHERE to_number = :n ORDER BY id",
                n=number,
            )
        ]
        lines += [
            f"  call {call.call_id} {call.from_number} {call.start_ms} {call.outcome.status}"
            for call in setup.world.calls
            if call.to_number == number
        ]
    return "\n".join(lines)


def assert_within_plan(setup: Team) -> None:
    world, plan = setup.world, setup.world.plan
    assert world.max_requests_in_any_window <= plan.requests_per_minute, world.requests_per_window
    assert world.max_concurrent <= plan.concurrent_calls
    assert world.served_429 == 0 and world.served_concurrency_429 == 0


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0, every: float = 0.05) -> float:
    """Real seconds until `predicate()` held (AssertionError after `timeout`)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(every)
    raise AssertionError("condition not reached in time")
