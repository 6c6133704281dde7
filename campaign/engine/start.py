"""Creating a campaign exactly as `run` does, for every front end (CLI, web, library)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from campaign.engine.create import create_campaign
from campaign.engine.history import check_same_list
from campaign.engine.settings import RunSettings
from campaign.engine.suppression import import_dnc_file
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import Campaign
from campaign.store.rehearsals import ensure_apart

if TYPE_CHECKING:
    from campaign.contacts import ContactRows


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
