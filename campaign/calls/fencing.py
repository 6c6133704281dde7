"""Fencing the writes of several runners (PostgreSQL): only an attempt's owner writes it.

Every write about a call carries the runner's `Fence`. The attempts it touches are locked
and checked in the writing transaction: one another runner has taken over (this runner's
lease ran out) is refused and reported, and the runner stops. One exception: the team's
scanner records the end of a teammate's placed call, a fact read from the API; the attempt
stays its dialer's (see `ends.record_ended`). Alone on SQLite there is no fence: the
campaign's lock is the guarantee.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.store.models import Attempt, RunnerRecord


def _no_one(attempt_ids: list[int]) -> None:
    return None


@dataclass(frozen=True)
class Fence:
    """The runner writes must come from; refused writes are reported to `on_refused`."""

    owner: str
    on_refused: Callable[[list[int]], None] = field(default=_no_one)


def owned(session: Session, attempt_ids: Iterable[int], fence: Fence | None) -> set[int]:
    """The attempts among `attempt_ids` the fence's runner owns, locked until commit."""
    ids = list(attempt_ids)
    if fence is None:
        return set(ids)
    mine = set(
        session.scalars(
            select(Attempt.id)
            .where(Attempt.id.in_(ids), Attempt.runner == fence.owner)
            .with_for_update()
        )
    )
    refused = [i for i in ids if i not in mine]
    if refused:
        fence.on_refused(refused)
    return mine


def registered(session: Session, owner: str) -> bool:
    """Whether this runner is still registered (its row locked against a take-over)."""
    return (
        session.scalar(
            select(RunnerRecord.id).where(RunnerRecord.id == owner).with_for_update(read=True)
        )
        is not None
    )
