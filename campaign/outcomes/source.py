"""The database outcomes read: an open `Database`, or a path/URL that must already exist.

Reading never creates a database: `status` in the wrong folder should say so, not leave an
empty `campaign.db` behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from campaign.errors import InputError
from campaign.store.db import Database, open_db
from campaign.store.rehearsals import REHEARSAL_DB
from campaign.store.url import database_url

DatabaseLike = Database | str | os.PathLike[str] | None


def open_existing(db: str | os.PathLike[str] | None = None) -> Database:
    """Open the store at `db` (path, URL, or $CAMPAIGN_DB / ./campaign.db) if it exists."""
    url = make_url(database_url(db))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(str(url.database)).expanduser()
        if not path.is_file():
            hint = ""
            rehearsals = path.parent / REHEARSAL_DB
            if path.name != REHEARSAL_DB and rehearsals.is_file():
                hint = f" (rehearsals, run with --simulate, are in {rehearsals}: --db {rehearsals})"
            raise InputError(
                f"no campaign database at {path}; pass --db PATH (or set CAMPAIGN_DB) "
                f"to the file `python -m campaign run` created{hint}"
            )
    return open_db(url.render_as_string(hide_password=False))


@contextmanager
def reading(db: DatabaseLike) -> Iterator[Database]:
    """`db` as an open Database; one opened here is closed on exit."""
    if isinstance(db, Database):
        yield db
        return
    opened = open_existing(db)
    try:
        yield opened
    finally:
        opened.dispose()
