"""Every state change of a call, written to the store in one short transaction each.

Order of writes is the never-twice guarantee: the intent is committed before the request,
the call_id right after the answer, and a contact only becomes dialable again after its
open attempt is resolved (ended, not placed, or reconciled).

With several runners (PostgreSQL) every write names its runner through a `Fence`: a write
about an attempt another runner has taken over is refused (the rows are locked and checked
in the writing transaction) and reported to the runner, which stops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

# Intents and fences live in their own modules; re-exported for callers of the records API.
from campaign.engine.fencing import Fence, owned, team_ends
from campaign.engine.intents import Blocked, Intent, write_intent, write_intents
from campaign.engine.policy import Decision
from campaign.store.db import Database
from campaign.store.models import (
    DONE,
    ENDED,
    INTENT,
    NOT_PLACED,
    PLACED,
    QUEUED,
    UNKNOWN,
    Attempt,
    Contact,
)
from campaign.store.queries import add_event, requeue_stranded
from campaign.voicy.models import CallDetail

__all__ = ["Blocked", "Fence", "Intent", "owned", "write_intent", "write_intents"]


def record_placed(
    db: Database,
    attempt_id: int,
    call_id: str,
    status: str,
    now: datetime,
    fence: Fence | None = None,
) -> None:
    with db.session() as session:
        record_placed_many(session, [(attempt_id, call_id, status, now)], fence)


def record_placed_many(
    session: Session, answers: list[tuple[int, str, str, datetime]], fence: Fence | None = None
) -> None:
    """201 answers: the call_id on each attempt, one more placed call on each contact."""
    if answers and fence is not None:
        mine = owned(session, [a[0] for a in answers], fence)
        answers = [a for a in answers if a[0] in mine]
    if not answers:
        return
    contact_of = dict(
        session.execute(
            select(Attempt.id, Attempt.contact_id).where(Attempt.id.in_([a[0] for a in answers]))
        ).all()
    )
    session.execute(
        update(Attempt),
        [
            {
                "id": attempt_id,
                "state": PLACED,
                "call_id": call_id,
                "voicy_status": status,
                "category": "in_progress",
                "answered_at": now,
            }
            for attempt_id, call_id, status, now in answers
        ],
    )
    table = Contact.__table__
    assert isinstance(table, Table)
    session.execute(
        update(table)
        .where(table.c.id == bindparam("contact"))
        .values(
            attempts=table.c.attempts + 1,
            last_call_id=bindparam("call"),
            last_status=bindparam("status"),
        ),
        [
            {"contact": contact_of[attempt_id], "call": call_id, "status": status}
            for attempt_id, call_id, status, _ in answers
        ],
    )


def record_unknown(
    db: Database, attempt_id: int, error: str, now: datetime, fence: Fence | None = None
) -> bool:
    with db.session() as session:
        if not owned(session, [attempt_id], fence):
            return False
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.state = UNKNOWN
        attempt.error = error
        add_event(
            session,
            now,
            "dial_unknown",
            error,
            campaign_id=attempt.campaign_id,
            contact_id=attempt.contact_id,
            attempt_id=attempt_id,
        )
        return True


def count_not_placed(db: Database, contact_id: int) -> int:
    with db.read_session() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    Attempt.contact_id == contact_id, Attempt.state == NOT_PLACED
                )
            )
            or 0
        )


def record_not_placed(
    db: Database,
    attempt_id: int,
    error: str,
    decision: Decision,
    now: datetime,
    fence: Fence | None = None,
) -> bool:
    """The dial certainly made no call: free the contact (not counted as an attempt)."""
    with db.session() as session:
        if not owned(session, [attempt_id], fence):
            return False
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.state = NOT_PLACED
        attempt.error = error
        contact = session.get(Contact, attempt.contact_id)
        assert contact is not None
        _apply(contact, decision, now, error)
        add_event(
            session,
            now,
            "not_placed",
            error,
            campaign_id=attempt.campaign_id,
            contact_id=contact.id,
            attempt_id=attempt_id,
        )
        return True


def record_final_request_error(
    db: Database, attempt_id: int, error: str, now: datetime, fence: Fence | None = None
) -> bool:
    """The API refused this contact for good (e.g. 400 on its number)."""
    return record_not_placed(
        db, attempt_id, error, Decision(final=True, outcome="failed", error=error), now, fence
    )


def record_linked(
    db: Database,
    attempt_id: int,
    call_id: str,
    status: str,
    now: datetime,
    fence: Fence | None = None,
) -> bool:
    """Reconciliation found the call of an unknown attempt. False if already linked."""
    with db.session() as session:
        if not owned(session, [attempt_id], fence):
            return False
        taken = session.scalar(select(Attempt.id).where(Attempt.call_id == call_id))
        if taken is not None and taken != attempt_id:
            return False
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.state = PLACED
        attempt.call_id = call_id
        attempt.voicy_status = status
        attempt.category = "in_progress"
        session.execute(
            update(Contact)
            .where(Contact.id == attempt.contact_id)
            .values(attempts=Contact.attempts + 1, last_call_id=call_id, last_status=status)
        )
        add_event(
            session,
            now,
            "reconciled",
            f"found call {call_id}",
            campaign_id=attempt.campaign_id,
            contact_id=attempt.contact_id,
            attempt_id=attempt_id,
        )
        return True


@dataclass(frozen=True)
class CallEnd:
    attempt_id: int
    status: str
    category: str
    started_at: datetime | None
    ended_at: datetime | None
    duration_ms: int | None
    #: The contact's fate, given its placed attempts (read in the same transaction).
    decide: Callable[[int], Decision]
    #: A call of another runner of the team (PostgreSQL), seen ending by this one's scan.
    teammate: bool = False
    call_id: str = ""


def record_ended(
    db: Database, ends: Iterable[CallEnd], now: datetime, fence: Fence | None = None
) -> list[tuple[CallEnd, Decision]]:
    """Final statuses found by one scan, in one transaction; returns what was recorded."""
    ends = list(ends)
    decisions: list[tuple[CallEnd, Decision]] = []
    with db.session() as session:
        if fence is not None:
            ends = team_ends(session, ends, fence)
        open_rows = dict(
            session.execute(
                select(Attempt.id, Attempt.contact_id).where(
                    Attempt.id.in_([e.attempt_id for e in ends]), Attempt.state != ENDED
                )
            ).all()
        )
        ends = [e for e in ends if e.attempt_id in open_rows]
        if not ends:
            return decisions
        placed = dict(
            session.execute(
                select(Contact.id, Contact.attempts).where(
                    Contact.id.in_([open_rows[e.attempt_id] for e in ends])
                )
            ).all()
        )
        session.execute(
            update(Attempt),
            [
                {
                    "id": e.attempt_id,
                    "state": ENDED,
                    "voicy_status": e.status,
                    "category": e.category,
                    "started_at": e.started_at,
                    "ended_at": e.ended_at,
                    "duration_ms": e.duration_ms,
                }
                for e in ends
            ],
        )
        contact_rows: list[dict[str, Any]] = []
        for end in ends:
            contact_id = open_rows[end.attempt_id]
            decision = end.decide(int(placed.get(contact_id) or 0))
            decisions.append((end, decision))
            contact_rows.append(
                {
                    "id": contact_id,
                    "last_status": end.status,
                    **_contact_values(decision, now, decision.error),
                }
            )
        session.execute(update(Contact), contact_rows)
    return decisions


def _contact_values(decision: Decision, now: datetime, error: str | None) -> dict[str, Any]:
    if decision.final:
        return {
            "state": DONE,
            "outcome": decision.outcome,
            "error": decision.error if decision.outcome != "connected" else None,
            "final_at": now,
            "next_attempt_at": None,
            "wait_reason": None,
        }
    return {
        "state": QUEUED,
        "next_attempt_at": decision.next_attempt_at,
        "wait_reason": "redial",
        "error": error,
    }


def _apply(contact: Contact, decision: Decision, now: datetime, error: str | None) -> None:
    if decision.final:
        contact.state = DONE
        contact.outcome = decision.outcome
        contact.error = decision.error if decision.outcome != "connected" else None
        contact.final_at = now
        contact.next_attempt_at = None
        contact.wait_reason = None
    else:
        contact.state = QUEUED
        contact.next_attempt_at = decision.next_attempt_at
        contact.wait_reason = "redial"
        contact.error = error


def record_details_many(
    session: Session, details: list[tuple[int, CallDetail]], fence: Fence | None = None
) -> None:
    """What call-get told of connected calls: summary, transcript, vars, cost."""
    if details and fence is not None:
        mine = owned(session, [d[0] for d in details], fence)
        details = [d for d in details if d[0] in mine]
    if not details:
        return
    rows = []
    for attempt_id, detail in details:
        row: dict[str, Any] = {
            "id": attempt_id,
            "details_fetched": True,
            "summary": detail.summary,
            "transcript": [
                {"role": e.role, "content": e.content, "timestamp_ms": e.timestamp_ms}
                for e in detail.transcript
            ],
            "vars_extracted": detail.vars_extracted,
            "vars_collected": detail.vars_collected,
            "cost": detail.cost,
            "currency": detail.currency,
        }
        rows.append(row)
        if detail.duration_ms is not None:
            # A separate statement: bulk rows must all carry the same columns.
            session.execute(
                update(Attempt)
                .where(Attempt.id == attempt_id)
                .values(duration_ms=detail.duration_ms)
            )
    session.execute(update(Attempt), rows)


def record_details_failed(
    db: Database, attempt_id: int, error: str, fence: Fence | None = None
) -> None:
    with db.session() as session:
        if not owned(session, [attempt_id], fence):
            return
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.details_fetched = True
        attempt.error = error


def recover_after_crash(db: Database, campaign_id: int, now: datetime) -> int:
    """Intents left without an answer by a dead runner become unknown (reconcile them)."""
    with db.session() as session:
        result = session.execute(
            update(Attempt)
            .where(Attempt.campaign_id == campaign_id, Attempt.state == INTENT)
            .values(state=UNKNOWN, error="runner stopped before the answer to this dial")
        )
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        requeue_stranded(session, campaign_id)
        if count:
            add_event(
                session,
                now,
                "recovered",
                f"{count} unanswered dial(s) to reconcile",
                campaign_id=campaign_id,
            )
        return count
