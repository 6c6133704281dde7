"""What a runner reads back about its calls: the open ones after a restart or a take-over,
connected calls still owed their details, and which call_ids attempts already claim."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import OPEN_ATTEMPTS, AttemptStatus
from campaign.store.models import Attempt


@dataclass(frozen=True)
class OpenAttempt:
    attempt_id: int
    contact_id: int
    state: AttemptStatus
    call_id: str | None
    to_number: str
    from_number: str
    requested_at: datetime
    voicy_status: str | None
    runner: str | None


def open_attempts(
    session: Session,
    campaign_id: int,
    *,
    owner: str | None = None,
    ids: Iterable[int] | None = None,
    states: tuple[AttemptStatus, ...] = (AttemptStatus.PLACED, AttemptStatus.UNKNOWN),
) -> list[OpenAttempt]:
    """Placed and unknown attempts of the campaign (of `owner`'s, or only `ids`)."""
    query = select(
        Attempt.id,
        Attempt.contact_id,
        Attempt.state,
        Attempt.call_id,
        Attempt.to_number,
        Attempt.from_number,
        Attempt.requested_at,
        Attempt.voicy_status,
        Attempt.runner,
    ).where(Attempt.campaign_id == campaign_id, Attempt.state.in_(states))
    if owner is not None:
        query = query.where(Attempt.runner == owner)
    if ids is not None:
        query = query.where(Attempt.id.in_(list(ids)))
    return [
        OpenAttempt(r[0], r[1], AttemptStatus(r[2]), r[3], r[4], r[5], r[6], r[7], r[8])
        for r in session.execute(query).all()
    ]


def details_due(
    session: Session,
    campaign_id: int,
    *,
    owner: str | None = None,
    ids: Iterable[int] | None = None,
) -> list[tuple[int, str]]:
    """(attempt id, call_id) of connected calls whose details were not fetched yet."""
    query = select(Attempt.id, Attempt.call_id).where(
        Attempt.campaign_id == campaign_id,
        Attempt.category == "connected",
        Attempt.details_fetched.is_(False),
        Attempt.call_id.is_not(None),
    )
    if owner is not None:
        query = query.where(Attempt.runner == owner)
    if ids is not None:
        query = query.where(Attempt.id.in_(list(ids)))
    return [(int(a), str(c)) for a, c in session.execute(query).all()]


def claimed_call_ids(session: Session, call_ids: Iterable[str]) -> set[str]:
    """Of `call_ids`, those an attempt (of any campaign) already has."""
    wanted = list(call_ids)
    if not wanted:
        return set()
    found = session.scalars(select(Attempt.call_id).where(Attempt.call_id.in_(wanted)))
    return {c for c in found if c}


def open_attempt_count(session: Session, campaign_id: int, *, not_owner: str | None = None) -> int:
    """Open attempts of the campaign (with `not_owner`: of runners other than that one)."""
    query = (
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.campaign_id == campaign_id, Attempt.state.in_(OPEN_ATTEMPTS))
    )
    if not_owner is not None:
        query = query.where(Attempt.runner != not_owner)
    return int(session.scalar(query) or 0)
