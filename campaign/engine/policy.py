"""What happens to a contact after a call ends or a dial makes none: final, or again later.

Pure decisions (no store, no clock of their own): the answer is a `campaign.calls.fate.
Decision` the calls package writes. A goal, a callback or a spending cap is a new input
here, deciding from what the call said.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from campaign.calls.fate import Decision
from campaign.calls.vocab import Outcome, WaitReason
from campaign.engine.settings import RETRYABLE, RunSettings
from campaign.voicy.models import StatusCategory

#: Backoff for dials that certainly were not placed (network down, 429, 5xx refused).
NOT_PLACED_BACKOFF = (5.0, 15.0, 60.0, 300.0)
#: After this many consecutive not-placed dials a contact is given up as failed.
MAX_NOT_PLACED = 8

__all__ = [
    "MAX_NOT_PLACED",
    "NOT_PLACED_BACKOFF",
    "Decision",
    "after_call",
    "after_details",
    "after_not_placed",
    "dial_order",
]


def after_call(
    category: StatusCategory,
    status: str,
    placed_attempts: int,
    settings: RunSettings,
    now: datetime,
) -> Decision:
    """Decide a contact's fate from the final status of its latest call."""
    if category == "connected":
        return Decision.ends(Outcome.CONNECTED)
    if category == "failed":
        if status in RETRYABLE and placed_attempts < settings.max_attempts:
            delay = settings.retry_delay(status)
            return Decision.again_at(now + timedelta(seconds=delay))
        reason = (
            f"{status} after {placed_attempts} attempt(s)"
            if status in RETRYABLE
            else f"call {status}"
        )
        return Decision.ends(Outcome.FAILED, reason)
    return Decision.ends(Outcome.UNKNOWN, f"call ended with unknown status {status}")


def after_details(
    *,
    goal_reached: bool | None,
    callback_at: datetime | None,
    placed_attempts: int,
    settings: RunSettings,
    ended_at: datetime,
    callback_words: str | None = None,
) -> Decision | None:
    """A connected call's fate from what it said (None: it stays plain `connected`).

    `goal_reached` is None without a --goal. The goal wins over everything: nobody is
    called again once they reached it. Then a callback the person asked for (`callback_at`,
    already moved into their calling window), then `--retry-delay no_goal=DUR`; each only
    while --max-attempts allows another call.
    """
    if goal_reached:
        return Decision.ends(Outcome.GOAL_REACHED)
    more = placed_attempts < settings.max_attempts
    if callback_at is not None and more:
        return Decision(
            final=False,
            next_attempt_at=callback_at,
            reason=WaitReason.CALLBACK,
            detail=callback_words,
        )
    delay = settings.no_goal_delay
    if goal_reached is False and delay is not None and more:
        return Decision(
            final=False,
            next_attempt_at=ended_at + timedelta(seconds=delay),
            reason=WaitReason.NO_GOAL,
            detail=f"connected without the goal (attempt {placed_attempts})",
        )
    if goal_reached is False:
        return Decision.ends(Outcome.NO_GOAL)
    return None


def after_not_placed(not_placed_so_far: int, now: datetime, retry_at: float | None) -> Decision:
    """A dial that never took effect: try again after a backoff, without counting it."""
    if not_placed_so_far >= MAX_NOT_PLACED:
        return Decision.ends(
            Outcome.FAILED, f"the API refused {not_placed_so_far} dials to this number"
        )
    delay = (
        NOT_PLACED_BACKOFF[min(not_placed_so_far, len(NOT_PLACED_BACKOFF)) - 1]
        if (not_placed_so_far > 0)
        else NOT_PLACED_BACKOFF[0]
    )
    due = now + timedelta(seconds=delay)
    if retry_at is not None:
        due = max(due, datetime.fromtimestamp(retry_at, tz=now.tzinfo))
    return Decision.again_at(due)


def requeue_now(now: datetime) -> Decision:
    """Not placed for a reason that is not this contact's (a refused key or from-number,
    the key's lines full): due again at once, once the cause is gone."""
    return Decision.again_at(now)


class Due(Protocol):
    """A due contact as far as the order of dials goes: the calls it was placed so far."""

    @property
    def attempts(self) -> int: ...


D = TypeVar("D", bound=Due)


def dial_order(due: Iterable[D], max_attempts: int) -> list[D]:
    """The order to dial due contacts in: the longest redial chains still possible first
    (never-called contacts, then redials with more attempts to come), list order among
    equals. A contact that may still need three calls, each after a retry delay, bounds the
    campaign's end more than one on its last attempt: starting its chain first keeps the
    tail short."""
    return sorted(due, key=lambda contact: -max(0, max_attempts - contact.attempts))
