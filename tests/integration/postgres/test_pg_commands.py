"""Every command on a PostgreSQL URL: run, resume, status, list, export, report, pause."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.pg_team import (
    CAMPAIGN,
    assert_complete_and_never_twice,
    assert_within_plan,
    team,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_run_then_read_commands_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    with team(pg_url, tmp_path, contacts=12, scale=40.0, create=False) as setup:
        contacts = tmp_path / "contacts.csv"
        contacts.write_text(
            "first_name,phone\n" + "".join(f"P{i},{n}\n" for i, n in enumerate(setup.numbers))
        )
        ran = setup.run(
            "run",
            str(contacts),
            "--name",
            "pg",
            "--window",
            "any",
            "--min-gap",
            "0",
            "--retry-delay",
            "20s",
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert "finished" in ran.stdout
        assert_complete_and_never_twice(setup)

        listed = setup.run("list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [(c["name"], c["state"], c["contacts"]) for c in json.loads(listed.stdout)] == [
            ("pg", "finished", 12)
        ]
        status = setup.run("status", "pg", "--json")
        assert status.returncode == 0, status.stderr
        snapshot = json.loads(status.stdout)
        assert snapshot["state"] == "finished" and sum(snapshot["outcomes"].values()) == 12
        assert snapshot["runners"] == []
        assert setup.run("status", "pg").returncode == 0

        out = tmp_path / "results.csv"
        exported = setup.run("export", "pg", "-o", str(out))
        assert exported.returncode == 0, exported.stderr
        frame = pd.read_csv(out)
        assert len(frame) == 12
        report = setup.run("report", "pg")
        assert report.returncode == 0, report.stderr
        assert "pg" in report.stdout
        again = setup.run("resume", "pg")
        assert again.returncode == 2 and "finished" in again.stderr


def test_status_lists_live_runners_and_pause_stops_them_all(pg_url: str, tmp_path: Path) -> None:
    with team(pg_url, tmp_path, contacts=300, seed=2) as setup:
        for _ in range(3):
            setup.start("resume", CAMPAIGN)
        wait_for(lambda: setup.scalar("SELECT count(*) FROM runners") == 3, timeout=60)
        wait_for(lambda: setup.scalar("SELECT count(*) FROM contacts WHERE state='done'") > 10)
        status = setup.run("status", CAMPAIGN, "--json")
        assert status.returncode == 0, status.stderr
        snapshot = json.loads(status.stdout)
        assert snapshot["state"] == "running"
        runners = snapshot["runners"]
        assert sorted(r["pid"] for r in runners) == sorted(p.pid for p in setup.procs)
        assert all(r["host"] and r["heartbeat_at"] for r in runners)
        assert "held" in runners[0]
        text = setup.run("status", CAMPAIGN)
        assert text.returncode == 0 and "Runners" in text.stdout, text.stdout

        paused = setup.run("pause", CAMPAIGN)
        assert paused.returncode == 0, paused.stderr
        assert "requested" in paused.stdout and "2 more" in paused.stdout, paused.stdout
        started = time.monotonic()
        assert setup.wait_all(timeout=60) == [0, 0, 0]
        print(f"\npause: 3 runners stopped {time.monotonic() - started:.1f} s after the request")
        assert setup.query("SELECT state FROM campaigns") == [("paused",)]
        open_attempts = "SELECT count(*) FROM attempts WHERE state IN ('intent','placed','unknown')"
        assert setup.scalar(open_attempts) == 0
        assert setup.scalar("SELECT count(*) FROM runners") == 0
        assert setup.scalar("SELECT count(*) FROM contacts WHERE state = 'queued'") > 0
        # Nothing dialed twice or lost: each number dialed as often as recorded.
        placed = dict(
            setup.query(
                "SELECT to_number, count(*) FROM attempts WHERE state IN ('placed', 'ended') "
                "GROUP BY to_number"
            )
        )
        assert dict(setup.world.dial_counts) == placed
        assert_within_plan(setup)
