"""The few queries several packages share: finding campaigns, counting outcomes, the log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import CampaignState, Outcome
from campaign.errors import CampaignNotFound
from campaign.store.models import Campaign, Contact, Event


def find_campaign(
    session: Session, name: str | None = None, *, unfinished_only: bool = False
) -> Campaign:
    """The campaign called `name`, or the most recent one (unfinished if asked)."""
    if name:
        found = session.scalars(select(Campaign).where(Campaign.name == name)).first()
        if found is None and name.isdigit():
            found = session.get(Campaign, int(name))
        if found is None:
            names = session.scalars(select(Campaign.name).order_by(Campaign.id.desc()).limit(5))
            known = ", ".join(names) or "none yet"
            raise CampaignNotFound(
                f"no campaign named {name!r} in this database (recent: {known}); "
                "see `python -m campaign list`"
            )
        return found
    query = select(Campaign).order_by(Campaign.id.desc())
    if unfinished_only:
        query = query.where(Campaign.state.in_(CampaignState.unfinished()))
    found = session.scalars(query).first()
    if found is None:
        what = "unfinished campaign" if unfinished_only else "campaign"
        raise CampaignNotFound(
            f"no {what} in this database; start one with `python -m campaign run CONTACTS`"
        )
    return found


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.id.desc())))


def outcome_counts(session: Session, campaign_id: int) -> dict[str, int]:
    """Contacts by outcome; contacts not final yet count under `pending`."""
    # Grouped by the stored column, in the (campaign, outcome) index's order: no sort.
    rows = session.execute(
        select(Contact.outcome, func.count())
        .where(Contact.campaign_id == campaign_id)
        .group_by(Contact.outcome)
    ).all()
    counts: dict[str, int] = {}
    for outcome, count in rows:
        key = str(Outcome.PENDING if outcome is None else outcome)
        counts[key] = counts.get(key, 0) + int(count)
    return dict(sorted(counts.items()))  # by name, as the grouped text came before


def state_counts(session: Session, campaign_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Contact.state, func.count())
        .where(Contact.campaign_id == campaign_id)
        .group_by(Contact.state)
    ).all()
    return {str(state): int(count) for state, count in rows}


def add_event(
    session: Session,
    at: datetime,
    kind: str,
    message: str | None = None,
    *,
    campaign_id: int | None = None,
    contact_id: int | None = None,
    attempt_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        Event(
            campaign_id=campaign_id,
            contact_id=contact_id,
            attempt_id=attempt_id,
            at=at,
            kind=kind,
            message=message,
            data=data,
        )
    )


def latest_instant(session: Session) -> datetime | None:
    """The latest time anything was recorded (simulated runs may be ahead of the wall)."""
    return session.scalar(select(func.max(Event.at)))
