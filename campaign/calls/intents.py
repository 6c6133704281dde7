"""Intents: claiming queued contacts and writing each dial down before it is sent.

Several intents are written in one transaction (one fsync for a batch of dials), and each
contact is claimed with an UPDATE first so that, on SQLite, the write lock is held while
the do-not-call list and the cross-campaign gap are checked: two runners, even of two
campaigns sharing the database, cannot both pass for one number.

On PostgreSQL (a `ClaimCheck` given) several runners write intents at once. A transaction
advisory lock serialises intent writes as SQLite's write lock does (the gap, the do-not-call
list and the key's concurrent-call cap are checked under it); the runner's own row is
locked FOR SHARE so that a take-over cannot declare it dead mid-write; a contact is taken
only while this runner's claim, with the fencing token it read, still stands; and the key's
request tokens for the admitted dials are taken in this same transaction, stamped just
before it commits and the requests go out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from campaign.calls.fencing import registered
from campaign.calls.transitions import Step, contact_from
from campaign.calls.vocab import AttemptStatus, ContactState, Outcome, WaitReason
from campaign.store.db import Database
from campaign.store.models import Attempt, Contact, Suppression
from campaign.store.queries import add_event


class LineAdmission(Protocol):
    def admit(self, session: Session, wanted: int) -> int:
        """How many of `wanted` dials the key's concurrent-call cap lets go (in the intent's
        transaction, under the lock that serialises intents)."""
        ...


class TokenReservation(Protocol):
    available: int  # dials the key's request budget lets go now

    def spend(self, used: int) -> None:
        """Log `used` grants, stamped now (inside the intent's transaction)."""
        ...


class DialTokens(Protocol):
    def reserve(self, session: Session, wanted: int) -> TokenReservation:
        """Lock the key's budget until commit; how many of `wanted` dials may go now."""
        ...


#: pg_advisory_xact_lock key serialising intent writes across runners (any 64-bit value).
INTENT_LOCK = 0x63616D706169676E  # "campaign"


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


class BlockedBy(StrEnum):
    """Why an intent was not written."""

    RECENTLY_CALLED = "recently_called"  # another campaign called the number within the gap
    DNC = "dnc"  # the number is on the do-not-call list: the contact ends `dnc`
    RACED = "raced"  # the contact was no longer queued (or claimed by this runner)
    LINES_BUSY = "lines_busy"  # team: the key's concurrent-call cap is reached
    NO_TOKEN = "no_token"  # team: another runner took the key's request token first
    LEASE_LOST = "lease_lost"  # team: this runner was declared dead


@dataclass(frozen=True)
class Blocked:
    """The contact may not be dialed now."""

    reason: BlockedBy
    until: datetime | None = None


@dataclass(frozen=True)
class ClaimCheck:
    """What a PostgreSQL runner proves before its intents are written (see module doc)."""

    owner: str
    fences: dict[int, int]  # contact id → the fencing token of this runner's claim
    key_hash: str
    lines: LineAdmission | None = None
    tokens: DialTokens | None = None


def write_intents(
    db: Database,
    requests: list[IntentRequest],
    *,
    campaign_id: int,
    runner: str,
    now: datetime,
    min_gap: float = 0.0,
    claim: ClaimCheck | None = None,
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
    reservation: TokenReservation | None = None
    with db.session() as session:
        queued = Contact.state.in_(contact_from(Step.INTENT))
        take = update(Contact).where(Contact.id.in_(ids), queued)
        if claim is not None:
            ids, reservation = _admit(session, claim, ids, results)
            take = update(Contact).where(
                tuple_(Contact.id, Contact.fence).in_([(i, claim.fences[i]) for i in ids]),
                Contact.claimed_by == claim.owner,
                queued,
            )
        # The claim comes first: on SQLite it takes the write lock for the checks below.
        claimed: dict[int, tuple[str, Any]] = {}
        if ids:
            claimed = {
                row[0]: (row[1], row[2])
                for row in session.execute(
                    take.values(
                        state=ContactState.ACTIVE,
                        wait_reason=None,
                        wait_detail=None,
                        claimed_by=None,
                        lease_until=None,
                    )
                    .returning(Contact.id, Contact.to_number, Contact.vars)
                    .execution_options(synchronize_session=False)
                )
            }
        for contact_id in ids:
            if contact_id not in claimed:
                results[contact_id] = Blocked(BlockedBy.RACED)
        if not claimed:
            return [results[r.contact_id] for r in requests]
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
                    Attempt.state != AttemptStatus.NOT_PLACED,
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
                results[contact_id] = Blocked(BlockedBy.DNC)
            elif to_number in recent:
                until = recent[to_number] + timedelta(seconds=min_gap)
                session.execute(
                    update(Contact)
                    .where(Contact.id == contact_id)
                    .values(
                        state=ContactState.QUEUED,
                        next_attempt_at=until,
                        wait_reason=WaitReason.RECENTLY_CALLED,
                        wait_detail=None,
                    )
                )
                results[contact_id] = Blocked(BlockedBy.RECENTLY_CALLED, until)
            else:
                request = by_id[contact_id]
                to_dial.append(
                    {
                        "campaign_id": campaign_id,
                        "contact_id": contact_id,
                        "number": int(counts.get(contact_id, 0)) + 1,
                        "state": AttemptStatus.INTENT,
                        "from_number": request.from_number,
                        "to_number": to_number,
                        "agent_id": request.agent_id,
                        "runner": runner,
                        "requested_at": now,
                        "details_fetched": False,
                        "key_hash": claim.key_hash if claim is not None else None,
                    }
                )
        if to_dial:
            inserted = session.execute(
                insert(Attempt).returning(
                    Attempt.id, Attempt.contact_id, sort_by_parameter_order=True
                ),
                to_dial,
            ).all()
            if reservation is not None:
                reservation.spend(len(to_dial))
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


def _admit(
    session: Session, claim: ClaimCheck, ids: list[int], results: dict[int, Intent | Blocked]
) -> tuple[list[int], TokenReservation | None]:
    """PostgreSQL: serialise with other runners, prove this runner lives, cap the lines,
    reserve the request tokens."""
    session.execute(select(func.pg_advisory_xact_lock(INTENT_LOCK)))
    if not registered(session, claim.owner):
        for contact_id in ids:
            results[contact_id] = Blocked(BlockedBy.LEASE_LOST)
        return [], None
    admitted = len(ids) if claim.lines is None else claim.lines.admit(session, len(ids))
    for contact_id in ids[admitted:]:
        results[contact_id] = Blocked(BlockedBy.LINES_BUSY)
    reservation = None
    if claim.tokens is not None and admitted:
        reservation = claim.tokens.reserve(session, admitted)
        for contact_id in ids[reservation.available : admitted]:
            results[contact_id] = Blocked(BlockedBy.NO_TOKEN)
        admitted = min(admitted, reservation.available)
    return ids[:admitted], reservation


def _suppress(session: Session, campaign_id: int, contact_id: int, now: datetime) -> None:
    session.execute(
        update(Contact)
        .where(Contact.id == contact_id)
        .values(
            state=ContactState.DONE,
            outcome=Outcome.DNC,
            error="on the do-not-call list",
            final_at=now,
            claimed_by=None,
            lease_until=None,
        )
    )
    add_event(
        session,
        now,
        "dnc",
        "on the do-not-call list at dial time: not called",
        campaign_id=campaign_id,
        contact_id=contact_id,
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
