"""The calendar options through the CLI, in real processes: validate and the dry run say the
calendar each country gets and warn before calls go out; bad options say the fix; a rehearsal
starts at a chosen instant (`--sim-start`) and waits for Israel's Sunday."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.localtime import local_text

ROOT = Path(__file__).resolve().parents[2]
ISRAELI_LIST = "name,phone\nDana,+972527654321\nAvi,+972547654321\nBob,+12025550123\n"


def campaign(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("CAMPAIGN_CLOCK", None)
    env.pop("VOICY_FROM_NUMBERS", None)
    return subprocess.run(
        [sys.executable, "-m", "campaign", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.csv"
    path.write_text(ISRAELI_LIST, encoding="utf-8")
    return path


def test_validate_names_each_countrys_calendar(tmp_path: Path, contacts: Path) -> None:
    closed = tmp_path / "closed.txt"
    closed.write_text("# the clinic\n2031-12-24, staff day\n2031-12-31\n", encoding="utf-8")
    done = campaign(tmp_path, "validate", str(contacts), "--closed", str(closed))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Calling calendar, in each recipient's local time:" in out
    assert (
        "IL (2 contacts): sun-thu 09:00-20:00, fri 09:00-13:00 (Israel's default); "
        "no calls on Israel public holidays (next: "
    ) in out
    assert "; holiday eves 09:00-13:00" in out
    assert (
        "US (1 contact): 08:00-21:00 every day (the default); "
        "no calls on United States public holidays"
    ) in out
    assert "Other countries: 08:00-21:00 every day" in out
    assert "Closed dates (--closed): 2031-12-24 staff day, 2031-12-31" in out
    assert "Time zones: 2 (Asia/Jerusalem, America/New_York)" in out
    assert "Warning" not in out


def test_dry_run_warns_of_an_overnight_window_and_an_ambiguous_weekdays(
    tmp_path: Path, contacts: Path
) -> None:
    done = campaign(
        tmp_path, "run", str(contacts), "--dry-run", "--simulate",
        "--window", "20:00-08:00", "--days", "weekdays",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "IL (2 contacts): mon-fri 20:00-08:00 (--window)" in out
    assert (
        "Warning: --window 20:00-08:00: calls go out overnight, from 20:00 until 08:00 the next "
        "morning in each recipient's time. If you meant daytime, use --window 08:00-20:00"
    ) in out
    assert "Warning: --days: 'weekdays' means mon-fri, but the working week in Israel is " in out
    assert "Dry run: nothing was stored and nobody was called." in out
    assert not (tmp_path / "campaign.db").exists()


@pytest.mark.parametrize(
    ("args", "fix"),
    [
        (["--window", "sun-thu 9-20, fri"], "fri has no hours: write e.g. fri 09:00-13:00"),
        (["--days", "funday"], "'funday' is not a day"),
        (["--closed", "closed.txt"], "line 2: '24/12/2031' is not a date: write YYYY-MM-DD"),
        (["--closed", "missing.txt"], "cannot read it"),
    ],
)
def test_bad_calendar_options_are_one_line_errors_with_the_fix(  # in process: 8 commands
    tmp_path: Path, contacts: Path, args: list[str], fix: str
) -> None:
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path) as here:
        Path(here, "closed.txt").write_text("2031-12-24\n24/12/2031\n", encoding="utf-8")
        for command in (["validate", str(contacts)], ["run", str(contacts), "--simulate"]):
            done = runner.invoke(main, [*command, *args], env={"VOICY_FROM_NUMBERS": ""})
            assert done.exit_code == 2, done.output
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
            assert fix in lines[0]
            assert "rows read" not in done.stdout  # refused before the list is read
        assert not Path(here, "campaign.db").exists()


@pytest.mark.slow
def test_rehearse_a_friday_afternoon_start(tmp_path: Path) -> None:
    israeli = tmp_path / "il.csv"
    israeli.write_text("name,phone\nDana,+972527654321\n", encoding="utf-8")
    done = campaign(
        tmp_path, "run", str(israeli), "--simulate", "--sim-start", "2026-09-18T13:05+03:00",
        "--until-idle", "--name", "friday",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Times read in the user's zone (this machine's), named.
    start = local_text(datetime.fromisoformat("2026-09-18T13:05+03:00"))
    assert f"Simulated clock starts at {start}" in done.stdout
    # Friday after 13:00, then Shabbat: the next opening is Sunday 09:00 IDT.
    due = local_text(datetime.fromisoformat("2026-09-20T06:00+00:00"))
    assert f"the next is due {due}" in " ".join(done.stdout.split())
    again = campaign(
        tmp_path, "run", str(israeli), "--simulate", "--new",
        "--sim-start", "2026-09-18T12:00+03:00",
    )  # fmt: skip
    assert again.returncode == 2
    assert "simulated time cannot go back" in again.stderr and "fresh --db" in again.stderr
    real = CliRunner().invoke(
        main, ["run", str(israeli), "--from", "+15550100", "--sim-start", "2026-09-18T12:00"]
    )
    assert real.exit_code == 2 and "add --simulate" in real.stderr
