"""Per-contact claims on PostgreSQL: several runners dispatch one campaign without overlap.

A runner claims due contacts with `SELECT … FOR UPDATE SKIP LOCKED` (concurrent runners
skip each other's rows instead of waiting), marks them with its id and a lease, and raises
each contact's fencing token. The intent write (`intents.write_intents`) succeeds only for a
contact still claimed by this runner with the token it read: a runner that paused past its
lease, and whose contact another runner claimed meanwhile, can never write over it.
Claims not turned into intents are released at once; the heartbeat renews the others.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update

from campaign.engine.dispatch import Candidate
from campaign.engine.runners import lease_end
from campaign.store.db import Database
from campaign.store.models import QUEUED, Contact


def claim_due(
    db: Database, campaign_id: int, owner: str, now: datetime, limit: int, lease: float
) -> list[Candidate]:
    """Claim up to `limit` due contacts (in input order) no live runner holds."""
    if limit <= 0:
        return []
    with db.session() as session:
        pick = (
            select(Contact.id)
            .where(
                Contact.campaign_id == campaign_id,
                Contact.state == QUEUED,
                or_(Contact.next_attempt_at.is_(None), Contact.next_attempt_at <= now),
                or_(
                    Contact.claimed_by.is_(None),
                    Contact.claimed_by == owner,
                    Contact.lease_until < func.now(),
                ),
            )
            .order_by(Contact.next_attempt_at.is_not(None), Contact.position)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(
            session.execute(
                update(Contact)
                .where(Contact.id.in_(pick.scalar_subquery()))
                .values(claimed_by=owner, lease_until=lease_end(lease), fence=Contact.fence + 1)
                .returning(
                    Contact.id,
                    Contact.to_number,
                    Contact.from_number,
                    Contact.agent_id,
                    Contact.timezone,
                    Contact.attempts,
                    Contact.fence,
                    Contact.next_attempt_at,
                    Contact.position,
                )
                .execution_options(synchronize_session=False)
            )
        )
    rows.sort(key=lambda r: (r[7] is not None, r[8]))
    return [Candidate.from_row(r, fence=r[6]) for r in rows]


def release(db: Database, owner: str, contact_ids: list[int]) -> None:
    """Give back claims this runner did not turn into intents."""
    if not contact_ids:
        return
    with db.session() as session:
        session.execute(
            update(Contact)
            .where(Contact.id.in_(contact_ids), Contact.claimed_by == owner)
            .values(claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
