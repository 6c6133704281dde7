"""The runners of one campaign on PostgreSQL: registration, leases, taking over the dead.

Each runner has a row in `runners` with a lease on the database server's clock (so the
runner machines' clocks do not matter), renewed by its heartbeat. A runner whose lease has
passed is dead, whatever the reason (machine gone, process killed, paused too long): the
first live runner to notice takes over its open attempts in one transaction. Its intents
become unknown and are reconciled exactly as `resume` does on SQLite; its placed calls are
tracked to their end by the new owner; its row is deleted.

A runner whose row is gone was declared dead: its heartbeat fails and it stops at once, and
every write it still tries is refused by the ownership checks (`attempts.runner`, the
contact fences, its row in `write_intents`). Leases are judged only on time, never on a
pid: on several machines (or containers) a pid says nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from campaign.durations import parse_duration
from campaign.engine.lock import RunnerIdentity
from campaign.errors import InputError
from campaign.store import queries
from campaign.store.db import Database
from campaign.store.models import (
    INTENT,
    OPEN_ATTEMPT_STATES,
    QUEUED,
    UNKNOWN,
    Attempt,
    Campaign,
    Contact,
    RunnerRecord,
)
from campaign.store.queries import add_event
from campaign.store.runners import LiveRunner, live_runners

__all__ = ["LiveRunner", "TakeOver", "live_runners", "register", "renew", "take_over"]

#: Real seconds a runner stays alive without a heartbeat; `CAMPAIGN_LEASE` (e.g. 30s).
DEFAULT_LEASE = 30.0


def lease_seconds() -> float:
    """The lease from `CAMPAIGN_LEASE` (a duration such as `30s`), default 30 s."""
    text = os.environ.get("CAMPAIGN_LEASE", "").strip()
    if not text:
        return DEFAULT_LEASE
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise InputError(f"CAMPAIGN_LEASE={text!r}: {exc} (e.g. 30s)") from exc
    if seconds < 1:
        raise InputError(f"CAMPAIGN_LEASE={text!r} is too short; use at least 1s")
    return seconds


def heartbeat_every(lease: float) -> float:
    """Real seconds between heartbeats: several chances to renew before the lease ends."""
    return max(0.2, min(5.0, lease / 6))


def lease_end(lease: float) -> ColumnElement[datetime]:
    """The database server's now, plus the lease."""
    return func.now() + timedelta(seconds=lease)


def register(
    db: Database, campaign_id: int, me: RunnerIdentity, key_hash: str | None, lease: float
) -> None:
    with db.session() as session:
        session.execute(
            insert(RunnerRecord).values(
                id=me.owner,
                campaign_id=campaign_id,
                host=me.host,
                pid=me.pid,
                key_hash=key_hash,
                started_at=func.now(),
                heartbeat_at=func.now(),
                lease_until=lease_end(lease),
            )
        )


def renew(db: Database, owner: str, lease: float) -> bool:
    """Extend this runner's lease and its claims; False once another runner declared it dead."""
    with db.session() as session:
        result = session.execute(
            update(RunnerRecord)
            .where(RunnerRecord.id == owner)
            .values(heartbeat_at=func.now(), lease_until=lease_end(lease))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        session.execute(
            update(Contact)
            .where(Contact.claimed_by == owner, Contact.state == QUEUED)
            .values(lease_until=lease_end(lease))
        )
        return True


def deregister(session: Session, owner: str) -> None:
    """Leave: the row goes, claims on queued contacts are released."""
    session.execute(delete(RunnerRecord).where(RunnerRecord.id == owner))
    session.execute(
        update(Contact).where(Contact.claimed_by == owner).values(claimed_by=None, lease_until=None)
    )


@dataclass
class TakeOver:
    """What a runner took from dead runners (and from runners that left with open calls)."""

    dead: list[str] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)  # open attempts now owned
    unknown: int = 0  # of them, intents without an answer: to reconcile
    details: list[tuple[int, str]] = field(default_factory=list)  # connected, details due

    def __bool__(self) -> bool:
        return bool(self.dead or self.attempts or self.details)


