"""The line `validate` and `run --dry-run` print about a list's numbers and the database:
how many of them campaigns called in the last day and week (`history.recent_calls`).

A folder with no database yet needs no store, so the line is said without loading
SQLAlchemy there (`validate` in a new folder starts a quarter of a second sooner).
"""

from __future__ import annotations

from datetime import datetime

from campaign.store.url import database_url, sqlite_file_missing

NO_DATABASE = "No database yet: no number of this list was called before."


def recent_calls_report(db: str | None, numbers: list[str], now: datetime) -> str:
    """The line about `numbers` and the database `db` (a `--db` value), without creating a
    database that does not exist yet."""
    if sqlite_file_missing(database_url(db)):
        return NO_DATABASE
    from campaign.campaigns.history import describe_recent, recent_calls
    from campaign.store.db import open_db

    database = open_db(db)
    try:
        return describe_recent(recent_calls(database, numbers, now))
    finally:
        database.dispose()
