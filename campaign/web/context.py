"""What every request handler shares: the database, the clock, the cached views."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from campaign import i18n
from campaign.clock import Clock
from campaign.outcomes.status import campaign_status, campaign_summaries
from campaign.store.db import Database
from campaign.web.chart_cache import ChartCache
from campaign.web.contact_queries import waiting_contacts
from campaign.web.lookup import campaign_ids, campaign_ref
from campaign.web.snapshots import Snapshots
from campaign.web.views import CampaignView, ListRow, campaign_view, list_row

#: What a snapshot key computes: the campaign list, or one campaign's page, each in one
#: language and reader's time zone (their sentences and times are written for the reader:
#: see campaign.i18n and campaign.formats).
View = CampaignView | list[ListRow]


def list_key(language: str = i18n.DEFAULT, zone: str | None = None) -> tuple[str, str, str | None]:
    return ("list", language, zone)


def campaign_key(
    campaign_id: int, language: str = i18n.DEFAULT, zone: str | None = None
) -> tuple[str, int, str, str | None]:
    return ("campaign", campaign_id, language, zone)


@dataclass
class WebContext:
    db: Database
    clock: Clock
    views: Snapshots[View]
    charts: ChartCache

    def campaign(self, campaign_id: int, language: str | None = None) -> CampaignView:
        """The campaign's page in `language` (default: the request's) and the request's zone."""
        key = campaign_key(campaign_id, language or i18n.current(), i18n.zone())
        view = self.views.get(key)
        assert isinstance(view, CampaignView)
        return view

    def campaign_list(self, language: str | None = None) -> list[ListRow]:
        rows = self.views.get(list_key(language or i18n.current(), i18n.zone()))
        assert isinstance(rows, list)
        return rows

    def changed(self, campaign_id: int) -> None:
        """This process changed the campaign: show it on the next request, not a second later."""
        self.views.invalidate_where(
            lambda key: (
                isinstance(key, tuple)
                and (key[0] == "list" or (key[0] == "campaign" and key[1] == campaign_id))
            )
        )

    def close(self) -> None:
        self.views.close()
        self.charts.close()


def compute_view(db: Database, clock: Clock, db_argument: str | None, key: Hashable) -> View:
    """A fresh view for a snapshot key (see `Snapshots`); `db_argument` is serve's `--db`."""
    assert isinstance(key, tuple)
    token, zone_token = i18n.use(str(key[-2])), i18n.use_zone(key[-1])
    try:
        return _compute(db, clock, db_argument, key)
    finally:
        i18n.reset_zone(zone_token)
        i18n.reset(token)


def _compute(db: Database, clock: Clock, db_argument: str | None, key: tuple[Any, ...]) -> View:
    if key[0] == "list":
        now = clock.now()
        ids = campaign_ids(db)
        return [
            list_row(ids[s.name], s, now)
            for s in campaign_summaries(db, clock=clock)
            if s.name in ids
        ]
    assert key[0] == "campaign"
    ref = campaign_ref(db, int(key[1]))
    status = campaign_status(db, ref.name, clock=clock, db_argument=db_argument)
    return campaign_view(ref, status, waiting_contacts(db, ref, status.as_of))


def context_of(request: Request) -> WebContext:
    context = request.app.state.web
    assert isinstance(context, WebContext)
    return context
