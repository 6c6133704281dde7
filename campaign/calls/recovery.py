"""Picking up after a runner that died: its unanswered intents become unknown (reconciled
before anything else), a contact left active without an open attempt is queued again, and
on PostgreSQL a dead runner's open calls become the live runner's.

A runner whose lease passed is dead, whatever the reason (machine gone, process killed,
paused too long): the first live runner to notice takes over its open attempts in one
transaction. Its intents become unknown and are reconciled exactly as `resume` does on
SQLite; its placed calls are tracked to their end by the new owner; its row is deleted, so
its heartbeat fails and every write it still tries is refused by the fences.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from campaign.calls.due import release_all
from campaign.calls.transitions import Step, attempt_from, contact_from
from campaign.calls.vocab import OPEN_ATTEMPTS, AttemptStatus, ContactState
from campaign.store.models import Attempt, Contact, RunnerRecord
from campaign.store.queries import add_event

UNANSWERED = "runner stopped before the answer to this dial"
UNANSWERED_IN_OUTAGE = "the database was unreachable when the answer to this dial came"


def recover_after_crash(
    session: Session,
    campaign_id: int,
    now: datetime,
    *,
    owner: str | None = None,
    in_flight: Iterable[int] = (),
) -> int:
    """Alone: every unanswered intent of the campaign becomes unknown; how many.

    With `owner` (a runner back from a store outage): that runner's intents, except the
    dials still `in_flight`, whose answers the outage kept from being written."""
    where = [Attempt.campaign_id == campaign_id, Attempt.state.in_(attempt_from(Step.RECOVERED))]
    error = UNANSWERED
    if owner is not None:
        where.append(Attempt.runner == owner)
        error = UNANSWERED_IN_OUTAGE
        keep = list(in_flight)
        if keep:
            where.append(Attempt.id.not_in(keep))
    result = session.execute(
        update(Attempt)
        .where(*where)
        .values(state=AttemptStatus.UNKNOWN, error=error)
        .execution_options(synchronize_session=False)
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


def requeue_stranded(session: Session, campaign_id: int) -> None:
    """A contact marked active with no open attempt (cannot normally happen) is requeued."""
    open_contacts = select(Attempt.contact_id).where(
        Attempt.campaign_id == campaign_id, Attempt.state.in_(OPEN_ATTEMPTS)
    )
    session.execute(
        update(Contact)
        .where(
            Contact.campaign_id == campaign_id,
            Contact.state.in_(contact_from(Step.STRANDED)),
            Contact.id.not_in(open_contacts),
        )
        .values(state=ContactState.QUEUED)
        .execution_options(synchronize_session=False)
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
    session: Session, campaign_id: int, owner: str, now: datetime, *, sweep: bool = False
) -> TakeOver:
    """Team: adopt the open attempts of dead runners and of none (left, or never registered).

    Connected calls whose details were not fetched yet are adopted from dead runners, and
    with `sweep` (when a runner starts) from every runner no longer registered.
    """
    taken = TakeOver()
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
            Attempt.state.in_(attempt_from(Step.TAKEN_OVER)),
            unowned,
        )
        .values(runner=owner)
        .returning(Attempt.id, Attempt.state)
        .execution_options(synchronize_session=False)
    ).all()
    taken.attempts = [attempt_id for attempt_id, _ in rows]
    intents = [attempt_id for attempt_id, state in rows if state == AttemptStatus.INTENT]
    taken.unknown = len(intents)
    if intents:
        session.execute(
            update(Attempt)
            .where(Attempt.id.in_(intents))
            .values(state=AttemptStatus.UNKNOWN, error=UNANSWERED)
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
        release_all(session, taken.dead)
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
