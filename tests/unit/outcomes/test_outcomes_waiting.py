"""`waiting_counts` (index ranges, no CASE per contact) answers what one grouped CASE over
every queued contact answers, with and without a campaign-wide hold."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import case, func, or_, select, update

from campaign.calls.holds import CampaignHold, waiting_columns
from campaign.calls.vocab import ContactState, WaitReason
from campaign.outcomes.waiting import READY, waiting_counts
from campaign.store.db import Database
from campaign.store.models import Campaign, Contact
from tests.outcomes_factory import T0, queued_contacts, ready_campaign

NOW = T0
HOUR = timedelta(hours=1)
#: (how many, due, why): never due-timed, due already, due before the hold's end, after it.
CONTACTS: list[tuple[int, datetime | None, str | None]] = [
    (3, None, None),
    (2, NOW - HOUR, WaitReason.REDIAL.value),
    (1, NOW, WaitReason.REDIAL.value),  # due right now
    (1, NOW + 3 * HOUR, WaitReason.WINDOW.value),  # due right at a hold's end
    (2, NOW + HOUR, WaitReason.WINDOW.value),
    (1, NOW + 2 * HOUR, None),
    (2, NOW + 5 * HOUR, WaitReason.CALLBACK.value),
    (1, NOW + 6 * HOUR, WaitReason.WINDOW.value),
]


def _reference(db: Database, campaign: Campaign) -> dict[str, tuple[int, Any]]:
    """The one grouped CASE status used before."""
    next_at, wait_reason, _ = waiting_columns(CampaignHold.of(campaign, NOW))
    due = or_(next_at.is_(None), next_at <= NOW)
    reason = case((due, READY), else_=func.coalesce(wait_reason, WaitReason.REDIAL.value))
    with db.read_session() as session:
        rows = session.execute(
            select(reason.label("why"), func.count(), func.min(next_at))
            .where(Contact.campaign_id == campaign.id, Contact.state == ContactState.QUEUED)
            .group_by("why")
        ).all()
    return {str(why): (int(count), first) for why, count, first in rows}


@pytest.mark.parametrize(
    "hold",
    [None, (NOW + 3 * HOUR, WaitReason.SCHEDULED.value), (NOW + 5 * HOUR, "window"), (NOW, "x")],
)
def test_waits_equal_the_grouped_case(db: Database, hold: tuple[datetime, str] | None) -> None:
    campaign_id = ready_campaign(db, contacts=0)
    for line, (count, due, why) in enumerate(CONTACTS):
        queued_contacts(
            db, campaign_id, count, first_line=10 * line + 2, next_attempt_at=due, wait_reason=why
        )
    if hold is not None:
        with db.session() as session:
            session.execute(
                update(Campaign)
                .where(Campaign.id == campaign_id)
                .values(hold_until=hold[0], hold_reason=hold[1])
            )
    with db.read_session() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        ready, waiting = waiting_counts(session, campaign, NOW)
    expected = _reference(db, campaign)
    assert ready == expected.pop(READY, (0, None))[0]
    assert {w.reason: (w.count, w.next_due) for w in waiting} == expected
    assert sum(w.count for w in waiting) + ready == sum(c for c, _, _ in CONTACTS)
