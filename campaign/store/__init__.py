"""The store: SQLAlchemy tables, opening/migrating a database, the queries others share."""

from campaign.store.db import Database, database_url, open_db

__all__ = ["Database", "database_url", "open_db"]
