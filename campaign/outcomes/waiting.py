"""Why a campaign's queued contacts wait: a count and the first due time per reason.

Read for `status` and the campaign page. A campaign-wide hold (`--start-at`) is applied as
`campaign.calls.holds.waiting_columns` does, without a CASE per contact
(`campaign.calls.holds.queued_waits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.calls.holds import READY, CampaignHold, queued_waits
from campaign.calls.vocab import ContactState, WaitReason
from campaign.store.models import Campaign, Contact


@dataclass(frozen=True)
class Waiting:
    """Queued contacts not callable yet for one reason, and when the first becomes due."""

    reason: str
    count: int
    next_due: datetime | None
    #: What the first of them waits for in words (`holiday (Yom Kippur)`), if the rule said.
    detail: str | None = None


def waiting_counts(
    session: Session, campaign: Campaign, now: datetime
) -> tuple[int, list[Waiting]]:
    """Queued contacts due now, and the rest grouped by why they wait (a campaign-wide hold
    applied: see `campaign.calls.holds`)."""
    hold = CampaignHold.of(campaign, now)
    found = queued_waits(session, campaign.id, hold, now)
    ready = found.pop(READY, (0, None))[0]
    order = {why.value: index for index, why in enumerate(WaitReason)}
    waiting = [
        Waiting(reason=why, count=count, next_due=first, detail=(
            hold.detail if hold is not None and why == hold.reason and first == hold.until
            else _first_detail(session, campaign.id, why, first)
        ))
        for why, (count, first) in sorted(found.items(), key=lambda kv: order.get(kv[0], 99))
    ]  # fmt: skip
    return ready, waiting


def _first_detail(
    session: Session, campaign_id: int, reason: str, due: datetime | None
) -> str | None:
    """The wait detail of the first contact due for `reason` (one index lookup)."""
    if due is None:
        return None
    return session.scalar(
        select(Contact.wait_detail)
        .where(
            Contact.campaign_id == campaign_id,
            Contact.state == ContactState.QUEUED,
            Contact.next_attempt_at == due,
            Contact.wait_reason == reason,
        )
        .limit(1)
    )
