"""Who is callable now: queued contacts whose due time has come, in input order.

Alone (SQLite) the runner reads them; the intent transaction claims each one. In a team
(PostgreSQL) a runner claims due contacts first with `SELECT … FOR UPDATE SKIP LOCKED`
(concurrent runners skip each other's rows instead of waiting), marks them with its id and
a lease, and raises each contact's fencing token. The intent is written only for a contact
still claimed by this runner with the token it read (`intents.write_intents`): a runner that
paused past its lease, and whose contact another runner claimed meanwhile, can never write
over it. Claims not turned into intents are released at once; the heartbeat renews the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.orm import Session

from campaign.calls.transitions import Step, contact_from
from campaign.calls.vocab import ContactState
from campaign.store.db import Database
from campaign.store.models import Contact

_QUEUED = ContactState.QUEUED


@dataclass(frozen=True)
class Candidate:
    """A due contact, as the dispatcher needs it."""

    contact_id: int
    to_number: str
    from_number: str | None
    agent_id: str | None
    timezone: str | None
    attempts: int
    #: Its zone key (see calls/holds.py), when the runner's rules zoned the campaign.
    zone_key: str | None = None
    #: The claim's fencing token on PostgreSQL; None on SQLite.
    fence: int | None = None

    @classmethod
    def from_row(cls, row: Sequence[Any], fence: int | None = None) -> Candidate:
        """From (id, to_number, from_number, agent_id, timezone, attempts, zone, ...)."""
        return cls(
            contact_id=row[0],
            to_number=str(row[1]),
            from_number=row[2],
            agent_id=row[3],
            timezone=row[4],
            attempts=row[5],
            zone_key=row[6],
            fence=fence,
        )


_CANDIDATE_COLUMNS = (
    Contact.id,
    Contact.to_number,
    Contact.from_number,
    Contact.agent_id,
    Contact.timezone,
    Contact.attempts,
    Contact.zone_key,
)


def _due(campaign_id: int, now: datetime) -> list[ColumnElement[bool]]:
    return [
        Contact.campaign_id == campaign_id,
        Contact.state.in_(contact_from(Step.CLAIMED)),
        or_(Contact.next_attempt_at.is_(None), Contact.next_attempt_at <= now),
    ]


def due_contacts(db: Database, campaign_id: int, now: datetime, limit: int) -> list[Candidate]:
    """Alone: up to `limit` due contacts, never-called ones first, in input order.

    Two reads of the dispatch index (campaign, state, due time, position): the contacts
    without a due time in list order, then the redials due by now; contacts a rule holds
    are never visited, however many there are.
    """
    queued = (Contact.campaign_id == campaign_id, Contact.state == _QUEUED)
    with db.read_session() as session:
        rows = list(
            session.execute(
                select(*_CANDIDATE_COLUMNS)
                .where(*queued, Contact.next_attempt_at.is_(None))
                .order_by(Contact.position)
                .limit(limit)
            ).all()
        )
        if len(rows) < limit:
            rows += session.execute(
                select(*_CANDIDATE_COLUMNS)
                .where(*queued, Contact.next_attempt_at <= now)
                .order_by(Contact.position)
                .limit(limit - len(rows))
            ).all()
    return [Candidate.from_row(r) for r in rows]


@dataclass(frozen=True)
class Queue:
    """Whether any contact still waits for a dial, and the earliest future due time."""

    waiting: bool
    next_due: datetime | None


def queue_of(db: Database, campaign_id: int) -> Queue:
    """Two index lookups, whatever the campaign's size (no count)."""
    queued = (Contact.campaign_id == campaign_id, Contact.state == _QUEUED)
    with db.read_session() as session:
        waiting = bool(session.scalar(select(exists().where(*queued))))
        next_due = session.scalar(select(func.min(Contact.next_attempt_at)).where(*queued))
    return Queue(waiting, next_due)


def lease_end(lease: float) -> ColumnElement[datetime]:
    """The database server's now, plus the lease (claims and runner leases use it)."""
    return func.now() + timedelta(seconds=lease)


def claim_due(
    db: Database, campaign_id: int, owner: str, now: datetime, limit: int, lease: float
) -> list[Candidate]:
    """Team: claim up to `limit` due contacts (in input order) no live runner holds."""
    if limit <= 0:
        return []
    with db.session() as session:
        pick = (
            select(Contact.id)
            .where(
                *_due(campaign_id, now),
                or_(
                    Contact.claimed_by.is_(None),
                    Contact.claimed_by == owner,
                    Contact.lease_until < func.now(),
                ),
            )
            .order_by(Contact.next_attempt_at.is_not(None), Contact.position)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(
            session.execute(
                update(Contact)
                .where(Contact.id.in_(pick.scalar_subquery()))
                .values(claimed_by=owner, lease_until=lease_end(lease), fence=Contact.fence + 1)
                .returning(
                    *_CANDIDATE_COLUMNS, Contact.fence, Contact.next_attempt_at, Contact.position
                )
                .execution_options(synchronize_session=False)
            )
        )
    rows.sort(key=lambda r: (r[8] is not None, r[9]))
    return [Candidate.from_row(r, fence=r[7]) for r in rows]


def release(db: Database, owner: str, contact_ids: list[int]) -> None:
    """Team: give back claims this runner did not turn into intents."""
    if not contact_ids:
        return
    with db.session() as session:
        session.execute(
            update(Contact)
            .where(Contact.id.in_(contact_ids), Contact.claimed_by == owner)
            .values(claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )


def renew_claims(session: Session, owner: str, lease: float) -> None:
    """Team: the heartbeat extends this runner's claims with its lease."""
    session.execute(
        update(Contact)
        .where(Contact.claimed_by == owner, Contact.state == _QUEUED)
        .values(lease_until=lease_end(lease))
    )


def release_all(session: Session, owners: Sequence[str]) -> None:
    """Team: every claim of runners that left or died is given back."""
    if owners:
        session.execute(
            update(Contact)
            .where(Contact.claimed_by.in_(list(owners)))
            .values(claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
