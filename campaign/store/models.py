"""SQLAlchemy tables: campaigns, contacts, call attempts, events, suppressions, the
runners and per-key request budgets several runners share on PostgreSQL, and the webhook
inbox with its counters.

The store is the only truth: every step of a call is written here (by `campaign.calls`, the
only writer of the state columns) before and after each request, and everything a person
reads (status, export, report, web pages) reads it. The values of the state columns are the
enums of `campaign.calls.vocab`. The schema is created by the migrations in `migrations/`;
a test checks they match this file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the dialect stores."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(20))  # campaign.calls.vocab.CampaignState
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    source_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone_column: Mapped[str | None] = mapped_column(String(200), nullable=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    requested_action: Mapped[str | None] = mapped_column(String(20), nullable=True)
    lock_owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lock_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lock_host: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lock_acquired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lock_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    requests_used: Mapped[int] = mapped_column(Integer, default=0)
    rate_limited: Mapped[int] = mapped_column(Integer, default=0)
    #: Why the last run ended (campaign.calls.vocab.StopReason) and what exactly happened.
    stop_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    stop_detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: A campaign-wide wait (e.g. --start-at): no contact is callable before `hold_until`.
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    hold_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    hold_detail: Mapped[str | None] = mapped_column(Text, nullable=True)


def _not_null(column: str) -> dict[str, Any]:
    """A partial index's predicate, the same on SQLite and PostgreSQL."""
    where = text(f"{column} IS NOT NULL")
    return {"sqlite_where": where, "postgresql_where": where}


#: `Index.info` key: the index's keys grow as a new list's rows go in (the newest campaign,
#: a handful of states and outcomes, positions in order) or it holds none of them (a partial
#: index on a column a new row leaves NULL). A bulk insert keeps such an index up to date,
#: each entry appended at the right edge of its B-tree, instead of sorting it after the rows
#: (store/bulk_sqlite.py; on PostgreSQL, store/bulk_pg.py, a new store's first list).
APPENDED = "appended"


def _appended() -> dict[str, Any]:
    return {"info": {APPENDED: True}}


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index(
            "ix_contacts_dispatch",
            "campaign_id",
            "state",
            "next_attempt_at",
            "position",
            **_appended(),
        ),
        Index("ix_contacts_position", "campaign_id", "position", **_appended()),
        Index("ix_contacts_to_number", "to_number"),
        # Partial: a list comes in with no claims and no zone keys, so these hold only the
        # rows that have one (every query on them compares the column, which implies it is
        # not NULL), and a big list's import does not sort 400k NULLs into each.
        Index("ix_contacts_claimed_by", "claimed_by", **_not_null("claimed_by"), **_appended()),
        Index(
            "ix_contacts_zone_key",
            "campaign_id",
            "zone_key",
            "next_attempt_at",
            **_not_null("zone_key"),
            **_appended(),
        ),
        Index("ix_contacts_outcome", "campaign_id", "outcome", **_appended()),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raw_phone: Mapped[str | None] = mapped_column(Text, nullable=True)
    to_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    import_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    warning: Mapped[str | None] = mapped_column(Text, nullable=True)
    duplicate_of_line: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vars: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    from_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    agent_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    region: Mapped[str | None] = mapped_column(String(8), nullable=True)
    state: Mapped[str] = mapped_column(String(20))  # campaign.calls.vocab.ContactState
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    wait_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)  # WaitReason
    wait_detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Contacts with the same zone key open and close together under the calling rules
    #: (their time zones); filled by the runner when its rules need it. See calls/holds.py.
    zone_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_call_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # PostgreSQL claims (several runners, see engine/claims.py): who may write this contact's
    # intent, until when, and a fencing token raised by every claim.
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    fence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_campaign_state", "campaign_id", "state"),
        Index("ix_attempts_to_number", "to_number", "requested_at"),
        Index("ix_attempts_contact", "contact_id"),
        Index("ix_attempts_runner_state", "runner", "state"),
        Index("ix_attempts_key_state", "key_hash", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))  # campaign.calls.vocab.AttemptStatus
    from_number: Mapped[str] = mapped_column(String(32))
    to_number: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    call_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    runner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    voicy_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    category: Mapped[str | None] = mapped_column(String(20), nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(20), nullable=True)  # EndSource
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    transcript: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    vars_extracted: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    vars_collected: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    cost: Mapped[float | None] = mapped_column(Float, nullable=True)
    currency: Mapped[str | None] = mapped_column(String(8), nullable=True)
    details_fetched: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: sha256 of the API key that dialed (never the key): the concurrent-call cap is per key.
    key_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Event(Base):
    """Append-only log of what happened, for people and for post-mortems."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_campaign", "campaign_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    contact_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Suppression(Base):
    """Numbers no campaign in this database may dial (do-not-call, opt-outs)."""

    __tablename__ = "suppressions"

    e164: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RunnerRecord(Base):
    """A live runner of a campaign on PostgreSQL; its lease is renewed by its heartbeat.

    `id` is the runner's owner string, the value of `attempts.runner` for the calls it owns.
    """

    __tablename__ = "runners"
    __table_args__ = (Index("ix_runners_campaign", "campaign_id"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    key_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())


class KeyBudget(Base):
    """The request budget of one API key, shared by every runner using it (PostgreSQL).

    `grants` is a sliding log of [clock seconds, request kind] of the last minute's grants.
    """

    __tablename__ = "request_budget"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the key
    rate: Mapped[int] = mapped_column(Integer)
    grants: Mapped[list[Any]] = mapped_column(JSON, default=list)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """The webhook inbox: one verified `call_ended` delivery per call id, as it arrived.

    Written only by the webhook receiver (`campaign.store.inbox`), never a contact or attempt
    column: the package that owns a call's life reads it as one more source of "ended" and
    sets `consumed_at`. `body` is the raw request body, so details are recorded without a
    call-get and the signature could be checked again.
    """

    __tablename__ = "webhook_inbox"
    __table_args__ = (
        Index("ix_webhook_inbox_pending", "campaign_id", "consumed_at"),
        Index("ix_webhook_inbox_to_number", "to_number"),
    )

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The campaign and attempt the delivery matched when it arrived (a hint: an attempt
    #: whose dial was unknown is matched by number and may resolve to another call).
    campaign_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    matched_by: Mapped[str] = mapped_column(String(20))
    call_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    from_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[str] = mapped_column(Text)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WebhookCounter(Base):
    """Database-wide webhook counters (accepted, repeated, unknown call, each refusal)."""

    __tablename__ = "webhook_counters"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
