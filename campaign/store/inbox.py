"""The webhook inbox: verified call_ended deliveries waiting to be used, and their counters.

Who writes what:
- the webhook receiver (`campaign.receiver`) stores each verified delivery with
  `store_delivery` (one row per call id: a repeat is a no-op) and counts every refusal with
  `count`; it never touches a contact or an attempt;
- the package that owns a call's life reads `deliveries_for` (its tracked call ids),
  `deliveries_to` (numbers of dials whose outcome is unknown) or `pending_deliveries`, uses
  each as one more source of "ended", and marks it with `mark_consumed`;
- status, the campaign page and `status --json` read `webhook_stats`.

A delivery is kept when its call id is one this database placed, or when an attempt to the
same number has no call id yet (an intent or an unknown dial the delivery may resolve, or a
201 not recorded yet). Any other call (inbound calls, other tools on the same agent) is
counted as `unknown_call` and dropped. All writes are single short transactions that work the
same on SQLite and PostgreSQL, so several receivers can share one database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from campaign.store.db import Database
from campaign.store.models import Attempt, WebhookCounter, WebhookDelivery

#: How far back an attempt without a call id may be matched by number.
NUMBER_MATCH_WINDOW = timedelta(hours=6)


class CounterKind(StrEnum):
    """Every webhook counter. Refusal kinds have the names of `voicy.webhooks.RefusalReason`."""

    ACCEPTED = "accepted"
    REPEATED = "repeated"
    UNKNOWN_CALL = "unknown_call"
    SIGNATURE_MISSING = "signature_missing"
    SIGNATURE_INVALID = "signature_invalid"
    BODY_TOO_LARGE = "body_too_large"
    MALFORMED_BODY = "malformed_body"
    NOT_CALL_ENDED = "not_call_ended"


SIGNATURE_KINDS = (CounterKind.SIGNATURE_MISSING, CounterKind.SIGNATURE_INVALID)


class Matched(StrEnum):
    CALL_ID = "call_id"  # an attempt of this database has the call id
    NUMBER = "number"  # an attempt to the number has no call id yet


class Stored(StrEnum):
    """What `store_delivery` did with a delivery."""

    NEW = "new"
    REPEATED = "repeated"
    UNKNOWN_CALL = "unknown_call"


@dataclass(frozen=True)
class Delivery:
    """A verified delivery, as the receiver hands it to the store."""

    call_id: str
    body: str
    call_status: str | None = None
    from_number: str | None = None
    to_number: str | None = None


@dataclass(frozen=True)
class InboxEntry:
    """One stored delivery. Read the call with
    `campaign.voicy.webhooks.parse_call_ended(entry.body.encode()).detail`."""

    call_id: str
    campaign_id: int | None
    attempt_id: int | None
    matched_by: Matched
    call_status: str | None
    from_number: str | None
    to_number: str | None
    received_at: datetime
    body: str
    consumed_at: datetime | None

    @classmethod
    def from_row(cls, row: WebhookDelivery) -> InboxEntry:
        return cls(
            call_id=row.call_id,
            campaign_id=row.campaign_id,
            attempt_id=row.attempt_id,
            matched_by=Matched(row.matched_by),
            call_status=row.call_status,
            from_number=row.from_number,
            to_number=row.to_number,
            received_at=row.received_at,
            body=row.body,
            consumed_at=row.consumed_at,
        )


# --- writing (the receiver) ------------------------------------------------------------


def store_delivery(db: Database, delivery: Delivery, now: datetime) -> Stored:
    """Keep a verified delivery once, or count it as a repeat or an unknown call."""
    with db.session() as session:
        seen = select(WebhookDelivery.call_id).where(WebhookDelivery.call_id == delivery.call_id)
        if session.execute(seen).first() is not None:
            _bump(session, CounterKind.REPEATED, now)
            return Stored.REPEATED
        match = _match(session, delivery, now)
        if match is None:
            _bump(session, CounterKind.UNKNOWN_CALL, now)
            return Stored.UNKNOWN_CALL
        campaign_id, attempt_id, matched_by = match
        values = {
            "call_id": delivery.call_id,
            "campaign_id": campaign_id,
            "attempt_id": attempt_id,
            "matched_by": matched_by.value,
            "call_status": delivery.call_status,
            "from_number": delivery.from_number,
            "to_number": delivery.to_number,
            "received_at": now,
            "body": delivery.body,
            "consumed_at": None,
        }
        # Another receiver may store the same call between our read and this insert.
        # (RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.)
        inserted = (
            session.execute(
                _insert(session, WebhookDelivery)
                .values(**values)
                .on_conflict_do_nothing()
                .returning(WebhookDelivery.call_id)
            ).first()
            is not None
        )
        kind = CounterKind.ACCEPTED if inserted else CounterKind.REPEATED
        _bump(session, kind, now)
        return Stored.NEW if inserted else Stored.REPEATED


def count(db: Database, kind: CounterKind, now: datetime) -> None:
    """Count one delivery that was not stored (a refusal)."""
    with db.session() as session:
        _bump(session, kind, now)


def _match(session: Session, delivery: Delivery, now: datetime) -> tuple[int, int, Matched] | None:
    row = session.execute(
        select(Attempt.campaign_id, Attempt.id).where(Attempt.call_id == delivery.call_id)
    ).first()
    if row is not None:
        return int(row[0]), int(row[1]), Matched.CALL_ID
    if not delivery.to_number:
        return None
    query = select(Attempt.campaign_id, Attempt.id).where(
        Attempt.to_number == delivery.to_number,
        Attempt.call_id.is_(None),
        Attempt.requested_at >= now - NUMBER_MATCH_WINDOW,
    )
    if delivery.from_number:
        query = query.where(Attempt.from_number == delivery.from_number)
    row = session.execute(query.order_by(Attempt.requested_at.desc()).limit(1)).first()
    return (int(row[0]), int(row[1]), Matched.NUMBER) if row is not None else None


def _insert(session: Session, table: type[WebhookDelivery] | type[WebhookCounter]) -> Any:
    """INSERT with ON CONFLICT, in the session's dialect (SQLite and PostgreSQL both have it)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _bump(session: Session, kind: CounterKind, now: datetime) -> None:
    statement = _insert(session, WebhookCounter).values(kind=kind.value, count=1, last_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[WebhookCounter.kind],
            set_={"count": WebhookCounter.count + 1, "last_at": now},
        )
    )


