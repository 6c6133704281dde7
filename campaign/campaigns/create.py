"""Creating a campaign exactly as `run` does, for every front end (CLI, web, library).

`prepare_campaign` checks the list against the database (the same list run before), loads
DNC files and stores the campaign; `create_campaign` stores the campaign and every input row
(rejected and duplicate rows included), each row's first state coming from
`campaign.calls.births`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.calls.births import first_state
from campaign.calls.runs import new_campaign
from campaign.campaigns.contact_batches import JSON_COLUMNS, contact_batches
from campaign.campaigns.dnc import import_dnc_file
from campaign.campaigns.history import check_same_list
from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.store.bulk import insert_columns, insert_rows
from campaign.store.db import Database
from campaign.store.models import Campaign, Contact, Suppression
from campaign.store.queries import add_event
from campaign.store.rehearsals import ensure_apart

if TYPE_CHECKING:
    from campaign.contacts import ContactRows
    from campaign.contacts.model import ContactRow


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
    final_name = campaign_name(db, name, contacts.source_name, now)
    with db.session() as session:
        suppressed = set(session.scalars(select(Suppression.e164)))
        campaign = campaign_row(final_name, contacts, settings, now, fingerprint)
        session.add(campaign)
        session.flush()
        if hasattr(contacts, "chunks"):  # a ContactList or ContactStream: column-wise
            batches = contact_batches(campaign.id, contacts, suppressed, now)
            known = getattr(contacts, "known_counts", None)  # a stream read before: its size
            insert_columns(
                session, Contact, batches, json_text=JSON_COLUMNS,
                expected_rows=known.total if known is not None else None,
            )  # fmt: skip
        else:  # any object with rows() (the tests' fakes)
            rows = (_row_values(campaign.id, row, suppressed, now) for row in contacts.rows())
            insert_rows(session, Contact, rows)
        record_created(session, campaign, now)
    return campaign


def record_created(session: Session, campaign: Campaign, now: datetime) -> None:
    """The campaign's first event (in the transaction that stores it)."""
    add_event(
        session, now, "created", f"campaign created from {campaign.source_name}",
        campaign_id=campaign.id,
    )  # fmt: skip


def campaign_name(db: Database, name: str | None, source_name: str, now: datetime) -> str:
    """The name given (refused with the fix when taken), else a free default one."""
    if name:
        with db.read_session() as session:
            if session.scalars(select(Campaign.id).where(Campaign.name == name)).first():
                raise InputError(
                    f"a campaign named {name!r} already exists in this database; "
                    f"choose another --name or resume it with `python -m campaign resume {name}`"
                )
        return name
    return unique_name(db, default_name(source_name, now))


def campaign_row(
    name: str, contacts: ContactRows, settings: RunSettings, now: datetime,
    fingerprint: str | None,
) -> Campaign:  # fmt: skip
    """The campaign's own row, as created (its contacts are stored beside it)."""
    return new_campaign(
        name=name,
        created_at=now,
        settings=settings.to_json(),
        source_name=contacts.source_name,
        source_columns=list(contacts.columns),
        phone_column=contacts.phone_column,
        fingerprint=fingerprint,
        requests_used=0,
        rate_limited=0,
    )


def _row_values(
    campaign_id: int, row: ContactRow, suppressed: set[str], now: datetime
) -> dict[str, Any]:
    """An input row as stored: what the list said, and its first state."""
    return {
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
        **first_state(row.status, row.reason, row.e164 in suppressed, now),
    }


@dataclass
class PreparedCampaign:
    campaign: Campaign
    notes: list[str] = field(default_factory=list)


def prepare_campaign(
    db: Database,
    contact_list: ContactRows,
    settings: RunSettings,
    *,
    now: datetime,
    name: str | None = None,
    dnc_files: Iterable[Path] = (),
    region: str = "US",
    new: bool = False,
    again: bool = False,
) -> PreparedCampaign:
    """Check the list against the database, load DNC files, and store the campaign."""
    from campaign.contacts import list_fingerprint

    if not contact_list.counts["valid"]:
        raise InputError(
            f"{contact_list.source_name} has no valid phone number; run `python -m campaign "
            f"validate {contact_list.source_name}` to see why each row was rejected"
        )
    ensure_apart(db, simulate=settings.simulate)  # before any rule reads the database
    fingerprint = list_fingerprint(contact_list)
    check_same_list(db, fingerprint, new=new, again=again)
    notes = [import_dnc_file(db, Path(path), region, now) for path in dnc_files]
    campaign = create_campaign(
        db, contact_list, settings, now=now, name=name, fingerprint=fingerprint
    )
    return PreparedCampaign(campaign, notes)
