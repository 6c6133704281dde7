"""Writing intents: claiming queued contacts and recording each dial before it is sent.

Several intents are written in one transaction (one fsync for a batch of dials), and each
contact is claimed with an UPDATE first so that, on SQLite, the write lock is held while
the do-not-call list and the cross-campaign gap are checked: two runners, even of two
campaigns sharing the database, cannot both pass for one number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from campaign.store.db import Database
from campaign.store.models import (
    ACTIVE,
    DONE,
    INTENT,
    NOT_PLACED,
    QUEUED,
    Attempt,
    Contact,
    Event,
    Suppression,
)


@dataclass(frozen=True)
class IntentRequest:
    contact_id: int
    from_number: str
    agent_id: str | None


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
    """The contact may not be dialed now."""

    reason: str  # "recently_called" | "dnc" | "raced"
    until: datetime | None = None


def write_intents(
    db: Database,
    requests: list[IntentRequest],
    *,
    campaign_id: int,
    runner: str,
    now: datetime,
    min_gap: float = 0.0,
) -> list[Intent | Blocked]:
    """Claim each contact and record its intent; all in one durable transaction.

    A handful of set-based statements whatever the batch size, so the cost of a dial is
    one share of a commit, not a commit.
    """
    if not requests:
        return []
    by_id = {r.contact_id: r for r in requests}
    ids = list(by_id)
    results: dict[int, Intent | Blocked] = {}
    with db.session() as session:
        # The claim comes first: on SQLite it takes the write lock for the checks below.
        claimed = {
            row[0]: (row[1], row[2])
            for row in session.execute(
                update(Contact)
                .where(Contact.id.in_(ids), Contact.state == QUEUED)
                .values(state=ACTIVE, wait_reason=None)
                .returning(Contact.id, Contact.to_number, Contact.vars)
            )
        }
        for contact_id in ids:
            if contact_id not in claimed:
                results[contact_id] = Blocked("raced")
        numbers = {to for to, _ in claimed.values()}
        suppressed = set(
            session.scalars(select(Suppression.e164).where(Suppression.e164.in_(numbers)))
        )
        recent: dict[str, datetime] = {}
        if min_gap > 0:
            rows = session.execute(
                select(Attempt.to_number, Attempt.contact_id, func.max(Attempt.requested_at))
                .where(
                    Attempt.to_number.in_(numbers),
                    Attempt.state != NOT_PLACED,
                    Attempt.requested_at > now - timedelta(seconds=min_gap),
                )
                .group_by(Attempt.to_number, Attempt.contact_id)
            ).all()
            for to_number, other_contact, last in rows:
                for contact_id, (number, _) in claimed.items():
                    if number == to_number and other_contact != contact_id:
                        known = recent.get(number)
                        recent[number] = last if known is None else max(known, last)
        counts = dict(
            session.execute(
                select(Attempt.contact_id, func.count())
                .where(Attempt.contact_id.in_(list(claimed)))
                .group_by(Attempt.contact_id)
            ).all()
        )
        to_dial: list[dict[str, Any]] = []
        for contact_id, (to_number, _) in claimed.items():
            if to_number in suppressed:
                _suppress(session, campaign_id, contact_id, now)
                results[contact_id] = Blocked("dnc")
            elif to_number in recent:
                until = recent[to_number] + timedelta(seconds=min_gap)
                session.execute(
                    update(Contact)
                    .where(Contact.id == contact_id)
                    .values(state=QUEUED, next_attempt_at=until, wait_reason="recently_called")
                )
                results[contact_id] = Blocked("recently_called", until)
            else:
                request = by_id[contact_id]
                to_dial.append(
                    {
                        "campaign_id": campaign_id,
                        "contact_id": contact_id,
                        "number": int(counts.get(contact_id, 0)) + 1,
                        "state": INTENT,
                        "from_number": request.from_number,
                        "to_number": to_number,
                        "agent_id": request.agent_id,
                        "runner": runner,
                        "requested_at": now,
                        "details_fetched": False,
                    }
                )
        if to_dial:
            inserted = session.execute(
                insert(Attempt).returning(
                    Attempt.id, Attempt.contact_id, sort_by_parameter_order=True
                ),
                to_dial,
            ).all()
            for attempt_id, contact_id in inserted:
                request = by_id[contact_id]
                to_number, contact_vars = claimed[contact_id]
                results[contact_id] = Intent(
                    attempt_id=attempt_id,
                    contact_id=contact_id,
                    from_number=request.from_number,
                    to_number=to_number,
                    vars=dict(contact_vars or {}),
                    agent_id=request.agent_id,
                    requested_at=now,
                )
    return [results[r.contact_id] for r in requests]


def _suppress(session: Session, campaign_id: int, contact_id: int, now: datetime) -> None:
    session.execute(
        update(Contact)
        .where(Contact.id == contact_id)
        .values(state=DONE, outcome="dnc", error="on the do-not-call list", final_at=now)
    )
    session.execute(
        insert(Event).values(
            campaign_id=campaign_id,
            contact_id=contact_id,
            at=now,
            kind="dnc",
            message="on the do-not-call list at dial time: not called",
        )
    )


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
    request = IntentRequest(contact_id, from_number, agent_id)
    return write_intents(
        db, [request], campaign_id=campaign_id, runner=runner, now=now, min_gap=min_gap
    )[0]
