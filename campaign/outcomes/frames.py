"""One campaign's stored rows as pandas DataFrames, read in a single consistent snapshot.

Everything a person reads (export, report) starts here. The read is one transaction, so a
runner writing in another process (SQLite WAL) never shows a half-recorded call.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, String, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import KeyedColumnElement

from campaign.calls.holds import CampaignHold, waiting_columns
from campaign.calls.vocab import PLACED_CALLS
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign, Contact
from campaign.store.queries import find_campaign

#: Attempt states that are placed calls (a call exists at the provider).
PLACED_STATES = PLACED_CALLS

_CONTACT_FIELDS = (
    "id",
    "position",
    "line",
    "raw",
    "raw_phone",
    "to_number",
    "import_status",
    "reason",
    "warning",
    "duplicate_of_line",
    "timezone",
    "region",
    "state",
    "attempts",
    "next_attempt_at",
    "wait_reason",
    "wait_detail",
    "outcome",
    "last_status",
    "last_call_id",
    "error",
    "final_at",
)
_ATTEMPT_FIELDS = (
    "id",
    "contact_id",
    "number",
    "state",
    "from_number",
    "to_number",
    "call_id",
    "requested_at",
    "answered_at",
    "started_at",
    "ended_at",
    "voicy_status",
    "category",
    "duration_ms",
    "summary",
    "vars_extracted",
    "vars_collected",
    "cost",
    "currency",
    "error",
)
_CONTACT_TIMES = ("next_attempt_at", "final_at")
_ATTEMPT_TIMES = ("requested_at", "answered_at", "started_at", "ended_at")
_CONTACT_JSON = ("raw",)
_ATTEMPT_JSON = ("vars_extracted", "vars_collected", "transcript")


@dataclass(frozen=True)
class CampaignInfo:
    """The campaign row, detached from any session."""

    id: int
    name: str
    state: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    source_name: str | None
    source_columns: list[str]
    phone_column: str | None
    settings: dict[str, Any] = field(default_factory=dict)
    requests_used: int = 0
    rate_limited: int = 0

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignInfo:
        return cls(
            id=campaign.id,
            name=campaign.name,
            state=campaign.state,
            created_at=campaign.created_at,
            started_at=campaign.started_at,
            finished_at=campaign.finished_at,
            source_name=campaign.source_name,
            source_columns=list(campaign.source_columns or []),
            phone_column=campaign.phone_column,
            settings=dict(campaign.settings or {}),
            requests_used=campaign.requests_used or 0,
            rate_limited=campaign.rate_limited or 0,
        )


@dataclass(frozen=True)
class CampaignRows:
    """A campaign with its contacts (input order) and its placed calls (by contact, number)."""

    campaign: CampaignInfo
    contacts: pd.DataFrame
    attempts: pd.DataFrame


def read_campaign_rows(
    db: Database, name: str | None = None, *, transcripts: bool = False
) -> CampaignRows:
    """Read campaign `name` (default: the newest) in one transaction."""
    with db.read_session() as session, session.begin():
        campaign = find_campaign(session, name)
        info = CampaignInfo.of(campaign)
        contacts = _contacts_frame(session, campaign)
        attempts = _attempts_frame(session, campaign.id, transcripts=transcripts)
    return CampaignRows(campaign=info, contacts=contacts, attempts=attempts)


def _contacts_frame(session: Session, campaign: Campaign) -> pd.DataFrame:
    table = Contact.__table__.c
    columns = _columns(table, _CONTACT_FIELDS, (*_CONTACT_TIMES, *_CONTACT_JSON))
    # A campaign-wide hold (e.g. --start-at) is applied to the contacts it holds.
    hold = CampaignHold.of(campaign)
    if hold is not None:
        next_at, reason, detail = waiting_columns(hold)
        applied = {
            "next_attempt_at": type_coerce(next_at, String).label("next_attempt_at"),
            "wait_reason": reason.label("wait_reason"),
            "wait_detail": detail.label("wait_detail"),
        }
        columns = [
            applied.get(name, column) for name, column in zip(_CONTACT_FIELDS, columns, strict=True)
        ]
    rows = session.execute(
        select(*columns).where(table.campaign_id == campaign.id).order_by(table.position)
    ).all()
    frame = pd.DataFrame.from_records(
        [tuple(row) for row in rows], columns=list(_CONTACT_FIELDS)
    ).astype(object)
    frame["attempts"] = frame["attempts"].fillna(0).astype("int64")
    frame["duplicate_of_line"] = frame["duplicate_of_line"].astype("Int64")
    return _decoded(frame, _CONTACT_TIMES, _CONTACT_JSON)


def _attempts_frame(session: Session, campaign_id: int, *, transcripts: bool) -> pd.DataFrame:
    names = [*_ATTEMPT_FIELDS, "transcript"] if transcripts else list(_ATTEMPT_FIELDS)
    table = Attempt.__table__.c
    contacts = Contact.__table__.c
    rows = session.execute(
        select(*_columns(table, names, (*_ATTEMPT_TIMES, *_ATTEMPT_JSON)))
        .join_from(Attempt.__table__, Contact.__table__, contacts.id == table.contact_id)
        .where(table.campaign_id == campaign_id, table.state.in_(PLACED_STATES))
        .order_by(contacts.position, table.number, table.id)
    ).all()
    frame = pd.DataFrame.from_records([tuple(row) for row in rows], columns=names).astype(object)
    frame["duration_ms"] = pd.to_numeric(frame["duration_ms"], errors="coerce")
    frame["cost"] = pd.to_numeric(frame["cost"], errors="coerce")
    return _decoded(frame, _ATTEMPT_TIMES, _ATTEMPT_JSON)


def _columns(
    table: ReadOnlyColumnCollection[str, KeyedColumnElement[Any]],
    names: Iterable[str],
    raw: tuple[str, ...],
) -> list[ColumnElement[Any]]:
    """Core columns, those in `raw` without SQLAlchemy's per-value result processing.

    Reading 100,000 contacts, per-value datetime and JSON processors cost more than the
    query; pandas parses a datetime column at once, and json.loads is called directly.
    """
    return [
        type_coerce(table[name], String).label(name) if name in raw else table[name]
        for name in names
    ]


def _decoded(
    frame: pd.DataFrame, times: tuple[str, ...], documents: tuple[str, ...]
) -> pd.DataFrame:
    """Stored datetimes (SQLite text in UTC, or driver datetimes) as aware UTC; JSON decoded
    (a driver that decodes JSON itself, as psycopg does, hands over objects). A SQL NULL
    document is None, never the NaN pandas puts in its place."""
    for name in times:
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    for name in documents:
        if name in frame:
            frame[name] = pd.Series(
                [_document(v) for v in frame[name]], index=frame.index, dtype=object
            )
    return frame


def _document(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value)
    return value if isinstance(value, dict | list) else None
