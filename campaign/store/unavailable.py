"""Which database errors mean "the store cannot be used now" (not a bug), and their fix.

SQLite says so in the error's text: a full disk (`database or disk is full`, and the I/O
error some filesystems give instead), a file or folder the process may not write
(`readonly database`), a lock another program kept past the busy timeout (`database is
locked`: a backup tool, a viewer). Each becomes a `StoreUnavailable` naming the path and
the fix (a lock: `StoreLocked`, which a run waits out); anything else stays what it was.

PostgreSQL gone (restart, failover, a network blip): the connection was lost or could not
be made. Connection-level failures carry no SQLSTATE (refused, closed, reset) or one of
class 08 (connection exception) or 57P (the server shutting down, crashed, or not accepting
yet); SQLAlchemy also marks a connection it invalidated as a disconnect. A server that
answered the connection and refused it for good (no such database or role, a wrong
password) is not gone: waiting would not help, the message tells the fix.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import DBAPIError

from campaign.errors import StoreLocked, StoreUnavailable, StoreUnreachable

#: How long SQLite itself waits for a lock another program holds (seconds); past it a run
#: waits on, retrying with backoff and saying so (`campaign.engine.db_outage`).
BUSY_WAIT = 5.0

_SERVER_GONE = ("08", "57P")
#: A server that answered the connection with one of these is on its way up or down.
_TRANSIENT_REFUSALS = (
    "starting up",
    "shutting down",
    "recovery mode",
    "not yet accepting connections",
    "not accepting connections",
    "too many clients",
    "remaining connection slots",
)


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
        kinds = {cls.__name__ for cls in type(orig).__mro__}  # ConnectionTimeout is one too
        if not kinds & {"OperationalError", "InterfaceError"}:
            return False
        text = str(orig)
        return "FATAL:" not in text or any(words in text for words in _TRANSIENT_REFUSALS)
    return str(sqlstate).startswith(_SERVER_GONE)


def is_locked(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's lock held by another program past the busy timeout."""
    if isinstance(exc, StoreLocked):
        return True
    return isinstance(exc, DBAPIError) and "database is locked" in str(exc.orig).lower()


def is_store_down(exc: BaseException) -> bool:
    """Whether `exc` means "wait and try again": the server gone, or the file locked."""
    return isinstance(exc, StoreUnreachable) or is_server_gone(exc) or is_locked(exc)


def store_problem(exc: DBAPIError, where: str, sqlite: bool) -> StoreUnavailable | None:
    """The user-facing error for `exc` raised on the store at `where`, or None (a bug)."""
    if not sqlite:
        return None
    text = str(exc.orig).lower()
    folder = Path(where).expanduser().resolve().parent
    if "disk is full" in text:
        return StoreUnavailable(
            f"database {where}: the disk is full, nothing more can be written (no call is "
            "dialed without its record)",
            fix=f"free space on the disk of {folder} (or move the file elsewhere)",
        )
    if "disk i/o error" in text:
        return StoreUnavailable(
            f"database {where}: the disk refused a write (full, failing, or turned read-only)",
            fix=f"check the disk of {folder} (free space, `dmesg`, mount options)",
        )
    if "readonly database" in text or "read-only" in text or "unable to open" in text:
        return StoreUnavailable(
            f"database {where} cannot be written: the file, its folder or its filesystem is "
            "read-only (or the folder is gone)",
            fix=f"make {where} and {folder} writable (chmod u+w, or remount read-write)",
        )
    if "database is locked" in text:
        return StoreLocked(
            f"database {where} is locked by another program (a backup tool or a database viewer?)",
            fix="close that program",
        )
    return None
