"""Which database errors mean "the PostgreSQL server went away" (restart, failover, a
network blip): the connection was lost or could not be made. The runner rides those out
(`campaign.engine.db_outage`); every other error stays what it is.

Connection-level failures carry no SQLSTATE (refused, closed, reset) or one of class 08
(connection exception) or 57P (the server shutting down, crashed, or not accepting yet);
SQLAlchemy also marks a connection it invalidated as a disconnect.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from campaign.store.db import Database

_SERVER_GONE = ("08", "57P")


def is_server_gone(exc: BaseException) -> bool:
    """Whether `exc` says the database server is unreachable (not a bug, not a refusal)."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    module = type(orig).__module__ if orig is not None else ""
    if not module.startswith("psycopg"):
        return False
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is None:
        return type(orig).__name__ in ("OperationalError", "InterfaceError")
    return str(sqlstate).startswith(_SERVER_GONE)


def reachable(db: Database) -> bool:
    """One cheap round trip: whether the server answers now."""
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except DBAPIError as exc:
        if is_server_gone(exc):
            return False
        raise
