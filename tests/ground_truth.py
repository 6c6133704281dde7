"""Checks against the simulator's ground truth: every call the world placed is recorded,
and no number was dialed more than allowed."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from campaign.calls.vocab import PLACED_CALLS
from campaign.simulator import World
from campaign.store.db import Database
from campaign.store.models import Attempt


def placed_per_number(db: Database, campaign_id: int) -> Counter[str]:
    with db.read_session() as session:
        rows = session.execute(
            select(Attempt.to_number).where(
                Attempt.campaign_id == campaign_id, Attempt.state.in_(PLACED_CALLS)
            )
        ).scalars()
        return Counter(rows)


def assert_never_twice(db: Database, campaign_id: int, world: World, max_attempts: int) -> None:
    recorded = placed_per_number(db, campaign_id)
    assert dict(world.dial_counts) == dict(recorded)
    assert max(world.dial_counts.values()) <= max_attempts
    with db.read_session() as session:
        call_ids = set(session.scalars(select(Attempt.call_id).where(Attempt.call_id.is_not(None))))
    assert call_ids == {call.call_id for call in world.calls}
