"""The runners of one campaign on PostgreSQL: registration, leases, who is still alive.

Each runner has a row in `runners` with a lease on the database server's clock (so the
runner machines' clocks do not matter), renewed by its heartbeat. A runner whose lease has
passed is dead, whatever the reason; the first live runner to notice takes over its open
calls (`campaign.calls.recovery.take_over`). A runner whose row is gone was declared dead:
its heartbeat fails and it stops at once, and every write it still tries is refused by the
ownership checks (`attempts.runner`, the contact fences, its row in `write_intents`). Leases
are judged only on time, never on a pid: on several machines a pid says nothing.
"""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from campaign.calls.due import lease_end, release_all, renew_claims
from campaign.durations import parse_duration
from campaign.engine.coordination.lock import RunnerIdentity
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import Campaign, RunnerRecord
from campaign.store.runners import live_runners

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


def register(
    db: Database, campaign_id: int, me: RunnerIdentity, key_hash: str | None, lease: float
) -> None:
    """This runner's row with a fresh lease; again (a commit whose answer a server outage
    lost) it renews the lease."""
    with db.session() as session:
        statement = pg_insert(RunnerRecord).values(
            id=me.owner,
            campaign_id=campaign_id,
            host=me.host,
            pid=me.pid,
            key_hash=key_hash,
            started_at=func.now(),
            heartbeat_at=func.now(),
            lease_until=lease_end(lease),
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[RunnerRecord.id],
                set_={"heartbeat_at": func.now(), "lease_until": lease_end(lease)},
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
        renew_claims(session, owner, lease)
        return True


def deregister(session: Session, owner: str) -> None:
    """Leave: the row goes, claims on queued contacts are released."""
    session.execute(delete(RunnerRecord).where(RunnerRecord.id == owner))
    release_all(session, [owner])


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