def take_over(
    db: Database, campaign_id: int, owner: str, now: datetime, *, sweep: bool = False
) -> TakeOver:
    """Adopt the open attempts of dead runners and of none (left, or never registered).

    Connected calls whose details were not fetched yet are adopted from dead runners, and
    with `sweep` (when a runner starts) from every runner no longer registered.
    """
    taken = TakeOver()
    with db.session() as session:
        taken.dead = list(
            session.scalars(
                select(RunnerRecord.id)
                .where(
                    RunnerRecord.campaign_id == campaign_id,
                    RunnerRecord.id != owner,
                    RunnerRecord.lease_until < func.now(),
                )
                .with_for_update(skip_locked=True)
            )
        )
        unowned = or_(
            Attempt.runner.is_(None),
            Attempt.runner.in_(taken.dead),
            Attempt.runner.not_in(select(RunnerRecord.id)),
        )
        rows = session.execute(
            update(Attempt)
            .where(
                Attempt.campaign_id == campaign_id,
                Attempt.state.in_(OPEN_ATTEMPT_STATES),
                unowned,
            )
            .values(runner=owner)
            .returning(Attempt.id, Attempt.state)
            .execution_options(synchronize_session=False)
        ).all()
        taken.attempts = [attempt_id for attempt_id, _ in rows]
        intents = [attempt_id for attempt_id, state in rows if state == INTENT]
        taken.unknown = len(intents)
        if intents:
            session.execute(
                update(Attempt)
                .where(Attempt.id.in_(intents))
                .values(state=UNKNOWN, error="runner stopped before the answer to this dial")
                .execution_options(synchronize_session=False)
            )
        if taken.dead or sweep:
            taken.details = [
                (attempt_id, str(call_id))
                for attempt_id, call_id in session.execute(
                    update(Attempt)
                    .where(
                        Attempt.campaign_id == campaign_id,
                        Attempt.category == "connected",
                        Attempt.details_fetched.is_(False),
                        Attempt.call_id.is_not(None),
                        unowned,
                    )
                    .values(runner=owner)
                    .returning(Attempt.id, Attempt.call_id)
                    .execution_options(synchronize_session=False)
                ).all()
            ]
        if taken.dead:
            session.execute(
                update(Contact)
                .where(Contact.claimed_by.in_(taken.dead))
                .values(claimed_by=None, lease_until=None)
            )
            session.execute(delete(RunnerRecord).where(RunnerRecord.id.in_(taken.dead)))
        if taken:
            who = ", ".join(taken.dead) or "runners that left"
            add_event(
                session,
                now,
                "takeover",
                f"runner {owner} took over {len(taken.attempts)} open call(s) "
                f"({taken.unknown} to reconcile) from {who}",
                campaign_id=campaign_id,
            )
    return taken


def requeue_stranded(db: Database, campaign_id: int) -> None:
    """A contact marked active with no open attempt (cannot normally happen) is requeued."""
    with db.session() as session:
        queries.requeue_stranded(session, campaign_id)


def silent_teammates(session: Session, campaign_id: int, owner: str, beat: float) -> int:
    """Other registered runners that missed two heartbeats: probably dead, lease running."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(RunnerRecord)
            .where(
                RunnerRecord.campaign_id == campaign_id,
                RunnerRecord.id != owner,
                RunnerRecord.heartbeat_at < func.now() - timedelta(seconds=2 * beat),
            )
        )
        or 0
    )


def leave_and_count_others(session: Session, campaign_id: int, owner: str) -> int:
    """Deregister, serialised on the campaign row: the last runner out sees 0 others."""
    session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update()).first()
    deregister(session, owner)
    return len(live_runners(session, campaign_id))
