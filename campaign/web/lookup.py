"""Finding the campaign a URL names, and the person's name in an input row."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from campaign.calls.holds import CampaignHold
from campaign.i18n import gettext_
from campaign.store.db import Database
from campaign.store.models import Campaign
from campaign.web.errors import NotFound

#: Headers (lower case, letters and digits only) that hold a person's name, in display order.
_NAME_HEADERS = (
    "name",
    "fullname",
    "contactname",
    "customername",
    "patientname",
    "clientname",
    "firstname",
    "first",
    "givenname",
    "forename",
    "prenom",
    "nombre",
    "vorname",
    "lastname",
    "last",
    "surname",
    "familyname",
    "nom",
    "apellido",
    "nachname",
    "שם",
)


@dataclass(frozen=True)
class CampaignRef:
    """The few campaign fields every page needs."""

    id: int
    name: str
    state: str
    source_columns: tuple[str, ...]
    phone_column: str | None
    settings: dict[str, Any]
    #: A campaign-wide hold (e.g. --start-at) the contacts due before its end wait for.
    hold: CampaignHold | None = None

    @property
    def name_columns(self) -> tuple[str, ...]:
        return name_columns(self.source_columns, self.phone_column)

    @property
    def url(self) -> str:
        return f"/campaigns/{self.id}"


#: Ids beyond this cannot be stored (SQLite and PostgreSQL integers are 64-bit).
MAX_ID = 2**63 - 1


def campaign_ids(db: Database) -> dict[str, int]:
    """Every campaign's id by name (names are unique)."""
    with db.read_session() as session:
        return {name: id_ for id_, name in session.execute(select(Campaign.id, Campaign.name))}


def campaign_ref(db: Database, campaign_id: int) -> CampaignRef:
    """The campaign with this id, or a 404 naming the fix."""
    with db.read_session() as session:
        campaign = session.get(Campaign, campaign_id) if 0 < campaign_id <= MAX_ID else None
        if campaign is None:
            raise NotFound(
                gettext_(
                    "There is no campaign number %(id)s in this database. "
                    "Pick one from the campaign list."
                )
                % {"id": campaign_id}
            )
        return CampaignRef(
            id=campaign.id,
            name=campaign.name,
            state=campaign.state,
            source_columns=tuple(campaign.source_columns or ()),
            phone_column=campaign.phone_column,
            settings=dict(campaign.settings or {}),
            hold=CampaignHold.of(campaign),
        )


def _normalized(header: str) -> str:
    return re.sub(r"[\W_]+", "", header.lower())


def name_columns(columns: Sequence[str], phone_column: str | None = None) -> tuple[str, ...]:
    """The input columns that make up a person's name (`first_name`, `last_name`...)."""
    rank = {header: index for index, header in enumerate(_NAME_HEADERS)}
    found = [column for column in columns if column != phone_column and _normalized(column) in rank]
    if not found:  # e.g. `Patient`, `Kunde`: fall back to a header that says "name"
        found = [c for c in columns if c != phone_column and "name" in c.lower()][:1]
    return tuple(sorted(found, key=lambda column: rank.get(_normalized(column), len(rank))))


def display_name(raw: Mapping[str, Any] | None, columns: Sequence[str]) -> str:
    if not isinstance(raw, Mapping):
        return ""
    parts = [str(raw.get(column) or "").strip() for column in columns]
    return " ".join(part for part in parts if part)
