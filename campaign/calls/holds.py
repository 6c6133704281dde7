"""Holds: contacts a rule keeps from being dialed until a time, written set-based.

A hold has a reason (`WaitReason`), an optional detail for people, the instant the contact
becomes callable, and a scope that says how much it covers:

- `CAMPAIGN`: every contact (e.g. `--start-at`). One row: the campaign's `hold_*` columns.
  No contact row is written; readers apply it (`waiting_columns`).
- `ZONE`: every queued contact with the same zone key (e.g. their calling window is closed).
  One UPDATE per zone, whatever the number of contacts in it.
- `CONTACT`: one contact (the min gap and the daily cap look at that number's calls). One
  executemany for a dispatcher's batch.

A contact's zone key is written once, with the key the rules give (contacts with the same
key open and close together): the first time a rule holds a contact for its zone, the
dispatcher zones the next few thousand contacts at once (`zone_ahead`), so one statement
then holds all of them; from then on one statement holds the whole zone. Computing a key
is a phonenumbers lookup; an import that fills `contacts.zone_key` with the same key saves it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from campaign.calls.transitions import Step, contact_from
from campaign.calls.vocab import OPEN_ATTEMPTS, ContactState, Outcome, WaitReason
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign, Contact, UTCDateTime


class HoldScope(StrEnum):
    CAMPAIGN = "campaign"
    ZONE = "zone"
    CONTACT = "contact"


@dataclass(frozen=True)
class Hold:
    """Not callable before `until`, because of `reason` (`detail`: e.g. which holiday)."""

    until: datetime
    reason: WaitReason
    detail: str | None = None
    scope: HoldScope = HoldScope.CONTACT


def zone_ahead(
    db: Database, campaign_id: int, key_of: Callable[[str, str | None], str], limit: int
) -> int:
    """Give up to `limit` queued contacts without a zone key theirs, in list order (one
    transaction): a zone hold then covers them all. How many were zoned."""
    with db.session() as session:
        rows = session.execute(
            select(Contact.id, Contact.to_number, Contact.timezone)
            .where(
                Contact.campaign_id == campaign_id,
                Contact.state == ContactState.QUEUED,
                Contact.zone_key.is_(None),
            )
            .order_by(Contact.position)
            .limit(limit)
        ).all()
        set_zones(session, [(i, key_of(str(number), zone)) for i, number, zone in rows])
    return len(rows)


def set_zones(session: Session, zones: Iterable[tuple[int, str]]) -> None:
    """Contacts' zone keys, as the rules computed them (one executemany)."""
    rows = [{"b_contact": contact_id, "b_key": key} for contact_id, key in zones]
    if not rows:
        return
    contacts = Contact.__table__
    assert isinstance(contacts, Table)
    session.execute(
        update(contacts)
        .where(contacts.c.id == bindparam("b_contact"))
        .values(zone_key=bindparam("b_key")),
        rows,
    )


def _claimable(owner: str | None) -> list[ColumnElement[bool]]:
    """Team: leave alone the contacts another live runner has claimed."""
    if owner is None:
        return []
    return [
        or_(
            Contact.claimed_by.is_(None),
            Contact.claimed_by == owner,
            Contact.lease_until < func.now(),
        )
    ]


def hold_zone(
    session: Session, campaign_id: int, zone: str, hold: Hold, *, owner: str | None = None
) -> int:
    """Every queued contact of the zone due before `hold.until` waits until then.

    The never-called ones and those due earlier are two ranges of one index (campaign,
    zone, due time): contacts already held are not even visited.
    """
    of_zone = (
        Contact.campaign_id == campaign_id,
        Contact.zone_key == zone,
        Contact.state.in_(contact_from(Step.HELD)),
        *_claimable(owner),
    )
    due_before = union_all(
        select(Contact.id).where(*of_zone, Contact.next_attempt_at.is_(None)),
        select(Contact.id).where(*of_zone, Contact.next_attempt_at < hold.until),
    )
    result = session.execute(
        update(Contact)
        .where(Contact.id.in_(due_before.scalar_subquery()))
        .values(next_attempt_at=hold.until, wait_reason=hold.reason, wait_detail=hold.detail)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def hold_contacts(
    session: Session, holds: Iterable[tuple[int, Hold]], *, owner: str | None = None
) -> None:
    """Each contact waits until its own hold's time (one executemany)."""
    rows = [
        {"b_contact": contact_id, "b_until": h.until, "b_reason": h.reason, "b_detail": h.detail}
        for contact_id, h in holds
    ]
    if not rows:
        return
    contacts = Contact.__table__
    assert isinstance(contacts, Table)
    (queued,) = contact_from(Step.HELD)  # one state: executemany takes no IN list
    query = update(contacts).where(
        contacts.c.id == bindparam("b_contact"), contacts.c.state == queued
    )
    if owner is not None:
        query = query.where(contacts.c.claimed_by == owner)
    session.execute(
        query.values(
            next_attempt_at=bindparam("b_until"),
            wait_reason=bindparam("b_reason"),
            wait_detail=bindparam("b_detail"),
        ),
        rows,
    )


def hold_campaign(session: Session, campaign_id: int, hold: Hold | None) -> None:
    """The campaign-wide hold (None: lifted); no contact row is written."""
    session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(
            hold_until=hold.until if hold else None,
            hold_reason=hold.reason if hold else None,
            hold_detail=hold.detail if hold else None,
        )
        .execution_options(synchronize_session=False)
    )


def cancel_waiting(session: Session, campaign_id: int, now: datetime) -> int:
    """Every contact not yet called (and with no open call) ends as `canceled`."""
    open_attempt = exists().where(
        Attempt.contact_id == Contact.id, Attempt.state.in_(OPEN_ATTEMPTS)
    )
    result = session.execute(
        update(Contact)
        .where(
            Contact.campaign_id == campaign_id,
            Contact.state.in_(contact_from(Step.CANCELED)),
            ~open_attempt,
        )
        .values(
            state=ContactState.DONE,
            outcome=Outcome.CANCELED,
            final_at=now,
            wait_reason=None,
            wait_detail=None,
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CampaignHold:
    """A campaign's stored campaign-wide hold, as readers apply it."""

    until: datetime
    reason: str
    detail: str | None = None

    @classmethod
    def of(cls, campaign: Campaign, now: datetime | None = None) -> CampaignHold | None:
        """The campaign's stored hold (if it still holds at `now`, when given)."""
        until, reason = campaign.hold_until, campaign.hold_reason
        if until is None or reason is None or (now is not None and until <= now):
            return None
        return cls(until, reason, campaign.hold_detail)


def waiting_columns(
    hold: CampaignHold | None,
) -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """(next due, wait reason, wait detail) of a queued contact with the campaign-wide hold
    applied: a contact due before the hold's end waits for the hold. Readers use these."""
    if hold is None:
        return (
            Contact.next_attempt_at.expression,
            Contact.wait_reason.expression,
            Contact.wait_detail.expression,
        )
    held = and_(
        Contact.state == ContactState.QUEUED,
        or_(Contact.next_attempt_at.is_(None), Contact.next_attempt_at <= hold.until),
    )
    return (
        case((held, literal(hold.until, UTCDateTime())), else_=Contact.next_attempt_at),
        case((held, literal(hold.reason, String())), else_=Contact.wait_reason),
        case((held, literal(hold.detail, Text())), else_=Contact.wait_detail),
    )


#: The reason `queued_waits` gives the contacts due now.
READY = "ready"


def queued_waits(
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
