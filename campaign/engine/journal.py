"""The campaign's event log as the runner writes it: one line per thing people should see."""

from __future__ import annotations

from typing import Any

from campaign.clock import Clock
from campaign.store.db import Database
from campaign.store.queries import add_event


class Journal:
    def __init__(self, db: Database, campaign_id: int, clock: Clock) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.clock = clock

    def note(self, kind: str, message: str, data: dict[str, Any] | None = None) -> None:
        with self.db.session() as session:
            add_event(
                session, self.clock.now(), kind, message, campaign_id=self.campaign_id, data=data
            )
