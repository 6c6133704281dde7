"""Finding the campaign to resume and the settings it was started with."""

from __future__ import annotations

from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import CANCELED, FINISHED, Campaign
from campaign.store.queries import find_campaign


def prepare_resume(db: Database, name: str | None) -> tuple[Campaign, RunSettings]:
    with db.read_session() as session:
        campaign = find_campaign(session, name, unfinished_only=name is None)
        if campaign.state == FINISHED:
            raise InputError(
                f"campaign {campaign.name!r} is finished: every contact has a final outcome; "
                f"see `python -m campaign report {campaign.name}`"
            )
        if campaign.state == CANCELED:
            raise InputError(
                f"campaign {campaign.name!r} was canceled and cannot be resumed; start a new "
                "one with `python -m campaign run`"
            )
        settings = RunSettings.from_json(dict(campaign.settings or {}))
        session.expunge(campaign)
    return campaign, settings
