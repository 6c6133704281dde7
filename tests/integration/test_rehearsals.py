"""Rehearsals (`--simulate`) as a new user meets them: the README demo in a fresh folder with
their own caller numbers in the shell, stored apart from real campaigns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from campaign.cli import main
from campaign.store.db import Database, open_db
from campaign.store.models import Attempt, Campaign
from tests.outcomes_factory import ready_campaign

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_lists" / "contacts.csv"
#: The user's own numbers, not the simulator's (US ones: the sample list is American, and
#: Israeli from-numbers would make its national numbers read as Israeli).
MINE = ("+12025550100", "+12025550101")


def demo(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VOICY_", "CAMPAIGN_"))}
    return subprocess.run(
        [sys.executable, "-m", "campaign", "run", str(SAMPLE), "--simulate", *args],
        cwd=cwd,
        env={**clean, "COLUMNS": "300", **env},
        capture_output=True,
        text=True,
        timeout=90,
    )


def from_numbers_used(db_path: Path) -> set[str]:
    db = open_db(db_path)
    try:
        with db.read_session() as session:
            return set(session.scalars(select(Attempt.from_number)))
    finally:
        db.dispose()


def test_the_readme_demo_rehearses_with_the_callers_numbers_from_the_shell(
    tmp_path: Path,
) -> None:
    done = demo(tmp_path, VOICY_FROM_NUMBERS=",".join(MINE))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "finished" in done.stdout and "rehearsal" in done.stdout
    assert from_numbers_used(tmp_path / "rehearsal.db") == set(MINE)
    assert not (tmp_path / "campaign.db").exists()

    again = demo(tmp_path, "--again", "--from", "+1 (202) 555-0101")  # as people write it
    assert again.returncode == 0, again.stdout + again.stderr
    assert from_numbers_used(tmp_path / "rehearsal.db") == set(MINE)

    bad = demo(tmp_path, "--again", VOICY_FROM_NUMBERS="052-555-0100")
    assert bad.returncode == 2 and "'052-555-0100' is not in E.164 form" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_real_campaign_is_not_resumed_as_a_rehearsal(db: Database, db_path: Path) -> None:
    ready_campaign(db, "monday")
    result = CliRunner().invoke(main, ["resume", "monday", "--simulate", "--db", str(db_path)])
    assert result.exit_code == 2
    assert "campaign monday is a real campaign" in result.output
    with db.read_session() as session:
        assert session.scalar(select(Campaign.state)) == "ready"


def test_serve_simulate_refuses_a_database_of_real_campaigns(db: Database, db_path: Path) -> None:
    ready_campaign(db, "monday")
    result = CliRunner().invoke(main, ["serve", "--simulate", "--db", str(db_path), "--port", "0"])
    assert result.exit_code == 2
    assert "holds real campaigns (monday)" in result.output
    assert "rehearsals go to ./rehearsal.db" in result.output


def test_a_bare_number_as_a_delay_is_refused_with_the_fix(tmp_path: Path) -> None:
    """`--retry-delay 10` meant ten seconds: now it asks for the unit, and nothing is stored."""
    runner = CliRunner()
    db = str(tmp_path / "rehearsal.db")
    for args, words in (
        (["--retry-delay", "10"], "--retry-delay '10': '10' has no unit: did you mean 10m?"),
        (["--retry-delay", "busy=10"], "--retry-delay 'busy=10': '10' has no unit"),
        (["--min-gap", "24"], "'24' has no unit: did you mean 24m?"),
    ):
        result = runner.invoke(main, ["run", str(SAMPLE), "--simulate", "--db", db, *args])
        assert result.exit_code == 2, result.output
        assert words in " ".join(result.output.split())
    assert not Path(db).exists()
    fine = runner.invoke(
        main,
        [
            "run",
            str(SAMPLE),
            "--simulate",
            "--db",
            db,
            "--dry-run",
            "--retry-delay",
            "busy=10m",
            "--min-gap",
            "0",
        ],
    )
    assert fine.exit_code == 0, fine.output
