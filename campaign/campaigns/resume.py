"""Continuing a campaign: finding it with the settings it was started with, and the
campaigns a stop interrupted (for the new-campaign page, and the next `serve`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from campaign.calls.vocab import CampaignState
from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import Campaign, Event
from campaign.store.queries import find_campaign


def prepare_resume(db: Database, name: str | None) -> tuple[Campaign, RunSettings]:
    """Campaign `name` (default: the newest unfinished one) and its stored settings."""
    with db.read_session() as session:
        campaign = find_campaign(session, name, unfinished_only=name is None)
        if campaign.state == CampaignState.FINISHED:
            raise InputError(
                f"campaign {campaign.name!r} is finished: every contact has a final outcome; "
                f"see `python -m campaign report {campaign.name}`"
            )
        if campaign.state == CampaignState.CANCELED:
            raise InputError(
                f"campaign {campaign.name!r} was canceled and cannot be resumed; start a new "
                "one with `python -m campaign run`"
            )
        settings = RunSettings.from_json(dict(campaign.settings or {}))
        session.expunge(campaign)
    return campaign, settings


@dataclass(frozen=True)
class Resumable:
    campaign_id: int
    name: str


def interrupted_campaigns(
    db: Database,
    *,
    started_by: str | None = None,
    newest_first: bool = True,
    limit: int | None = None,
) -> list[Resumable]:
    """Campaigns left interrupted; with `started_by`, only those with an event of that kind
    (e.g. the web page's launch marker)."""
    query = select(Campaign.id, Campaign.name).where(Campaign.state == CampaignState.INTERRUPTED)
    if started_by is not None:
        query = query.where(
            Campaign.id.in_(select(Event.campaign_id).where(Event.kind == started_by))
        )
    query = query.order_by(Campaign.id.desc() if newest_first else Campaign.id)
    if limit is not None:
        query = query.limit(limit)
    with db.read_session() as session:
        return [Resumable(int(row[0]), str(row[1])) for row in session.execute(query).all()]
