"""Who is callable now: queued contacts whose due time has come, in input order.

Calling rules (windows, gaps, caller-ID choice) plug in through `DialRules`; a contact a
rule holds back gets a due time and a wait reason, and waits like a redial.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, or_, select, update

from campaign.store.db import Database
from campaign.store.models import QUEUED, Contact


@dataclass(frozen=True)
class Candidate:
    contact_id: int
    to_number: str
    from_number: str | None
    agent_id: str | None
    timezone: str | None
    attempts: int
    #: The claim's fencing token on PostgreSQL (see engine/claims.py); None on SQLite.
    fence: int | None = None

    @classmethod
    def from_row(cls, row: Sequence[Any], fence: int | None = None) -> Candidate:
        """From (id, to_number, from_number, agent_id, timezone, attempts, ...)."""
        return cls(
            contact_id=row[0],
            to_number=str(row[1]),
            from_number=row[2],
            agent_id=row[3],
            timezone=row[4],
            attempts=row[5],
            fence=fence,
        )


class DialRules(Protocol):
    """Decides whether a contact may be dialed at `now`."""

    def hold_until(self, candidate: Candidate, now: datetime) -> tuple[datetime, str] | None:
        """None when callable now; else (when it may be, wait reason)."""
        ...


class CallerIds(Protocol):
    """Chooses the from-number of each call (see campaign.rules.callerid.CallerIdPool)."""

    @property
    def available(self) -> list[str]: ...

    def choose(self, to_number: str) -> str: ...

    def remove(self, number: str, reason: str) -> None: ...


def due_contacts(db: Database, campaign_id: int, now: datetime, limit: int) -> list[Candidate]:
    with db.read_session() as session:
        rows = session.execute(
            select(
                Contact.id,
                Contact.to_number,
                Contact.from_number,
                Contact.agent_id,
                Contact.timezone,
                Contact.attempts,
            )
            .where(
                Contact.campaign_id == campaign_id,
                Contact.state == QUEUED,
                or_(Contact.next_attempt_at.is_(None), Contact.next_attempt_at <= now),
            )
            .order_by(Contact.next_attempt_at.is_not(None), Contact.position)
            .limit(limit)
        ).all()
    return [Candidate.from_row(r) for r in rows]


def queued_summary(db: Database, campaign_id: int) -> tuple[int, datetime | None]:
    """How many contacts are queued, and the earliest future due time among them."""
    with db.read_session() as session:
        count, next_due = session.execute(
            select(func.count(), func.min(Contact.next_attempt_at)).where(
                Contact.campaign_id == campaign_id, Contact.state == QUEUED
            )
        ).one()
    return int(count or 0), next_due


def hold_many(
    db: Database, holds: list[tuple[int, datetime, str]], *, owner: str | None = None
) -> None:
    """Contacts a rule holds back wait until their time, with the reason shown to people.

    With `owner` (PostgreSQL), only contacts this runner still has claimed are written.
    """
    with db.session() as session:
        for contact_id, until, reason in holds:
            query = update(Contact).where(Contact.id == contact_id, Contact.state == QUEUED)
            if owner is not None:
                query = query.where(Contact.claimed_by == owner)
            session.execute(query.values(next_attempt_at=until, wait_reason=reason))
