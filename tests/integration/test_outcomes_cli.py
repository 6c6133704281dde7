"""`status`, `list`, `export` and `report` on real SQLite files, including one being written
by a runner in another process, and one whose runner was killed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import campaign.api as api
from campaign.cli import main
from campaign.store.db import Database
from tests.outcomes_factory import (
    FORMULA_SUMMARY,
    StoredCampaign,
    finished_campaign,
    ready_campaign,
)

ROOT = Path(__file__).resolve().parents[2]

# A stand-in runner: takes the lock, heart-beats, and records one call per contact in short
# transactions (intent -> placed -> ended), as the engine does.
WRITER = r"""
import os, socket, sys, time
from datetime import UTC, datetime
from sqlalchemy import select
from campaign.store.db import open_db
from campaign.store.models import Attempt, Campaign, Contact

db = open_db(sys.argv[1])
name = sys.argv[2]
now = lambda: datetime.now(UTC)
with db.session() as s:
    c = s.scalars(select(Campaign).where(Campaign.name == name)).one()
    c.state, c.started_at = "running", now()
    c.lock_owner, c.lock_pid, c.lock_host = f"{os.getpid()}@test", os.getpid(), socket.gethostname()
    c.lock_acquired_at = c.lock_heartbeat_at = now()
    campaign_id = c.id
    ids = list(s.scalars(select(Contact.id).where(Contact.campaign_id == campaign_id)
                         .order_by(Contact.position)))
print("ready", flush=True)
for contact_id in ids:
    with db.session() as s:
        attempt = Attempt(campaign_id=campaign_id, contact_id=contact_id, number=1,
                          state="intent", from_number="+15550000001", to_number="+1555",
                          requested_at=now())
        s.add(attempt)
        s.get(Contact, contact_id).state = "active"
        s.flush()
        attempt_id = attempt.id
    with db.session() as s:
        a = s.get(Attempt, attempt_id)
        a.state, a.call_id, a.voicy_status = "placed", f"call-{attempt_id}", "initiated"
        c = s.get(Campaign, campaign_id)
        c.requests_used += 1
        c.lock_heartbeat_at = now()
    time.sleep(0.004)
    with db.session() as s:
        a = s.get(Attempt, attempt_id)
        a.state, a.voicy_status, a.category = "ended", "user_hangup", "connected"
        a.started_at, a.ended_at, a.duration_ms = now(), now(), 30000
        a.summary = "=SUM(A1:A9) said the caller"
        contact = s.get(Contact, contact_id)
        contact.state, contact.outcome, contact.attempts = "done", "connected", 1
        contact.last_status, contact.last_call_id = "user_hangup", a.call_id
        contact.final_at = now()
    time.sleep(0.004)
while True:  # stay a live runner until killed
    with db.session() as s:
        s.get(Campaign, campaign_id).lock_heartbeat_at = now()
    time.sleep(0.05)