# --- reading and consuming (the calls package) -----------------------------------------


def deliveries_for(session: Session, call_ids: Iterable[str]) -> dict[str, InboxEntry]:
    """The stored deliveries of these calls (consumed or not), by call id."""
    ids = list(set(call_ids))
    found: dict[str, InboxEntry] = {}
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.call_id.in_(ids[start : start + 500]))
        )
        found.update((row.call_id, InboxEntry.from_row(row)) for row in rows)
    return found


def deliveries_to(
    session: Session, to_numbers: Iterable[str], *, since: datetime
) -> list[InboxEntry]:
    """Deliveries received since `since` for calls to these numbers (unknown dials)."""
    numbers = list(set(to_numbers))
    if not numbers:
        return []
    rows = session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.to_number.in_(numbers), WebhookDelivery.received_at >= since)
        .order_by(WebhookDelivery.received_at)
    )
    return [InboxEntry.from_row(row) for row in rows]


def pending_deliveries(
    session: Session, campaign_id: int | None = None, *, limit: int = 1000
) -> list[InboxEntry]:
    """Deliveries not consumed yet (of one campaign, when given), oldest first."""
    query = select(WebhookDelivery).where(WebhookDelivery.consumed_at.is_(None))
    if campaign_id is not None:
        query = query.where(WebhookDelivery.campaign_id == campaign_id)
    rows = session.scalars(query.order_by(WebhookDelivery.received_at).limit(limit))
    return [InboxEntry.from_row(row) for row in rows]


def mark_consumed(session: Session, call_ids: Iterable[str], at: datetime) -> int:
    """Mark deliveries as used (in the consumer's own transaction); returns rows marked."""
    ids = list(set(call_ids))
    marked = 0
    for start in range(0, len(ids), 500):
        result = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.call_id.in_(ids[start : start + 500]),
                WebhookDelivery.consumed_at.is_(None),
            )
            .values(consumed_at=at)
        )
        marked += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return marked


# --- figures (status, pages) -----------------------------------------------------------


@dataclass(frozen=True)
class WebhookStats:
    """What people see about webhooks: deliveries of a campaign, and database-wide counters."""

    #: Deliveries stored for the campaign (all campaigns when none was asked for).
    delivered: int
    consumed: int
    last_delivery_at: datetime | None
    #: Database-wide (a refused or unknown delivery belongs to no campaign).
    accepted: int
    repeated: int
    unknown_call: int
    refused_signature: int
    refused_other: int
    last_refused_at: datetime | None
    counters: dict[str, int]

    @property
    def any(self) -> bool:
        return bool(self.delivered or sum(self.counters.values()))


def webhook_stats(session: Session, campaign_id: int | None = None) -> WebhookStats:
    counters = {kind.value: 0 for kind in CounterKind}
    last: dict[str, datetime | None] = {}
    for row in session.scalars(select(WebhookCounter)):
        counters[row.kind] = int(row.count or 0)
        last[row.kind] = row.last_at
    query = select(
        func.count(),
        func.count(WebhookDelivery.consumed_at),
        func.max(WebhookDelivery.received_at),
    )
    if campaign_id is not None:
        query = query.where(WebhookDelivery.campaign_id == campaign_id)
    delivered, consumed, last_delivery = session.execute(query).one()
    refusals = [k for k in CounterKind if k not in _NOT_REFUSALS]
    refused_times = [t for k in refusals if (t := last.get(k.value)) is not None]
    return WebhookStats(
        delivered=int(delivered or 0),
        consumed=int(consumed or 0),
        last_delivery_at=_aware(last_delivery),
        accepted=counters[CounterKind.ACCEPTED],
        repeated=counters[CounterKind.REPEATED],
        unknown_call=counters[CounterKind.UNKNOWN_CALL],
        refused_signature=sum(counters[k] for k in SIGNATURE_KINDS),
        refused_other=sum(counters[k] for k in refusals if k not in SIGNATURE_KINDS),
        last_refused_at=max(refused_times, default=None),
        counters=counters,
    )


_NOT_REFUSALS = (CounterKind.ACCEPTED, CounterKind.REPEATED, CounterKind.UNKNOWN_CALL)


def _aware(value: datetime | None) -> datetime | None:
    """An aggregate may come back without the column's type: naive UTC, or text on SQLite."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
