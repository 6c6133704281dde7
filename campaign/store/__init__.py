"""The store: SQLAlchemy tables, opening/migrating a database, the queries others share.

`Database`, `open_db` and `database_url` are loaded when first used, so that importing one
of the store's light modules (`url`) does not load SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from campaign.store.db import Database, open_db
    from campaign.store.url import database_url

__all__ = ["Database", "database_url", "open_db"]


def __getattr__(name: str) -> Any:
    if name == "database_url":
        from campaign.store import url

        return url.database_url
    if name in ("Database", "open_db"):
        from campaign.store import db

        return getattr(db, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