"""


@pytest.fixture
def finished(db: Database) -> StoredCampaign:
    return finished_campaign(db)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_status_list_and_json(db_path: Path, finished: StoredCampaign) -> None:
    code, out = _cli("status", "--db", str(db_path))
    assert code == 0, out
    assert "finished" in out and "connected" in out and "To resume" not in out
    code, out = _cli("status", finished.name, "--db", str(db_path), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["state"] == "finished" and data["outcomes"]["invalid"] == 1
    code, out = _cli("list", "--db", str(db_path))
    assert code == 0 and "spring-recall" in out and "finished" in out
    code, out = _cli("list", "--db", str(db_path), "--json")
    assert json.loads(out)[0]["contacts"] == 8


def test_export_csv_xlsx_only_and_attempts(
    db_path: Path, finished: StoredCampaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.chdir(out_dir)
    code, out = _cli("export", "--db", str(db_path))
    assert code == 0, out
    assert "Wrote 8 rows of spring-recall to spring-recall-results.csv" in out
    code, out = _cli(
        "export",
        "-o",
        "again.xlsx",
        "--only",
        "failed",
        "--only",
        "duplicate",
        "--db",
        str(db_path),
    )
    assert code == 0, out
    sheet = load_workbook(out_dir / "again.xlsx")["Results"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Carol",
        "Alice again",
    ]
    assert sheet["M3"].value == FORMULA_SUMMARY and sheet["M3"].data_type == "s"
    code, out = _cli("export", "--attempts", "-o", "-", "--db", str(db_path))
    assert code == 0
    assert len([line for line in out.splitlines() if line.startswith(("Alice", "Carol"))]) == 4
    assert out.splitlines()[0].startswith("Name,Phone,City,Notes,line,attempt,outcome")


def test_export_paths_never_print_a_traceback(
    db_path: Path, finished: StoredCampaign, tmp_path: Path
) -> None:
    """Calls without a transcript (failed ones) export; a bad target is one line, exit 2."""

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "campaign", *args, "--db", str(db_path)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )

    calls = cli("export", "--attempts", "-o", "calls.csv")
    assert calls.returncode == 0, calls.stderr
    exported = pd.read_csv(tmp_path / "calls.csv", dtype=str, keep_default_na=False)
    failed = exported[exported["call_status"].isin(["busy", "no_answer"])]
    assert len(failed) == 4 and (failed["transcript"] == "").all()
    assert exported["transcript"].str.contains("caller: Yes, Tuesday is fine.").any()
    assert cli("export", "--attempts", "-o", "calls.xlsx").returncode == 0
    (tmp_path / "folder.xlsx").mkdir()
    (tmp_path / "folder.html").mkdir()
    for args, words in (
        (["export", "-o", "folder.xlsx"], "it is a folder"),
        (["export", "--attempts", "-o", "missing/calls.csv"], "does not exist; create it"),
        (["report", "--html", "folder.html"], "it is a folder"),
    ):
        failed = cli(*args)
        assert failed.returncode == 2, failed.stderr
        assert "Traceback" not in failed.stderr and len(failed.stderr.splitlines()) == 1
        assert words in failed.stderr


def test_list_at_80_columns_keeps_every_header_whole(
    db: Database, db_path: Path, finished: StoredCampaign
) -> None:
    ready_campaign(db, "contacts-20261201-214726")  # a default name: list, date, time
    listed = subprocess.run(
        [sys.executable, "-m", "campaign", "list", "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == [
        "campaign",
        "state",
        "rows",
        "connected",
        "failed",
        "pending",
        "other",
    ], listed.stdout
    assert "…" not in listed.stdout and max(map(len, listed.stdout.splitlines())) <= 80
    assert rows[0].split()[0] == "contacts-20261201-214726"
    wide = subprocess.run(
        [sys.executable, "-m", "campaign", "list", "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert wide.stdout.split()[:3] == ["campaign", "state", "created"]


def test_report_html_has_a_default_file_name(
    db_path: Path, finished: StoredCampaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = _cli("report", "--db", str(db_path), "--html")
    assert code == 0, out
    assert "to spring-recall-report.html" in out
    assert (tmp_path / "spring-recall-report.html").read_text(encoding="utf-8").count("<svg") == 5
    code, out = _cli("report", "--html", "spring-recall", "--db", str(db_path))
    assert code == 2 and "put it first: report spring-recall --html" in out


def test_report_terminal_and_html(db_path: Path, finished: StoredCampaign, tmp_path: Path) -> None:
    code, out = _cli("report", "--db", str(db_path))
    assert code == 0, out
    assert "dialed people connected" in out
    target = tmp_path / "report.html"
    code, out = _cli("report", finished.name, "--html", str(target), "--db", str(db_path))
    assert code == 0, out
    page = target.read_text(encoding="utf-8")
    assert page.count("<svg") == 5 and "<script" not in page


def test_errors_are_one_line_with_exit_code_2(
    db_path: Path, finished: StoredCampaign, tmp_path: Path
) -> None:
    code, out = _cli("status", "--db", str(tmp_path / "nope.db"))
    assert code == 2 and "no campaign database at" in out
    assert not (tmp_path / "nope.db").exists()  # reading never creates a database
    code, out = _cli("status", "autumn", "--db", str(db_path))
    assert code == 2 and "no campaign named 'autumn'" in out
    code, out = _cli("export", "--only", "answered", "--db", str(db_path))
    assert code == 2 and "--only answered" in out
    code, out = _cli("export", "-o", "x.pdf", "--db", str(db_path))
    assert code == 2 and ".csv or .xlsx" in out


def test_database_from_the_environment(
    db_path: Path, finished: StoredCampaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPAIGN_DB", str(db_path))
    code, out = _cli("status", "--json")
    assert code == 0 and json.loads(out)["name"] == "spring-recall"


@pytest.mark.slow
def test_status_and_export_while_another_process_runs_then_crashes(
    db: Database, db_path: Path
) -> None:
    contacts = 150
    ready_campaign(db, "live", contacts=contacts)
    api.results(db, "live")  # warm: a first read loads the phone-zone data, not our subject
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), "live"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        seen: list[int] = []
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            status = api.status(db, "live")
            assert status.state == "running", status
            assert sum(status.outcomes.values()) == contacts
            connected = status.outcomes.get("connected", 0)
            assert connected >= (seen[-1] if seen else 0)
            seen.append(connected)
            frame = api.results(db, "live")
            assert len(frame) == contacts
            done = frame[frame["outcome"] == "connected"]
            assert done["call_id"].notna().all()  # never half a recorded call
            assert done["summary"].str.startswith("=SUM").all()
        assert seen[-1] > seen[0], "the writer made no progress while we read"
        from_cli = subprocess.run(
            [sys.executable, "-m", "campaign", "status", "live", "--db", str(db_path), "--json"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
            check=True,
        )
        assert json.loads(from_cli.stdout)["state"] == "running"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
        assert writer.stderr is not None
        errors = writer.stderr.read()
    assert "Traceback" not in errors, errors

    after = api.status(db, "live")  # the runner died without a word
    assert after.state == "interrupted"
    assert after.resume_command == "python -m campaign resume live"
    code, out = _cli("status", "live", "--db", str(db_path))
    assert code == 0 and "interrupted" in out and "To resume" in out and "resume live" in out
    code, out = _cli(
        "export", "live", "-o", str(db_path.parent / "live.xlsx"), "--db", str(db_path)
    )
    assert code == 0 and f"Wrote {contacts} rows" in out


def test_times_read_in_the_users_time_zone(
    db_path: Path, finished: StoredCampaign, tmp_path: Path
) -> None:
    """A user in Israel reads Israeli time, named, in status, list and the HTML report."""
    env = {**os.environ, "TZ": "Asia/Jerusalem", "COLUMNS": "200"}

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "campaign", *args, "--db", str(db_path)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert re.search(r"Started\s+2026-01-05 17:00 IST", cli("status"))  # 15:00 UTC
    assert "2026-01-05 16:59 IST" in cli("list")
    cli("report", "--html", "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "started Jan 5, 2026, 17:00 Israel Time" in page
    assert "Times are in Asia/Jerusalem" in page
    assert "time (Israel Time)" in page  # the calls-over-time axis, named by Babel
