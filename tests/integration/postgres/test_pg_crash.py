"""kill -9 and Ctrl-C with real runner processes, on PostgreSQL (tests/integration/
test_engine_crash.py does the same on SQLite).

On PostgreSQL a dead runner's registration lingers until its lease runs out (3 s here): the
resumed runner dials the rest meanwhile, then takes over the dead one's open attempts,
reconciling its unanswered intents first.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_team import Team, assert_complete_and_never_twice, team, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

RUN_OPTIONS = ["--window", "any", "--retry-delay", "20s", "--min-gap", "0"]
CONTACTS = 12


@pytest.fixture
def setup(pg_url: str, tmp_path: Path) -> Iterator[Team]:
    with team(pg_url, tmp_path, contacts=CONTACTS, scale=40.0, create=False) as made:
        contacts = tmp_path / "contacts.csv"
        contacts.write_text(
            "first_name,phone\n" + "".join(f"P{i},{n}\n" for i, n in enumerate(made.numbers))
        )
        yield made


def contacts_file(setup: Team) -> str:
    return str(setup.logs / "contacts.csv")


@pytest.mark.parametrize(
    "point",
    ["before_intent:3", "after_intent:2", "after_answer:4", "after_placed:5", "during_tracking:2"],
)
def test_kill_9_at_each_step_then_resume_completes_without_duplicate(
    setup: Team, point: str
) -> None:
    first = setup.run("run", contacts_file(setup), *RUN_OPTIONS, env={"CAMPAIGN_CRASH_AT": point})
    assert first.returncode == -signal.SIGKILL, first.stderr
    # The dead runner is still registered: its lease has not run out yet.
    assert setup.scalar("SELECT count(*) FROM runners") == 1
    resumed = setup.run("resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "finished" in resumed.stdout
    assert_complete_and_never_twice(setup)
    assert setup.scalar("SELECT count(*) FROM runners") == 0


def test_kill_9_at_random_moments(setup: Team) -> None:
    proc = setup.start("run", contacts_file(setup), *RUN_OPTIONS)
    wait_for(lambda: setup.scalar("SELECT count(*) FROM attempts") > 0)
    for delay in (0.1, 1.2, 1.9):
        time.sleep(delay)
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc = setup.start("resume")
    assert proc.wait(timeout=120) == 0
    assert_complete_and_never_twice(setup)


def test_ctrl_c_drains_calls_in_progress_and_exits_130(setup: Team) -> None:
    proc = subprocess.Popen(
        [*_campaign(setup), "run", contacts_file(setup), *RUN_OPTIONS, "--db", setup.url],
        env=setup.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: setup.scalar("SELECT count(*) FROM attempts WHERE state='placed'") > 0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "resume" in out
    open_attempts = "SELECT count(*) FROM attempts WHERE state IN ('intent','placed','unknown')"
    assert setup.scalar(open_attempts) == 0
    assert setup.query("SELECT state FROM campaigns") == [("interrupted",)]
    assert setup.scalar("SELECT count(*) FROM runners") == 0  # it left cleanly
    resumed = setup.run("resume")
    assert resumed.returncode == 0, resumed.stderr
    assert_complete_and_never_twice(setup)


def _campaign(setup: Team) -> list[str]:
    import sys

    return [sys.executable, "-m", "campaign"]
