"""Using campaign from Python: open a database, list campaigns, read results as DataFrames.

    import campaign
    db = campaign.open_db("campaign.db")
    for summary in campaign.list_campaigns(db):
        print(summary.name, summary.state, summary.outcomes)
    frame = campaign.results(db, "spring-recall")          # what `export` writes
    again = campaign.results(db, "spring-recall", only=["failed", "pending"])

Everything here only reads the database, so it is safe while a campaign runs elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from campaign.clock import Clock
from campaign.outcomes.export import ExportResult, export
from campaign.outcomes.frames import read_campaign_rows
from campaign.outcomes.results import attempts_frame, results_frame
from campaign.outcomes.source import DatabaseLike, reading
from campaign.outcomes.status import (
    CampaignStatus,
    CampaignSummary,
    campaign_status,
    campaign_summaries,
)
from campaign.store.db import Database, open_db

__all__ = [
    "CampaignStatus",
    "CampaignSummary",
    "Database",
    "ExportResult",
    "export",
    "list_campaigns",
    "open_db",
    "results",
    "status",
]


def results(
    db: DatabaseLike,
    name: str | None = None,
    *,
    attempts: bool = False,
    only: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Campaign `name`'s results (default: the newest campaign) as a DataFrame.

    One row per input row in input order (rejected and duplicate rows included), or one row
    per placed call with `attempts=True`; `only` keeps the given outcomes. The columns are
    those `python -m campaign export` writes; datetimes are timezone-aware UTC.
    """
    with reading(db) as database:
        rows = read_campaign_rows(database, name, transcripts=attempts)
    return attempts_frame(rows, only=only) if attempts else results_frame(rows, only=only)


def list_campaigns(db: DatabaseLike, *, clock: Clock | None = None) -> list[CampaignSummary]:
    """Every campaign in the database, newest first, with its state and outcome counts."""
    with reading(db) as database:
        return campaign_summaries(database, clock=clock)


def status(
    db: DatabaseLike, name: str | None = None, *, clock: Clock | None = None
) -> CampaignStatus:
    """Where campaign `name` (default: the newest) stands now."""
    with reading(db) as database:
        return campaign_status(database, name, clock=clock)
