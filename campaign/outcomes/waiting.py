"""Why a campaign's queued contacts wait: a count and the first due time per reason.

Read for `status` and the campaign page. A campaign-wide hold (`--start-at`) is applied as
`campaign.calls.holds.waiting_columns` does, without a CASE per contact: the contacts due
by the hold's end (or, without one, by now) are counted on an index alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from campaign.calls.holds import CampaignHold
from campaign.calls.vocab import ContactState, WaitReason
from campaign.store.models import Campaign, Contact

#: The reason of the contacts due now.
READY = "ready"


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
    found = _waits(session, campaign.id, hold, now)
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


def _waits(
    session: Session, campaign_id: int, hold: CampaignHold | None, now: datetime
) -> dict[str, tuple[int, datetime | None]]:
    """(count, first due) of the queued contacts by why they wait (`READY`: due now).

    The contacts due by `edge` (the hold's end, else now) all wait for one reason (the
    hold's, else none): counted on the (campaign, state, due time) index alone. Only those
    due later are read for their own reason, usually a few."""
    edge = hold.until if hold is not None else now
    queued = (Contact.campaign_id == campaign_id, Contact.state == ContactState.QUEUED)
    by_edge = or_(Contact.next_attempt_at.is_(None), Contact.next_attempt_at <= edge)
    first = session.scalar(select(func.count()).where(*queued, by_edge)) or 0
    found: dict[str, tuple[int, datetime | None]] = {}
    if first:
        found[READY if hold is None else hold.reason] = (int(first), edge if hold else None)
    reason = func.coalesce(Contact.wait_reason, WaitReason.REDIAL.value).label("why")
    rows = session.execute(
        select(reason, func.count(), func.min(Contact.next_attempt_at))
        .where(*queued, Contact.next_attempt_at > edge)
        .group_by("why")  # by the label: PostgreSQL does not match repeated bound parameters
    ).all()
    for why, count, due in rows:
        before, earlier = found.get(str(why), (0, None))
        if earlier is not None and (due is None or earlier < due):
            due = earlier  # the hold's reason also said by a contact due after it
        found[str(why)] = (before + int(count), due)
    return found


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
