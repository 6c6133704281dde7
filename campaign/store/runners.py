"""Who runs a campaign, as `status`, `pause` and the runners themselves read it.

Alone (SQLite) a campaign's single runner is its lock holder: the lock lives in the campaign
row (`campaign.engine.coordination.lock` takes it). It is judged on wall-clock time (not the
campaign's possibly compressed clock), because it is about processes, not calls: a lock
whose process is gone (same host, pid not alive) or whose heartbeat is older than
`STALE_AFTER` is stale. In a team (PostgreSQL) runners register in `runners` with a lease
the engine renews; the live ones are those whose lease has not passed.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import OPEN_ATTEMPTS, ContactState
from campaign.store.models import Attempt, Campaign, Contact, RunnerRecord

STALE_AFTER = timedelta(seconds=30)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_is_alive(campaign: Campaign, now: datetime | None = None) -> bool:
    """Whether the campaign's lock belongs to a live runner."""
    if not campaign.lock_owner:
        return False
    now = now or datetime.now(UTC)
    same_host = campaign.lock_host == socket.gethostname()
    if same_host and campaign.lock_pid is not None and not _pid_alive(campaign.lock_pid):
        return False
    beat = campaign.lock_heartbeat_at
    return beat is not None and now - beat < STALE_AFTER


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
        .where(Attempt.runner.in_(ids), Attempt.state.in_(OPEN_ATTEMPTS))
        .group_by(Attempt.runner)
    ).all():
        held[str(owner)] = held.get(str(owner), 0) + int(count)
    for owner, count in session.execute(
        select(Contact.claimed_by, func.count())
        .where(
            Contact.claimed_by.in_(ids),
            Contact.state == ContactState.QUEUED,
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
