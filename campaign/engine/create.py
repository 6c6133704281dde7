"""Creating a campaign in the store from an imported contact list (done once, at `run`)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from campaign.engine.contact_batches import JSON_COLUMNS, contact_batches
from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.store.bulk import insert_columns, insert_rows
from campaign.store.db import Database
from campaign.store.models import DONE, QUEUED, READY, Campaign, Contact, Suppression
from campaign.store.queries import add_event

if TYPE_CHECKING:
    from campaign.contacts import ContactRows


def default_name(source_name: str, now: datetime) -> str:
    """`<list>-<date>-<time>`, the date and time as the user reads them (this machine's zone)."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", source_name.rsplit("/", 1)[-1]) or "campaign"
    return f"{stem}-{now.astimezone().strftime('%Y%m%d-%H%M%S')}"


def unique_name(db: Database, wanted: str) -> str:
    with db.read_session() as session:
        taken = set(session.scalars(select(Campaign.name).where(Campaign.name.like(f"{wanted}%"))))
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def create_campaign(
    db: Database,
    contacts: ContactRows,
    settings: RunSettings,
    *,
    now: datetime,
    name: str | None = None,
    fingerprint: str | None = None,
) -> Campaign:
    """Store the campaign and every input row (rejected and duplicate rows included)."""
    if name:
        with db.read_session() as session:
            if session.scalars(select(Campaign.id).where(Campaign.name == name)).first():
                raise InputError(
                    f"a campaign named {name!r} already exists in this database; "
                    f"choose another --name or resume it with `python -m campaign resume {name}`"
                )
    final_name = name or unique_name(db, default_name(contacts.source_name, now))
    with db.session() as session:
        suppressed = set(session.scalars(select(Suppression.e164)))
        campaign = Campaign(
            name=final_name,
            state=READY,
            created_at=now,
            settings=settings.to_json(),
            source_name=contacts.source_name,
            source_columns=list(contacts.columns),
            phone_column=contacts.phone_column,
            fingerprint=fingerprint,
            requests_used=0,
            rate_limited=0,
        )
        session.add(campaign)
        session.flush()
        if hasattr(contacts, "chunks"):  # a ContactList or ContactStream: column-wise
            batches = contact_batches(campaign.id, contacts, suppressed, now)
            insert_columns(session, Contact, batches, json_text=JSON_COLUMNS)
        else:  # any object with rows() (the tests' fakes)
            rows = (_contact_values(campaign.id, row, suppressed, now) for row in contacts.rows())
            insert_rows(session, Contact, rows)
        add_event(
            session,
            now,
            "created",
            f"campaign created from {contacts.source_name}",
            campaign_id=campaign.id,
        )
    return campaign


def _contact_values(
    campaign_id: int, row: Any, suppressed: set[str], now: datetime
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "campaign_id": campaign_id,
        "position": row.position,
        "line": row.line,
        "raw": dict(row.raw),
        "raw_phone": row.raw_phone,
        "to_number": row.e164,
        "import_status": row.status,
        "reason": row.reason,
        "warning": row.warning,
        "duplicate_of_line": row.duplicate_of,
        "vars": dict(row.vars or {}),
        "from_number": row.from_number,
        "agent_id": row.agent_id,
        "timezone": row.timezone,
        "region": row.region,
        "state": QUEUED,
        "attempts": 0,
        "next_attempt_at": None,
        "wait_reason": None,
        "outcome": None,
        "last_status": None,
        "last_call_id": None,
        "error": None,
        "final_at": None,
    }
    if row.status == "invalid":
        values.update(state=DONE, outcome="invalid", error=row.reason, final_at=now)
    elif row.status == "duplicate":
        values.update(state=DONE, outcome="duplicate", final_at=now)
    elif row.e164 in suppressed:
        values.update(state=DONE, outcome="dnc", error="on the do-not-call list", final_at=now)
    return values
