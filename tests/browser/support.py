"""What the web tests share (HTTP-level and browser): hostile data, lists, runner processes.

`hostile_campaign()` stores a campaign whose every user-supplied field carries markup: the
campaign name, the input row, the summary, extracted and collected values and a transcript
line `<script>alert(1)</script>`; its settings hold an API-key-looking value that no page
may show.
"""

from __future__ import annotations

import csv
import itertools
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from campaign.calls.vocab import OPEN_ATTEMPTS, AttemptStatus, CampaignState, ContactState
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign, Contact, Event

ROOT = Path(__file__).resolve().parents[2]
SCRIPT_LINE = "<script>alert(1)</script>"
IMG_SUMMARY = '<img src=x onerror="alert(2)"> summary'
HOSTILE_NAME = "Mallory <script>alert(3)</script>"
HOSTILE_CAMPAIGN = 'q3 "<b>bold</b>" list'
SECRET = "voicy_sk_live_DO_NOT_SHOW_123456"
T0 = datetime(2026, 2, 3, 14, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Hostile:
    campaign_id: int
    contact_id: int
    name: str


def hostile_campaign(db: Database, name: str = HOSTILE_CAMPAIGN) -> Hostile:
    with db.session() as session:
        campaign = Campaign(
            name=name,
            state=CampaignState.FINISHED,
            created_at=T0,
            started_at=T0,
            finished_at=T0 + timedelta(hours=1),
            settings={
                "api_key": SECRET,
                "rate": 60,
                "max_attempts": 2,
                "window": "<i>09:00-17:00</i>",
                "from_numbers": ["+15550000001"],
                "simulate": True,
            },  # the runner tests rehearse beside it
            source_name="<script>alert(6)</script>.csv",
            source_columns=["Name", "Phone"],
            phone_column="Phone",
            requests_used=3,
            rate_limited=0,
        )
        session.add(campaign)
        session.flush()
        contact = Contact(
            campaign_id=campaign.id,
            position=0,
            line=2,
            raw={"Name": HOSTILE_NAME, "Phone": "+1 555 000 1111"},
            raw_phone="+1 555 000 1111",
            to_number="+15550001111",
            import_status="valid",
            vars={"Name": HOSTILE_NAME},
            region="US",
            state=ContactState.DONE,
            attempts=1,
            outcome="connected",
            last_status="user_hangup",
            final_at=T0 + timedelta(minutes=5),
        )
        session.add(contact)
        session.flush()
        session.add(
            Attempt(
                campaign_id=campaign.id,
                contact_id=contact.id,
                number=1,
                state=AttemptStatus.ENDED,
                from_number="+15550000001",
                to_number="+15550001111",
                call_id="0b5e55ed-0000-4000-8000-000000000001",
                requested_at=T0,
                started_at=T0 + timedelta(seconds=3),
                ended_at=T0 + timedelta(seconds=63),
                voicy_status="user_hangup",
                category="connected",
                duration_ms=60_000,
                summary=IMG_SUMMARY,
                transcript=[
                    {"role": "agent", "content": "Hello, is this Mallory?", "timestamp_ms": 0},
                    {"role": "caller", "content": SCRIPT_LINE, "timestamp_ms": 2500},
                ],
                vars_extracted={"<i>answer</i>": "<script>alert(4)</script>"},
                vars_collected={"note": "</dd><script>alert(5)</script>"},
                details_fetched=True,
            )
        )
        session.add(Event(campaign_id=campaign.id, at=T0, kind="created", message="x"))
        return Hostile(campaign_id=campaign.id, contact_id=contact.id, name=name)


def many_contacts(db: Database, name: str, count: int) -> int:
    """A finished campaign of `count` contacts, outcomes in turn; returns its id."""
    outcomes = ("connected", "failed", "connected", "invalid")
    with db.session() as session:
        campaign = Campaign(
            name=name,
            state=CampaignState.FINISHED,
            created_at=T0,
            started_at=T0,
            finished_at=T0 + timedelta(hours=2),
            settings={"max_attempts": 3, "simulate": True},
            source_name="many.csv",
            source_columns=["first_name", "last_name", "phone"],
            phone_column="phone",
            requests_used=0,
            rate_limited=0,
        )
        session.add(campaign)
        session.flush()
        session.add_all(
            Contact(
                campaign_id=campaign.id,
                position=i,
                line=i + 2,
                raw={
                    "first_name": f"Person{i:03d}",
                    "last_name": "García" if i % 7 == 0 else "Smith",
                    "phone": f"(202) 555-{i:04d}",
                },
                raw_phone=f"(202) 555-{i:04d}",
                to_number=f"+1202555{i:04d}",
                import_status="invalid" if outcomes[i % 4] == "invalid" else "valid",
                state=ContactState.DONE,
                attempts=0 if outcomes[i % 4] == "invalid" else 1 + i % 3,
                outcome=outcomes[i % 4],
                final_at=T0 + timedelta(minutes=i),
                vars={},
            )
            for i in range(count)
        )
        return campaign.id


def write_list(path: Path, count: int, *, start: int = 0) -> Path:
    """A CSV of `count` people with distinct valid US numbers (+1 202 3xx xxxx)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_name", "last_name", "phone"])
        for i in range(start, start + count):
            writer.writerow([f"Person{i}", "Tester", f"+1202{3000000 + i:07d}"])
    return path


def campaign_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "campaign", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def start_runner(contacts: Path, db_path: Path, name: str, *extra: str) -> subprocess.Popen[str]:
    """`campaign run --simulate` in its own process (the simulator lives in it)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "campaign",
            "run",
            str(contacts),
            "--simulate",
            "--db",
            str(db_path),
            "--name",
            name,
            "--window",
            "any",
            "--min-gap",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )


def never_twice_violations(db: Database, campaign_id: int) -> list[str]:
    """Contacts called more than allowed, or with two calls at once (empty when none)."""
    problems = []
    with db.read_session() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        limit = int((campaign.settings or {}).get("max_attempts") or 3)
        attempts = session.execute(
            select(Attempt.contact_id, Attempt.requested_at, Attempt.ended_at, Attempt.state)
            .where(Attempt.campaign_id == campaign_id, Attempt.state.in_(("placed", "ended")))
            .order_by(Attempt.contact_id, Attempt.requested_at)
        ).all()
    by_contact: dict[int, list[Any]] = {}
    for row in attempts:
        by_contact.setdefault(row.contact_id, []).append(row)
    for contact_id, calls in by_contact.items():
        if len(calls) > limit:
            problems.append(f"contact {contact_id}: {len(calls)} calls > {limit}")
        for before, after in itertools.pairwise(calls):
            if before.ended_at is None or after.requested_at < before.ended_at:
                problems.append(f"contact {contact_id}: calls overlap at {after.requested_at}")
    return problems


def open_attempts(db: Database, campaign_id: int) -> int:
    with db.read_session() as session:
        return len(
            session.execute(
                select(Attempt.id).where(
                    Attempt.campaign_id == campaign_id, Attempt.state.in_(OPEN_ATTEMPTS)
                )
            ).all()
        )


def queued_count(db: Database, campaign_id: int) -> int:
    with db.read_session() as session:
        return len(
            session.execute(
                select(Contact.id).where(
                    Contact.campaign_id == campaign_id, Contact.state == ContactState.QUEUED
                )
            ).all()
        )
