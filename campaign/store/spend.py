"""What a campaign has spent: one read over its attempts, whichever source recorded the cost.

`call_cost` is written on each connected call's attempt by `campaign.calls.details` (from
call-get or a webhook delivery); the spending cap (`campaign.engine.spend`), status, the page
and the report read it here, so every runner of a team (PostgreSQL) sees the same figures.
The expected cost of a call still in progress is learned from the campaign's ended calls
(a call that did not connect costs nothing): their mean cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import OPEN_ATTEMPTS, AttemptStatus
from campaign.store.models import Attempt


@dataclass(frozen=True)
class Spend:
    total: float
    currency: str | None
    #: Ended calls whose cost is known (connected with a cost, or not connected: free).
    known_calls: int
    #: Connected calls with a recorded cost.
    costed: int
    #: Calls that may still cost: open attempts, and connected ones whose cost is not in yet.
    in_flight: int

    @property
    def per_call(self) -> float:
        """Expected cost of one dial, from the calls so far (0 before any is known)."""
        return self.total / self.known_calls if self.known_calls else 0.0

    @property
    def per_connected(self) -> float | None:
        return self.total / self.costed if self.costed else None

    def committed(self, extra_calls: int = 0) -> float:
        """Recorded spend plus the expected cost of the calls in progress (and `extra`)."""
        return self.total + self.per_call * (self.in_flight + extra_calls)


def spend_of(session: Session, campaign_id: int) -> Spend:
    connected = Attempt.category == "connected"
    uncosted = connected & Attempt.cost.is_(None) & Attempt.details_fetched.is_(False)
    ended = Attempt.state == AttemptStatus.ENDED
    row = session.execute(
        select(
            func.coalesce(func.sum(Attempt.cost), 0.0),
            func.max(Attempt.currency),
            func.sum(case((ended & ~uncosted, 1), else_=0)),
            func.sum(case((Attempt.cost.is_not(None), 1), else_=0)),
            func.sum(case((Attempt.state.in_(OPEN_ATTEMPTS) | (ended & uncosted), 1), else_=0)),
        ).where(Attempt.campaign_id == campaign_id, Attempt.state != AttemptStatus.NOT_PLACED)
    ).one()
    total, currency, known, costed, in_flight = row
    return Spend(
        float(total or 0.0), currency, int(known or 0), int(costed or 0), int(in_flight or 0)
    )
