"""The few queries several packages share: finding campaigns, counting outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, literal_column, select, update
from sqlalchemy.orm import Session

from campaign.errors import CampaignNotFound
from campaign.store.models import (
    ACTIVE,
    DONE,
    OPEN_ATTEMPT_STATES,
    QUEUED,
    UNFINISHED_STATES,
    Attempt,
    Campaign,
    Contact,
    Event,
)


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
        query = query.where(Campaign.state.in_(UNFINISHED_STATES))
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
    # A literal, not a bound parameter: PostgreSQL must see the same expression in GROUP BY.
    outcome = func.coalesce(Contact.outcome, literal_column("'pending'")).label("outcome")
    rows = session.execute(
        select(outcome, func.count()).where(Contact.campaign_id == campaign_id).group_by(outcome)
    ).all()
    return {str(outcome): int(count) for outcome, count in rows}


def state_counts(session: Session, campaign_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Contact.state, func.count())
        .where(Contact.campaign_id == campaign_id)
        .group_by(Contact.state)
    ).all()
    return {str(state): int(count) for state, count in rows}


def open_attempt_count(session: Session, campaign_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.campaign_id == campaign_id, Attempt.state.in_(OPEN_ATTEMPT_STATES))
        )
        or 0
    )


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


def requeue_stranded(session: Session, campaign_id: int) -> None:
    """A contact marked active with no open attempt (cannot normally happen) is requeued."""
    open_contacts = select(Attempt.contact_id).where(
        Attempt.campaign_id == campaign_id, Attempt.state.in_(OPEN_ATTEMPT_STATES)
    )
    session.execute(
        update(Contact)
        .where(
            Contact.campaign_id == campaign_id,
            Contact.state == ACTIVE,
            Contact.id.not_in(open_contacts),
        )
        .values(state=QUEUED)
    )


def cancel_waiting_contacts(session: Session, campaign_id: int, now: datetime) -> int:
    """Every contact not yet called (and with no open call) ends as `canceled`."""
    open_attempt = exists().where(
        Attempt.contact_id == Contact.id, Attempt.state.in_(OPEN_ATTEMPT_STATES)
    )
    result = session.execute(
        update(Contact)
        .where(Contact.campaign_id == campaign_id, Contact.state == QUEUED, ~open_attempt)
        .values(
            state=DONE, outcome="canceled", final_at=now, wait_reason=None, next_attempt_at=None
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
