"""kill -9, Ctrl-C and the runner lock, with real processes against the simulator over HTTP.

The simulator runs in the test process (its ground truth is the judge); each runner is a
`python -m campaign` subprocess sharing the simulator's compressed clock through
CAMPAIGN_CLOCK, so calls of tens of seconds pass in a fraction of one.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from campaign.clock import CompressedClock
from campaign.simulator import DEFAULT_FROM_NUMBERS, PLANS, World, running_server
from tests.factories import runner_env, us_numbers, wait_for, write_contacts_csv

SCALE = 40.0
RUN_OPTIONS = ["--window", "any", "--retry-delay", "20s", "--min-gap", "0"]


@dataclass
class Setup:
    world: World
    env: dict[str, str]
    db: Path
    contacts: Path
    numbers: list[str]


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    clock = CompressedClock.anchored(SCALE, epoch=time.time())
    world = World(clock=clock, plan=PLANS["standard"], seed=11)
    numbers = us_numbers(12, start=500)
    contacts = write_contacts_csv(tmp_path / "contacts.csv", numbers)
    with running_server(world) as base_url:
        env = runner_env(base_url, clock.spec(), DEFAULT_FROM_NUMBERS[:2])
        yield Setup(world, env, tmp_path / "campaign.db", contacts, numbers)


def campaign_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "campaign", *args]


def run_cli(setup: Setup, *args: str, crash_at: str | None = None, timeout: float = 120):
    env = dict(setup.env)
    if crash_at:
        env["CAMPAIGN_CRASH_AT"] = crash_at
    return subprocess.run(
        campaign_cmd(*args, "--db", str(setup.db)),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def assert_complete_and_never_twice(setup: Setup, max_attempts: int = 3) -> None:
    states = dict(query(setup.db, "SELECT state, count(*) FROM contacts GROUP BY state"))
    assert states == {"done": len(setup.numbers)}, states
    placed = Counter(
        number
        for (number,) in query(
            setup.db, "SELECT to_number FROM attempts WHERE state IN ('placed', 'ended')"
        )
    )
    assert dict(setup.world.dial_counts) == dict(placed)
    assert max(setup.world.dial_counts.values()) <= max_attempts
    open_attempts = query(
        setup.db, "SELECT count(*) FROM attempts WHERE state IN ('intent','placed','unknown')"
    )
    assert open_attempts == [(0,)]
    assert query(setup.db, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize(
    "point",
    ["before_intent:3", "after_intent:2", "after_answer:4", "after_placed:5", "during_tracking:2"],
)
def test_kill_9_at_each_step_then_resume_completes_without_duplicate(
    setup: Setup, point: str
) -> None:
    first = run_cli(setup, "run", str(setup.contacts), *RUN_OPTIONS, crash_at=point)
    assert first.returncode == -signal.SIGKILL, first.stderr
    resumed = run_cli(setup, "resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "finished" in resumed.stdout
    assert_complete_and_never_twice(setup)


def test_kill_9_before_a_connected_calls_details_then_resume_judges_the_goal(
    setup: Setup,
) -> None:
    """Killed after connected ends were written, before their details (the goal): resume
    fetches the details, judges the goal and redials who missed it, nobody twice."""
    goal = ["--goal", "confirmed", "--retry-delay", "no_goal=20s"]
    first = run_cli(setup, "run", str(setup.contacts), *RUN_OPTIONS, *goal, crash_at="after_end:2")
    assert first.returncode == -signal.SIGKILL, first.stderr
    assert query(setup.db, "SELECT count(*) FROM contacts WHERE outcome = 'connected'")
    resumed = run_cli(setup, "resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert_complete_and_never_twice(setup)
    reached = dict(query(setup.db, "SELECT outcome, count(*) FROM contacts GROUP BY outcome"))
    assert "connected" not in reached and reached.get("goal_reached"), reached
    unjudged = query(
        setup.db,
        "SELECT count(*) FROM attempts WHERE category = 'connected' AND NOT details_fetched",
    )
    assert unjudged == [(0,)]


def test_kill_9_at_random_moments(setup: Setup) -> None:
    proc = subprocess.Popen(
        campaign_cmd("run", str(setup.contacts), *RUN_OPTIONS, "--db", str(setup.db)),
        env=setup.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(
        lambda: setup.db.exists() and query(setup.db, "SELECT count(*) FROM attempts")[0][0] > 0
    )
    running: subprocess.Popen[bytes] | None = proc
    for delay in (0.1, 1.2, 1.9):
        time.sleep(delay)
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if query(setup.db, "SELECT state FROM campaigns") == [("finished",)]:
            running = None  # it had just finished when the kill came: nothing to resume
            break
        proc = running = subprocess.Popen(
            campaign_cmd("resume", "--db", str(setup.db)),
            env=setup.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    if running is not None:
        assert running.wait(timeout=120) == 0
    assert_complete_and_never_twice(setup)


def test_ctrl_c_drains_calls_in_progress_and_exits_130(setup: Setup) -> None:
    proc = subprocess.Popen(
        campaign_cmd("run", str(setup.contacts), *RUN_OPTIONS, "--db", str(setup.db)),
        env=setup.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(
        lambda: (
            setup.db.exists()
            and query(setup.db, "SELECT count(*) FROM attempts WHERE state='placed'")[0][0] > 0
        )
    )
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "resume" in out
    # Calls in progress were tracked to their end: nothing is left open.
    assert query(
        setup.db, "SELECT count(*) FROM attempts WHERE state IN ('intent','placed','unknown')"
    ) == [(0,)]
    assert query(setup.db, "SELECT state FROM campaigns") == [("interrupted",)]
    resumed = run_cli(setup, "resume")
    assert resumed.returncode == 0, resumed.stderr
    assert_complete_and_never_twice(setup)


def test_second_runner_on_a_live_campaign_is_refused(setup: Setup) -> None:
    setup.world.script(setup.numbers[0], ["busy", "user_hangup"])  # keeps the runner alive
    proc = subprocess.Popen(
        campaign_cmd(
            "run",
            str(setup.contacts),
            *RUN_OPTIONS,
            "--retry-delay",
            "busy=1h",
            "--db",
            str(setup.db),
        ),
        env=setup.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: (
                setup.db.exists()
                and query(setup.db, "SELECT lock_pid FROM campaigns") == [(proc.pid,)]
            )
        )
        second = run_cli(setup, "resume")
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"pid {proc.pid}" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


def test_stale_lock_of_a_dead_process_is_taken_over(setup: Setup) -> None:
    first = run_cli(setup, "run", str(setup.contacts), *RUN_OPTIONS, crash_at="after_placed:3")
    assert first.returncode == -signal.SIGKILL
    # The dead runner's lock is still in the row, with a fresh-looking heartbeat.
    assert query(setup.db, "SELECT lock_owner IS NOT NULL FROM campaigns") == [(1,)]
    resumed = run_cli(setup, "resume")
    assert resumed.returncode == 0, resumed.stderr
    assert_complete_and_never_twice(setup)
