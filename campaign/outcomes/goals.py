"""A campaign's goal, spend and callbacks, as status, `status --json`, the page and the report
show them; read from the store alone.

    goal:      {var, value, reached, connected, rate}       rate = reached / people reached
    spend:     {total, currency, cap, per_connected, per_goal, projected_rest, projected_total}
    callbacks: the contacts waiting for a callback they asked for, soonest first
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import ContactState, Outcome, WaitReason, connected_count
from campaign.store.models import Attempt, Contact
from campaign.store.spend import spend_of

#: Callbacks listed by status (the count says how many more).
CALLBACKS_SHOWN = 20


@dataclass(frozen=True)
class GoalFigures:
    var: str
    value: str | None
    reached: int
    connected: int

    @property
    def rate(self) -> float | None:
        return self.reached / self.connected if self.connected else None

    def to_json(self) -> dict[str, Any]:
        return {
            "var": self.var,
            "value": self.value,
            "reached": self.reached,
            "connected": self.connected,
            "rate": self.rate,
        }


@dataclass(frozen=True)
class SpendFigures:
    total: float
    currency: str | None
    cap: float | None
    connected_calls: int
    goals: int | None
    #: Expected spend on the contacts still pending, at this campaign's cost per person.
    projected_rest: float | None

    @property
    def per_connected(self) -> float | None:
        return self.total / self.connected_calls if self.connected_calls else None

    @property
    def per_goal(self) -> float | None:
        return self.total / self.goals if self.goals else None

    @property
    def projected_total(self) -> float | None:
        return None if self.projected_rest is None else self.total + self.projected_rest

    def to_json(self) -> dict[str, Any]:
        return {
            "total": round(self.total, 4),
            "currency": self.currency,
            "cap": self.cap,
            "per_connected": _round(self.per_connected),
            "per_goal": _round(self.per_goal),
            "projected_rest": _round(self.projected_rest),
            "projected_total": _round(self.projected_total),
        }


@dataclass(frozen=True)
class Callback:
    line: int
    to_number: str | None
    at: datetime | None
    detail: str | None


def goal_figures(
    session: Session, campaign_id: int, settings: dict[str, Any], outcomes: dict[str, int]
) -> GoalFigures | None:
    """The goal's figures; `connected` counts every person reached at least once (those
    waiting for a callback or a no-goal redial too)."""
    spec = settings.get("goal")
    if not spec:
        return None
    var, sep, value = str(spec).partition("=")
    reached_once = session.scalar(
        select(func.count(func.distinct(Attempt.contact_id))).where(
            Attempt.campaign_id == campaign_id, Attempt.category == "connected"
        )
    )
    return GoalFigures(
        var=var.strip(),
        value=value.strip() if sep else None,
        reached=int(outcomes.get(Outcome.GOAL_REACHED, 0)),
        connected=max(int(reached_once or 0), connected_count(outcomes)),
    )


def spend_figures(
    session: Session, campaign_id: int, settings: dict[str, Any], outcomes: dict[str, int]
) -> SpendFigures | None:
    """None while no call has a cost and no cap is set."""
    spend = spend_of(session, campaign_id, with_prior=False)
    cap = settings.get("max_cost")
    if not spend.costed and cap is None:
        return None
    dialed = int(
        session.scalar(
            select(func.count()).where(Contact.campaign_id == campaign_id, Contact.attempts > 0)
        )
        or 0
    )
    pending = int(outcomes.get(Outcome.PENDING, 0))
    rest = spend.total / dialed * pending if dialed else None
    goals = int(outcomes.get(Outcome.GOAL_REACHED, 0)) if settings.get("goal") else None
    return SpendFigures(
        total=spend.total,
        currency=spend.currency,
        cap=float(cap) if isinstance(cap, int | float) else None,
        connected_calls=spend.costed,
        goals=goals,
        projected_rest=rest,
    )


def callbacks_due(session: Session, campaign_id: int) -> tuple[int, list[Callback]]:
    """How many contacts wait for a callback, and the first `CALLBACKS_SHOWN` of them."""
    waiting = (
        Contact.campaign_id == campaign_id,
        Contact.state == ContactState.QUEUED,
        Contact.wait_reason == WaitReason.CALLBACK,
        Contact.next_attempt_at.is_not(None),  # a callback has its time: an index range
    )
    count = int(session.scalar(select(func.count()).where(*waiting)) or 0)
    if not count:
        return 0, []
    rows = session.execute(
        select(Contact.line, Contact.to_number, Contact.next_attempt_at, Contact.wait_detail)
        .where(*waiting)
        .order_by(Contact.next_attempt_at)
        .limit(CALLBACKS_SHOWN)
    ).all()
    return count, [Callback(int(line), to, at, detail) for line, to, at, detail in rows]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
