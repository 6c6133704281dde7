"""Benchmark: reading a large finished campaign back out (status, results, CSV, XLSX, report).

    python bench/outcomes_export.py                # 100,000 contacts
    python bench/outcomes_export.py --contacts 20000

Stores N contacts (2% invalid, 3% duplicates) with 1-3 placed calls each (a third connected,
with summaries, transcripts and nested extracted variables) straight into a temporary SQLite
store, then times each reader and prints the seconds and rows/s. Peak RSS is printed last.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from campaign.outcomes.export import export
from campaign.outcomes.figures import report_figures
from campaign.outcomes.frames import read_campaign_rows
from campaign.outcomes.html import render_html
from campaign.outcomes.results import results_frame
from campaign.outcomes.status import campaign_status
from campaign.store.db import Database, open_db
from campaign.store.models import Attempt, Campaign, Contact

T0 = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]


def populate(db: Database, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with db.session() as session:
        campaign = Campaign(
            name="bench",
            state="finished",
            created_at=T0,
            started_at=T0,
            finished_at=T0 + timedelta(hours=8),
            settings={"max_attempts": 3},
            source_name="bench.csv",
            source_columns=["Name", "Phone", "Notes"],
            phone_column="Phone",
            requests_used=count * 4,
            rate_limited=12,
        )
        session.add(campaign)
        session.flush()
        cid = campaign.id
    contacts: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    for position in range(count):
        number = f"+1{rng.choice([212, 312, 415, 720])}555{position % 10_000:04d}"
        roll = rng.random()
        status, reason, duplicate_of, outcome = "valid", None, None, None
        if roll < 0.02:
            status, reason, outcome, number = "invalid", "too short", "invalid", ""
        elif roll < 0.05 and position:
            status, duplicate_of, outcome = "duplicate", 2, "duplicate"
        contact_id = position + 1
        calls = rng.randint(1, 3) if status == "valid" else 0
        at = T0 + timedelta(seconds=rng.randint(0, 8 * 3600))
        for number_of in range(1, calls + 1):
            connected = number_of == calls and rng.random() < 0.5
            attempts.append(
                {
                    "campaign_id": cid,
                    "contact_id": contact_id,
                    "number": number_of,
                    "state": "ended",
                    "from_number": "+15550000001",
                    "to_number": number,
                    "call_id": f"{contact_id:08d}-{number_of}",
                    "requested_at": at,
                    "started_at": at,
                    "ended_at": at + timedelta(seconds=60),
                    "voicy_status": "user_hangup" if connected else "no_answer",
                    "category": "connected" if connected else "failed",
                    "duration_ms": rng.randint(5_000, 300_000) if connected else 0,
                    "summary": "Confirmed Tuesday at 10." if connected else None,
                    "transcript": [{"role": "caller", "content": "yes"}] if connected else None,
                    "vars_extracted": {
                        "confirmed": rng.random() < 0.7,
                        "slot": {"day": "Tue", "time": "10:00"},
                    }
                    if connected
                    else None,
                    "cost": 0.05 if connected else None,
                    "currency": "USD" if connected else None,
                    "details_fetched": connected,
                }
            )
            outcome = "connected" if connected else ("failed" if number_of == calls else None)
            at += timedelta(minutes=30)
        contacts.append(
            {
                "campaign_id": cid,
                "position": position,
                "line": position + 2,
                "raw": {"Name": f"Person {position}", "Phone": number, "Notes": "n"},
                "raw_phone": number,
                "to_number": number or None,
                "import_status": status,
                "reason": reason,
                "duplicate_of_line": duplicate_of,
                "vars": {},
                "timezone": rng.choice(ZONES),
                "region": "US",
                "state": "done",
                "attempts": calls,
                "outcome": outcome,
                "last_status": None,
            }
        )
    with db.session() as session:
        for start in range(0, len(contacts), 5000):
            session.execute(insert(Contact), contacts[start : start + 5000])
        for start in range(0, len(attempts), 5000):
            session.execute(insert(Attempt), attempts[start : start + 5000])


def timed(label: str, rows: int, action: Callable[[], object]) -> None:
    began = time.perf_counter()
    action()
    took = time.perf_counter() - began
    print(f"{label:<28} {took:7.2f} s  {rows / took:>10,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "bench.db")
        began = time.perf_counter()
        populate(db, args.contacts)
        print(
            f"stored {args.contacts:,} contacts in {time.perf_counter() - began:.1f} s",
            file=sys.stderr,
        )
        n = args.contacts
        timed("status", n, lambda: campaign_status(db, "bench"))
        timed("read rows", n, lambda: read_campaign_rows(db, "bench"))
        timed("results DataFrame", n, lambda: results_frame(read_campaign_rows(db, "bench")))
        timed("export CSV", n, lambda: export(db, "bench", Path(folder) / "r.csv"))
        timed("export XLSX", n, lambda: export(db, "bench", Path(folder) / "r.xlsx"))
        timed(
            "export calls CSV",
            n,
            lambda: export(db, "bench", Path(folder) / "c.csv", attempts=True),
        )
        figures = report_figures(db, "bench")
        timed("report figures", n, lambda: report_figures(db, "bench"))
        timed("report HTML (charts)", n, lambda: render_html(figures))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
