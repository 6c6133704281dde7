"""One runner per campaign: a lock row with a heartbeat, taken over safely when stale.

The lock lives in the campaign row and is taken with one conditional UPDATE, so two
processes racing for it cannot both win. A stale lock (see `campaign.store.runners`) may be
taken over. A runner whose heartbeat finds the lock taken by someone else stops dialing.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import or_, update

from campaign.errors import CampaignBusy
from campaign.store.db import Database
from campaign.store.models import Campaign
from campaign.store.runners import holder_is_alive

HEARTBEAT_EVERY = 5.0


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunnerIdentity:
    pid: int = field(default_factory=os.getpid)
    host: str = field(default_factory=socket.gethostname)
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def owner(self) -> str:
        return f"{self.pid}@{self.host}:{self.token}"


def acquire(db: Database, campaign_id: int, me: RunnerIdentity) -> None:
    """Take the campaign's lock or raise CampaignBusy naming the live holder."""
    now = _now()
    with db.session() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise CampaignBusy(f"campaign {campaign_id} vanished")
        previous = campaign.lock_owner
        if previous and previous != me.owner and holder_is_alive(campaign, now):
            since = (
                campaign.lock_acquired_at.isoformat(timespec="seconds")
                if (campaign.lock_acquired_at)
                else "?"
            )
            raise CampaignBusy(
                f"campaign {campaign.name!r} is being run by another process "
                f"(pid {campaign.lock_pid} on {campaign.lock_host}, since {since}); "
                "wait for it to finish, or stop it with `python -m campaign pause "
                f"{campaign.name}`"
            )
        result = session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .where(
                or_(
                    Campaign.lock_owner.is_(None),
                    Campaign.lock_owner == previous,
                )
            )
            .values(
                lock_owner=me.owner,
                lock_pid=me.pid,
                lock_host=me.host,
                lock_acquired_at=now,
                lock_heartbeat_at=now,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise CampaignBusy("another process took the campaign's lock at the same moment")


def heartbeat(db: Database, campaign_id: int, me: RunnerIdentity) -> bool:
    """Refresh the lock; False when another runner has taken it (stop dialing at once)."""
    with db.session() as session:
        result = session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.lock_owner == me.owner)
            .values(lock_heartbeat_at=_now())
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release(db: Database, campaign_id: int, me: RunnerIdentity) -> None:
    with db.session() as session:
        session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.lock_owner == me.owner)
            .values(lock_owner=None, lock_pid=None, lock_host=None, lock_heartbeat_at=None)
        )
