"""Campaigns written straight into a store, for tests that read outcomes.

`finished_campaign()` stores a small realistic campaign the way the engine leaves it: valid,
invalid, duplicate and do-not-call rows, redials, a request that placed no call, nested
extracted variables, a summary that looks like a spreadsheet formula and a Hebrew transcript.
It returns what was recorded, so a test can compare an export against every call_id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, null, select, update
from sqlalchemy.orm import Session

from campaign.calls.vocab import AttemptStatus, CampaignState, ContactState
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign, Contact, Event

T0 = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
COLUMNS = ["Name", "Phone", "City", "Notes"]
FROM = "+15550000001"
FORMULA_SUMMARY = '=HYPERLINK("http://evil.example/x","click me")'
HEBREW_LINE = "כן, אני מאשר את התור ליום שלישי"
INVALID_REASON = "not a phone number: too short (5 digits)"


@dataclass(frozen=True)
class RecordedCall:
    """One placed call as the provider recorded it."""

    line: int
    number: int
    call_id: str
    to_number: str
    status: str
    category: str
    started_at: datetime
    ended_at: datetime
    duration_ms: int
    summary: str | None = None
    extracted: dict[str, Any] | None = None
    collected: dict[str, Any] | None = None
    transcript: list[dict[str, Any]] | None = None
    cost: float | None = None


@dataclass
class StoredCampaign:
    name: str
    campaign_id: int
    calls: list[RecordedCall] = field(default_factory=list)
    #: line -> the outcome the results table should show for that input row (a duplicate
    #: row's is `duplicate`, as in the report)
    outcomes: dict[int, str] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)

    def last_call(self, line: int) -> RecordedCall | None:
        calls = [call for call in self.calls if call.line == line]
        return calls[-1] if calls else None


@dataclass(frozen=True)
class _Row:
    name: str
    phone: str
    city: str
    to_number: str | None
    status: str = "valid"  # import status
    reason: str | None = None
    duplicate_of: int | None = None
    outcome: str | None = None
    region: str | None = None
    timezone: str | None = None
    calls: tuple[tuple[str, int], ...] = ()  # (Voicy status, talk seconds) per placed call


ROWS = (
    _Row(
        "Alice",
        "+1 (555) 123-4567",
        "Austin",
        "+15551234567",
        outcome="connected",
        region="US",
        timezone="America/Chicago",
        calls=(("user_hangup", 95),),
    ),
    _Row(
        "Bob", "12345", "Boston", None, status="invalid", reason=INVALID_REASON, outcome="invalid"
    ),
    _Row(
        "Carol",
        "+44 20 7183 8750",
        "London",
        "+442071838750",
        outcome="failed",
        region="GB",
        timezone="Europe/London",
        calls=(("busy", 0), ("no_answer", 0), ("no_answer", 0)),
    ),
    _Row(
        "Alice again",
        "+15551234567",
        "Austin",
        "+15551234567",
        status="duplicate",
        duplicate_of=2,
        outcome="duplicate",
        region="US",
    ),
    _Row(
        "Dan",
        "555-222-3333",
        "Denver",
        "+15552223333",
        outcome="connected",
        region="US",
        timezone="America/Denver",
        calls=(("busy", 0), ("agent_hangup", 42)),
    ),
    _Row(
        "Eve",
        "+1 555 999 0000",
        "El Paso",
        "+15559990000",
        outcome="dnc",
        region="US",
        timezone="America/Denver",
    ),
    _Row(
        "דוד",
        "+972-50-123-4567",
        "תל אביב",
        "+972501234567",
        outcome="connected",
        region="IL",
        timezone="Asia/Jerusalem",
        calls=(("user_hangup", 180),),
    ),
    _Row(
        "Grace",
        "+15554443333",
        "Chicago",
        "+15554443333",
        outcome="unknown",
        region="US",
        timezone="America/Chicago",
        calls=(("mystery_status", 10),),
    ),
)


def _details(row: _Row, number: int, status: str, line: int) -> dict[str, Any]:
    """What a connected call returned: summary, variables, transcript, cost."""
    if status not in ("user_hangup", "agent_hangup"):
        return {}
    if row.name == "Alice":
        return {
            "summary": FORMULA_SUMMARY,
            "extracted": {
                "confirmed": True,
                "slot": {"day": "Tue", "time": "10:00"},
                "products": ["shampoo", "gel"],
                "callback": "+15551234567",
            },
            "collected": {"email": "alice@example.com"},
            "transcript": [
                {"role": "agent", "content": "Hi Alice, calling to confirm.", "timestamp_ms": 0},
                {"role": "caller", "content": "Yes, Tuesday is fine.", "timestamp_ms": 1500},
            ],
            "cost": 0.12,
        }
    if row.name == "דוד":
        return {
            "summary": "המטופל אישר את התור",
            "extracted": {"confirmed": True, "slot": {"day": "Tue", "time": "09:00"}},
            "collected": {},
            "transcript": [
                {"role": "agent", "content": "שלום דוד", "timestamp_ms": 0},
                {"role": "caller", "content": HEBREW_LINE, "timestamp_ms": 2100},
                {"role": "system", "content": None, "function_invocation": {"name": "book"}},
            ],
            "cost": 0.3,
        }
    return {
        "summary": f"{row.name} declined (line {line}, call {number})",
        "extracted": {"confirmed": False},
        "collected": {"reason": "busy week"},
        "transcript": [{"role": "caller", "content": "No thanks.", "timestamp_ms": 900}],
        "cost": 0.05,
    }


def _contact_error(row: _Row) -> str | None:
    if row.status == "invalid":
        return row.reason
    return {"dnc": "on the do-not-call list", "failed": "no answer after 3 calls"}.get(
        row.outcome or ""
    )


def finished_campaign(
    db: Database,
    name: str = "spring-recall",
    *,
    state: str = CampaignState.FINISHED,
    start: datetime = T0,
    columns: list[str] | None = None,
) -> StoredCampaign:
    """Store the campaign of the module doc; returns what was recorded.

    `columns` renames the four input columns (e.g. to test a header that clashes with a
    generated column).
    """
    headers = columns or COLUMNS
    with db.session() as session:
        campaign = Campaign(
            name=name,
            state=state,
            created_at=start - timedelta(minutes=1),
            started_at=start,
            finished_at=start + timedelta(hours=2) if state == CampaignState.FINISHED else None,
            settings={
                "from_numbers": [FROM],
                "max_attempts": 3,
                "concurrency": 2,
                "rate": 60,
                "window": "08:00-21:00",
                "simulate": True,
            },
            source_name="patients.csv",
            source_columns=list(headers),
            phone_column=headers[1],
            requests_used=57,
            rate_limited=2,
        )
        session.add(campaign)
        session.flush()
        stored = StoredCampaign(name=name, campaign_id=campaign.id)
        at = start
        for position, row in enumerate(ROWS):
            line = position + 2
            stored.lines.append(line)
            values = [row.name, row.phone, row.city, "" if position % 2 else f"note {line}"]
            contact = Contact(
                campaign_id=campaign.id,
                position=position,
                line=line,
                raw=dict(zip(headers, values, strict=True)),
                raw_phone=row.phone,
                to_number=row.to_number,
                import_status=row.status,
                reason=row.reason,
                duplicate_of_line=row.duplicate_of,
                vars={"name": row.name},
                region=row.region,
                timezone=row.timezone,
                state=ContactState.DONE,
                attempts=len(row.calls),
                outcome=row.outcome,
                error=_contact_error(row),
                final_at=start + timedelta(hours=1),
            )
            session.add(contact)
            session.flush()
            if row.name == "Dan":  # a request that certainly placed no call: not an attempt
                session.add(
                    Attempt(
                        campaign_id=campaign.id,
                        contact_id=contact.id,
                        number=1,
                        state=AttemptStatus.NOT_PLACED,
                        from_number=FROM,
                        to_number=row.to_number or "",
                        requested_at=at,
                        error="503 before the call was placed",
                    )
                )
            for number, (status, seconds) in enumerate(row.calls, start=1):
                at += timedelta(minutes=7)
                stored.calls.append(
                    _store_call(
                        session, campaign.id, contact.id, row, number, status, seconds, at, line
                    )
                )
            if row.calls:
                contact.last_status = row.calls[-1][0]
                contact.last_call_id = stored.calls[-1].call_id
            stored.outcomes[line] = row.outcome or "pending"
        session.add(Event(campaign_id=campaign.id, at=start, kind="started", message="go"))
    return stored


def _store_call(
    session: Session,
    campaign_id: int,
    contact_id: int,
    row: _Row,
    number: int,
    status: str,
    seconds: int,
    at: datetime,
    line: int,
) -> RecordedCall:
    details = _details(row, number, status, line)
    category = (
        "connected"
        if status in ("user_hangup", "agent_hangup")
        else "failed"
        if status in ("busy", "no_answer")
        else "unknown"
    )
    call = RecordedCall(
        line=line,
        number=number,
        call_id=f"c0ffee{campaign_id:02x}-{line:04d}-{number:04d}-8000-000000000000",
        to_number=row.to_number or "",
        status=status,
        category=category,
        started_at=at + timedelta(seconds=3),
        ended_at=at + timedelta(seconds=3 + seconds + 20),
        duration_ms=seconds * 1000,
        summary=details.get("summary"),
        extracted=details.get("extracted"),
        collected=details.get("collected"),
        transcript=details.get("transcript"),
        cost=details.get("cost"),
    )
    session.add(
        Attempt(
            campaign_id=campaign_id,
            contact_id=contact_id,
            number=number,
            state=AttemptStatus.ENDED,
            from_number=FROM,
            to_number=call.to_number,
            call_id=call.call_id,
            requested_at=at,
            answered_at=at + timedelta(seconds=1),
            started_at=call.started_at,
            ended_at=call.ended_at,
            voicy_status=status,
            category=category,
            duration_ms=call.duration_ms,
            summary=call.summary,
            # A call without a transcript is SQL NULL, as the engine leaves it (not JSON null).
            transcript=call.transcript if call.transcript is not None else null(),
            vars_extracted=call.extracted,
            vars_collected=call.collected,
            cost=call.cost,
            currency="USD" if call.cost is not None else None,
            details_fetched=True,
        )
    )
    return call


def queued_contacts(
    db: Database,
    campaign_id: int,
    count: int,
    *,
    first_line: int = 100,
    next_attempt_at: datetime | None = None,
    wait_reason: str | None = None,
    numbers: list[str] | None = None,
) -> list[int]:
    """Append `count` valid contacts still waiting for a call (`numbers`, else made-up
    +1555700… ones); returns their ids."""
    with db.session() as session:
        base = (
            session.scalar(
                select(func.count()).select_from(Contact).where(Contact.campaign_id == campaign_id)
            )
            or 0
        )
        contacts = []
        for i in range(count):
            number = numbers[i] if numbers else f"+1555700{first_line + i:04d}"
            contact = Contact(
                campaign_id=campaign_id,
                position=base + i,
                line=first_line + i,
                raw={"Name": f"Person {first_line + i}", "Phone": number, "City": "", "Notes": ""},
                raw_phone=number,
                to_number=number,
                import_status="valid",
                vars={},
                region="US",
                state=ContactState.QUEUED,
                attempts=0,
                next_attempt_at=next_attempt_at,
                wait_reason=wait_reason,
            )
            session.add(contact)
            contacts.append(contact)
        session.flush()
        return [contact.id for contact in contacts]


def ready_campaign(db: Database, name: str = "fresh", *, contacts: int = 3) -> int:
    """A campaign imported but not started: `contacts` queued rows, no call yet."""
    with db.session() as session:
        campaign = Campaign(
            name=name,
            state="ready",
            created_at=T0,
            settings={"max_attempts": 2},
            source_name="fresh.csv",
            source_columns=list(COLUMNS),
            phone_column="Phone",
            requests_used=0,
            rate_limited=0,
        )
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
    queued_contacts(db, campaign_id, contacts, first_line=2)
    return campaign_id


def every_kind_of_row(db: Database, *, goal: bool = False, hold: bool = False) -> str:
    """The finished campaign of tests/outcomes_factory.py (valid, invalid, duplicate and
    do-not-call rows, redials, nested variables, a callback, a formula-like summary, Hebrew)
    plus contacts waiting (a redial, a window with its detail), in a campaign with a goal
    and a campaign-wide hold when asked."""
    stored = finished_campaign(db, "every-kind")
    queued_contacts(
        db, stored.campaign_id, 2, first_line=200, next_attempt_at=T0 + timedelta(hours=2),
        wait_reason="redial",
    )  # fmt: skip
    waiting = queued_contacts(
        db, stored.campaign_id, 1, first_line=300, next_attempt_at=T0 + timedelta(days=1),
        wait_reason="window", numbers=["+972521234567"],
    )  # fmt: skip
    with db.session() as session:
        session.execute(
            update(Contact)
            .where(Contact.id.in_(waiting))
            .values(wait_detail="closed day (Saturday)")
        )
        attempt = session.query(Attempt).filter(Attempt.vars_extracted.isnot(None)).first()
        assert attempt is not None
        attempt.vars_extracted = {**(attempt.vars_extracted or {}), "party_size": 5}
        campaign = session.get(Campaign, stored.campaign_id)
        assert campaign is not None
        if goal:
            campaign.settings = {**(campaign.settings or {}), "goal": "confirmed"}
        if hold:
            campaign.hold_until = T0 + timedelta(hours=5)
            campaign.hold_reason = "scheduled"
            campaign.hold_detail = "starts at 20:00"
    return stored.name
