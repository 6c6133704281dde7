"""What every request handler shares: the database, the clock, the cached views."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from starlette.requests import Request

from campaign.clock import Clock
from campaign.outcomes.status import campaign_status, campaign_summaries
from campaign.store.db import Database
from campaign.web.chart_cache import ChartCache
from campaign.web.contact_queries import waiting_contacts
from campaign.web.lookup import campaign_ids, campaign_ref
from campaign.web.snapshots import Snapshots
from campaign.web.views import CampaignView, ListRow, campaign_view, list_row

LIST = ("list",)
#: What a snapshot key computes: the campaign list, or one campaign's page.
View = CampaignView | list[ListRow]


def campaign_key(campaign_id: int) -> tuple[str, int]:
    return ("campaign", campaign_id)


@dataclass
class WebContext:
    db: Database
    clock: Clock
    views: Snapshots[View]
    charts: ChartCache

    def campaign(self, campaign_id: int) -> CampaignView:
        view = self.views.get(campaign_key(campaign_id))
        assert isinstance(view, CampaignView)
        return view

    def campaign_list(self) -> list[ListRow]:
        rows = self.views.get(LIST)
        assert isinstance(rows, list)
        return rows

    def changed(self, campaign_id: int) -> None:
        """This process changed the campaign: show it on the next request, not a second later."""
        self.views.invalidate(campaign_key(campaign_id))
        self.views.invalidate(LIST)

    def close(self) -> None:
        self.views.close()
        self.charts.close()


def compute_view(db: Database, clock: Clock, db_argument: str | None, key: Hashable) -> View:
    """A fresh view for a snapshot key (see `Snapshots`); `db_argument` is serve's `--db`."""
    if key == LIST:
        now = clock.now()
        ids = campaign_ids(db)
        return [
            list_row(ids[s.name], s, now)
            for s in campaign_summaries(db, clock=clock)
            if s.name in ids
        ]
    assert isinstance(key, tuple) and key[0] == "campaign"
    ref = campaign_ref(db, int(key[1]))
    status = campaign_status(db, ref.name, clock=clock, db_argument=db_argument)
    return campaign_view(ref, status, waiting_contacts(db, ref, status.as_of))


def context_of(request: Request) -> WebContext:
    context = request.app.state.web
    assert isinstance(context, WebContext)
    return context
