"""The live runners of a campaign (PostgreSQL), as `status` and `pause` read them.

Runners register in `runners` with a lease the engine renews (campaign.engine.runners); on
SQLite the table stays empty and a campaign's single runner is its lock holder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.store.models import OPEN_ATTEMPT_STATES, QUEUED, Attempt, Contact, RunnerRecord


@dataclass(frozen=True)
class LiveRunner:
    id: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    lease_until: datetime
    held: int  # open attempts it owns and queued contacts it has claimed


def live_runners(session: Session, campaign_id: int) -> list[LiveRunner]:
    """Runners of the campaign whose lease has not passed (none on SQLite)."""
    rows = session.execute(
        select(RunnerRecord)
        .where(RunnerRecord.campaign_id == campaign_id, RunnerRecord.lease_until >= func.now())
        .order_by(RunnerRecord.started_at, RunnerRecord.id)
    ).scalars()
    runners = list(rows)
    if not runners:
        return []
    ids = [r.id for r in runners]
    held: dict[str, int] = {}
    for owner, count in session.execute(
        select(Attempt.runner, func.count())
        .where(Attempt.runner.in_(ids), Attempt.state.in_(OPEN_ATTEMPT_STATES))
        .group_by(Attempt.runner)
    ).all():
        held[str(owner)] = held.get(str(owner), 0) + int(count)
    for owner, count in session.execute(
        select(Contact.claimed_by, func.count())
        .where(
            Contact.claimed_by.in_(ids),
            Contact.state == QUEUED,
            Contact.lease_until >= func.now(),
        )
        .group_by(Contact.claimed_by)
    ).all():
        held[str(owner)] = held.get(str(owner), 0) + int(count)
    return [
        LiveRunner(
            id=r.id,
            host=r.host,
            pid=r.pid,
            started_at=r.started_at,
            heartbeat_at=r.heartbeat_at,
            lease_until=r.lease_until,
            held=held.get(r.id, 0),
        )
        for r in runners
    ]
