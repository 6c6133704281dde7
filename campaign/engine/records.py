"""Every state change of a call, written to the store in one short transaction each.

Order of writes is the never-twice guarantee: the intent is committed before the request,
the call_id right after the answer, and a contact only becomes dialable again after its
open attempt is resolved (ended, not placed, or reconciled).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from campaign.engine.policy import Decision
from campaign.store.db import Database
from campaign.store.models import (
    ACTIVE,
    DONE,
    ENDED,
    INTENT,
    NOT_PLACED,
    OPEN_ATTEMPT_STATES,
    PLACED,
    QUEUED,
    UNKNOWN,
    Attempt,
    Contact,
    Suppression,
)
from campaign.store.queries import add_event
from campaign.voicy.models import CallDetail


@dataclass(frozen=True)
class Intent:
    attempt_id: int
    contact_id: int
    from_number: str
    to_number: str
    vars: dict[str, Any]
    agent_id: str | None
    requested_at: datetime


@dataclass(frozen=True)
class Blocked:
    """The contact may not be dialed now: it waits until `until` (or ends as `outcome`)."""

    reason: str  # "recently_called" | "dnc" | "raced"
    until: datetime | None = None


def write_intent(
    db: Database,
    *,
    campaign_id: int,
    contact_id: int,
    from_number: str,
    agent_id: str | None,
    runner: str,
    now: datetime,
    min_gap: float = 0.0,
) -> Intent | Blocked:
    """Claim a queued contact and durably record the intent to dial it.

    The claim (an UPDATE) comes first so that, on SQLite, the write lock is held while the
    do-not-call list and the cross-campaign gap are checked: two runners cannot both pass.
    """
    with db.session() as session:
        claimed = session.execute(
            update(Contact)
            .where(Contact.id == contact_id, Contact.state == QUEUED)
            .values(state=ACTIVE, wait_reason=None)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return Blocked("raced")
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.to_number is not None
        to_number = contact.to_number
        if session.get(Suppression, to_number) is not None:
            contact.state = DONE
            contact.outcome = "dnc"
            contact.error = "on the do-not-call list"
            contact.final_at = now
            add_event(
                session,
                now,
                "dnc",
                "suppressed before dial",
                campaign_id=campaign_id,
                contact_id=contact_id,
            )
            return Blocked("dnc")
        if min_gap > 0:
            last = session.scalar(
                select(func.max(Attempt.requested_at)).where(
                    Attempt.to_number == to_number,
                    Attempt.contact_id != contact_id,
                    Attempt.state != NOT_PLACED,
                    Attempt.requested_at > now - timedelta(seconds=min_gap),
                )
            )
            if last is not None:
                until = last + timedelta(seconds=min_gap)
                contact.state = QUEUED
                contact.next_attempt_at = until
                contact.wait_reason = "recently_called"
                return Blocked("recently_called", until)
        number = (
            session.scalar(select(func.count()).where(Attempt.contact_id == contact_id)) or 0
        ) + 1
        attempt = Attempt(
            campaign_id=campaign_id,
            contact_id=contact_id,
            number=number,
            state=INTENT,
            from_number=from_number,
            to_number=to_number,
            agent_id=agent_id,
            runner=runner,
            requested_at=now,
            details_fetched=False,
        )
        session.add(attempt)
        session.flush()
        return Intent(
            attempt_id=attempt.id,
            contact_id=contact_id,
            from_number=from_number,
            to_number=to_number,
            vars=dict(contact.vars or {}),
            agent_id=agent_id,
            requested_at=now,
        )


def record_placed(db: Database, attempt_id: int, call_id: str, status: str, now: datetime) -> None:
    with db.session() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.state = PLACED
        attempt.call_id = call_id
        attempt.voicy_status = status
        attempt.category = "in_progress"
        attempt.answered_at = now
        session.execute(
            update(Contact)
            .where(Contact.id == attempt.contact_id)
            .values(attempts=Contact.attempts + 1, last_call_id=call_id, last_status=status)
        )


def record_unknown(db: Database, attempt_id: int, error: str, now: datetime) -> None:
    with db.session() as session:
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
    db: Database, attempt_id: int, error: str, decision: Decision, now: datetime
) -> None:
    """The dial certainly made no call: free the contact (not counted as an attempt)."""
    with db.session() as session:
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


def record_final_request_error(db: Database, attempt_id: int, error: str, now: datetime) -> None:
    """The API refused this contact for good (e.g. 400 on its number)."""
    record_not_placed(
        db, attempt_id, error, Decision(final=True, outcome="failed", error=error), now
    )


def record_linked(db: Database, attempt_id: int, call_id: str, status: str, now: datetime) -> bool:
    """Reconciliation found the call of an unknown attempt. False if already linked."""
    with db.session() as session:
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
    decision: Decision


def record_ended(db: Database, ends: Iterable[CallEnd], now: datetime) -> None:
    """Final statuses found by one poll, in one transaction."""
    with db.session() as session:
        for end in ends:
            attempt = session.get(Attempt, end.attempt_id)
            assert attempt is not None
            if attempt.state == ENDED:
                continue
            attempt.state = ENDED
            attempt.voicy_status = end.status
            attempt.category = end.category
            attempt.started_at = end.started_at
            attempt.ended_at = end.ended_at
            attempt.duration_ms = end.duration_ms
            contact = session.get(Contact, attempt.contact_id)
            assert contact is not None
            contact.last_status = end.status
            _apply(contact, end.decision, now, end.decision.error)


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


def record_details(db: Database, attempt_id: int, detail: CallDetail) -> None:
    with db.session() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.details_fetched = True
        attempt.summary = detail.summary
        attempt.transcript = [
            {"role": e.role, "content": e.content, "timestamp_ms": e.timestamp_ms}
            for e in detail.transcript
        ]
        attempt.vars_extracted = detail.vars_extracted
        attempt.vars_collected = detail.vars_collected
        attempt.cost = detail.cost
        attempt.currency = detail.currency
        if detail.duration_ms is not None:
            attempt.duration_ms = detail.duration_ms


def record_details_failed(db: Database, attempt_id: int, error: str) -> None:
    with db.session() as session:
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
        # A contact marked active with no open attempt (cannot normally happen) is requeued.
        open_contacts = select(Attempt.contact_id).where(
            Attempt.campaign_id == campaign_id, Attempt.state.in_(OPEN_ATTEMPT_STATES)
        )
        session.execute(
            update(Contact)
            .where(
                Contact.campaign_id == campaign_id,
                Contact.state == ACTIVE,
                Contact.id.not_in(open_contacts),
            )
            .values(state=QUEUED)
        )
        if count:
            add_event(
                session,
                now,
                "recovered",
                f"{count} unanswered dial(s) to reconcile",
                campaign_id=campaign_id,
            )
        return count
