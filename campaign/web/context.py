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
#: language (their sentences are written in the reader's language: see campaign.i18n).
View = CampaignView | list[ListRow]


def list_key(language: str = i18n.DEFAULT) -> tuple[str, str]:
    return ("list", language)


def campaign_key(campaign_id: int, language: str = i18n.DEFAULT) -> tuple[str, int, str]:
    return ("campaign", campaign_id, language)


@dataclass
class WebContext:
    db: Database
    clock: Clock
    views: Snapshots[View]
    charts: ChartCache

    def campaign(self, campaign_id: int, language: str = i18n.DEFAULT) -> CampaignView:
        view = self.views.get(campaign_key(campaign_id, language))
        assert isinstance(view, CampaignView)
        return view

    def campaign_list(self, language: str = i18n.DEFAULT) -> list[ListRow]:
        rows = self.views.get(list_key(language))
        assert isinstance(rows, list)
        return rows

    def changed(self, campaign_id: int) -> None:
        """This process changed the campaign: show it on the next request, not a second later."""
        for language in i18n.LANGUAGES:
            self.views.invalidate(campaign_key(campaign_id, language))
            self.views.invalidate(list_key(language))

    def close(self) -> None:
        self.views.close()
        self.charts.close()


def compute_view(db: Database, clock: Clock, db_argument: str | None, key: Hashable) -> View:
    """A fresh view for a snapshot key (see `Snapshots`); `db_argument` is serve's `--db`."""
    assert isinstance(key, tuple)
    token = i18n.use(str(key[-1]))
    try:
        return _compute(db, clock, db_argument, key)
    finally:
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
