"""What a campaign has spent: one read over its attempts, whichever source recorded the cost.

`call_cost` is written on each connected call's attempt by `campaign.calls.details` (from
call-get or a webhook delivery); the spending cap (`campaign.engine.spend`), status, the page
and the report read it here, so every runner of a team (PostgreSQL) sees the same figures.

The expected cost of a call still in progress (`per_call_in_flight`) is cautious: any call in
progress may connect, and the calls still talking are the long ones (short calls end, and
teach their cost, first), so until `LEARNED` connected calls have a cost it is the dearest
one so far, then their mean. Learned from this campaign's calls, else from this database's
past calls with the same agent (`past_calls`), else not known yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import OPEN_ATTEMPTS, AttemptStatus
from campaign.store.models import Attempt

#: Connected calls with a cost after which their mean is trusted for the calls in progress.
LEARNED = 30


@dataclass(frozen=True)
class Spend:
    total: float
    currency: str | None
    #: Placed calls that ended.
    ended: int
    #: Connected calls with a recorded cost.
    costed: int
    #: Calls that may still cost: open attempts, and connected ones whose cost is not in yet.
    in_flight: int
    #: Mean cost of a connected call in this database's past calls with the same agent.
    prior: float | None = None
    #: The dearest connected call so far.
    dearest: float | None = None

    @property
    def per_connected(self) -> float | None:
        """Mean cost of a connected call: this campaign's, else the past calls' prior."""
        return self.total / self.costed if self.costed else self.prior

    @property
    def learned(self) -> bool:
        """Enough connected calls have a cost for their mean to be trusted."""
        return self.costed >= LEARNED

    @property
    def per_call_in_flight(self) -> float | None:
        """What a call in progress is expected to cost (see the module; None: not known)."""
        if self.costed and self.costed < LEARNED and self.dearest is not None:
            return max(self.dearest, self.per_connected or 0.0)
        return self.per_connected

    def committed(self, extra_calls: int = 0) -> float:
        """Recorded spend plus the expected cost of the calls in progress (and `extra`)."""
        return self.total + (self.per_call_in_flight or 0.0) * (self.in_flight + extra_calls)


def spend_of(session: Session, campaign_id: int, *, with_prior: bool = True) -> Spend:
    """The campaign's spend; `with_prior`: and, before its first cost, the past calls' mean
    (a scan of this database's calls with the agent: the cap reads it once)."""
    connected = Attempt.category == "connected"
    uncosted = connected & Attempt.cost.is_(None) & Attempt.details_fetched.is_(False)
    ended = Attempt.state == AttemptStatus.ENDED
    row = session.execute(
        select(
            func.coalesce(func.sum(Attempt.cost), 0.0),
            func.max(Attempt.currency),
            func.sum(case((ended, 1), else_=0)),
            func.sum(case((Attempt.cost.is_not(None), 1), else_=0)),
            func.sum(case((Attempt.state.in_(OPEN_ATTEMPTS) | (ended & uncosted), 1), else_=0)),
            func.max(Attempt.cost),
        ).where(Attempt.campaign_id == campaign_id, Attempt.state != AttemptStatus.NOT_PLACED)
    ).one()
    total, currency, ended_calls, costed, in_flight, dearest = row
    prior = None
    if not costed and with_prior:
        agent = session.scalar(
            select(Attempt.agent_id).where(Attempt.campaign_id == campaign_id).limit(1)
        )
        past = past_calls(session, agent, exclude_campaign=campaign_id)
        prior = past.per_connected if past is not None else None
    return Spend(
        float(total or 0.0),
        currency,
        int(ended_calls or 0),
        int(costed or 0),
        int(in_flight or 0),
        prior,
        float(dearest) if dearest is not None else None,
    )


@dataclass(frozen=True)
class PastCalls:
    """This database's ended calls with one agent: what an estimate is learned from."""

    calls: int
    connected: int
    costed: int
    total: float
    currency: str | None

    @property
    def answer_rate(self) -> float:
        return self.connected / self.calls if self.calls else 0.0

    @property
    def per_connected(self) -> float | None:
        return self.total / self.costed if self.costed else None

    def estimate(self, calls: int) -> float | None:
        """calls x answer rate x mean cost of a connected call (None: no cost known yet)."""
        per = self.per_connected
        return None if per is None else calls * self.answer_rate * per


def past_calls(
    session: Session, agent_id: str | None, *, exclude_campaign: int | None = None
) -> PastCalls | None:
    """Ended calls with `agent_id` (None: calls without an agent id) in this database."""
    query = select(
        func.count(),
        func.sum(case((Attempt.category == "connected", 1), else_=0)),
        func.sum(case((Attempt.cost.is_not(None), 1), else_=0)),
        func.coalesce(func.sum(Attempt.cost), 0.0),
        func.max(Attempt.currency),
    ).where(Attempt.state == AttemptStatus.ENDED)
    query = query.where(
        Attempt.agent_id == agent_id if agent_id is not None else Attempt.agent_id.is_(None)
    )
    if exclude_campaign is not None:
        query = query.where(Attempt.campaign_id != exclude_campaign)
    calls, connected, costed, total, currency = session.execute(query).one()
    if not calls:
        return None
    return PastCalls(int(calls), int(connected or 0), int(costed or 0), float(total), currency)
