"""The store down for a while, not for good: which errors mean it, the probe that tells it
is back, the words for it, and waiting it out outside a run.

Down is a PostgreSQL server gone (restart, failover, a network blip) or a SQLite file whose
write lock another program holds (a backup tool, a viewer): see
`campaign.store.unavailable`. The runner rides those out inside its loops
(`campaign.engine.db_outage`); the commands' steps before a run (opening the store,
reading or storing the campaign) wait them out here (`patiently`). Every other error stays
what it is.

Nothing waits forever: connections have a connect timeout and TCP keepalives (see
`campaign.store.db`), the probe a statement timeout, so a network black hole is a failed
probe after seconds, never a hang.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from campaign.durations import format_duration
from campaign.errors import StoreUnavailable
from campaign.store.db import Database, display_name
from campaign.store.unavailable import is_locked, is_server_gone, is_store_down
from campaign.store.url import database_url

__all__ = [
    "PROBE_FIRST",
    "PROBE_MAX",
    "gave_up",
    "is_locked",
    "is_server_gone",
    "is_store_down",
    "patiently",
    "reachable",
    "waiting_line",
]

log = logging.getLogger("campaign.store")

#: Real seconds between probes: from the first to the most.
PROBE_FIRST = 0.1
PROBE_MAX = 2.0
#: The probe's own limit (real seconds): an answer slower than this is no answer.
PROBE_TIMEOUT = 5.0
T = TypeVar("T")


def reachable(db: Database) -> bool:
    """One cheap round trip: whether the store answers now (a SQLite file: whether its
    write lock can be taken)."""
    if db.dialect == "sqlite":
        return _sqlite_writable(db)
    try:
        with db.engine.connect() as connection:
            # LOCAL: this transaction only (the pooled connection keeps no timeout).
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(PROBE_TIMEOUT * 1000)}")
            connection.exec_driver_sql("SELECT 1")
        return True
    except DBAPIError as exc:
        if is_server_gone(exc):
            return False
        raise


def _sqlite_writable(db: Database) -> bool:
    path = make_url(db.url).database
    if not path or path == ":memory:":
        return True
    try:
        connection = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    except sqlite3.OperationalError:
        return False
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            return False
        raise
    finally:
        connection.close()


def _limit_text(limit: float) -> str:
    return f"{limit:g} s" if limit < 60 else format_duration(limit)


def waiting_line(where: str, exc: BaseException, limit: float) -> str:
    """What a waiting command or runner says (once) about the outage `exc` began."""
    if is_locked(exc):
        what = f"database {where} is locked by another program (a backup tool or a viewer?)"
    elif isinstance(exc, StoreUnavailable):
        what = exc.problem
    else:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        what = f"database {where} unreachable ({reason})"
    return f"{what}: waiting, retrying for up to {_limit_text(limit)} (--db-outage)"


def gave_up(where: str, exc: BaseException, limit: float, *, then: str) -> StoreUnavailable:
    """The one-line error past `limit` seconds of outage; `then` says what nothing lost."""
    if is_locked(exc):
        return StoreUnavailable(
            f"database {where} stayed locked by another program (a backup tool or a database "
            f"viewer?) for over {_limit_text(limit)}; {then}",
            fix="close that program",
        )
    return StoreUnavailable(
        f"database {where} unreachable for over {_limit_text(limit)}; {then}",
        fix="wait until the database is back",
    )


def patiently(
    step: Callable[[], T],
    where: str,
    *,
    limit: float,
    then: str = "nothing was changed",
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> T:
    """`step()`, run again after each outage of the store (server gone, file locked) until
    it answers, for up to `limit` seconds; then `gave_up`. `step` must be safe to run again
    (one transaction, or reads)."""
    started: float | None = None
    delay = PROBE_FIRST
    while True:
        try:
            done = step()
        except Exception as exc:
            if not is_store_down(exc):
                raise
            now = monotonic()
            if started is None:
                started = now
                log.warning(waiting_line(where, exc, limit))
            left = limit - (now - started)
            if left <= 0:
                given_up = gave_up(where, exc, limit, then=then)
                again = f"{given_up.fix}, then run the same command again"
                raise StoreUnavailable(given_up.problem, fix=again) from exc
            sleep(min(delay, left))
            delay = min(PROBE_MAX, delay * 2)
            continue
        if started is not None:
            log.warning("database %s answers again", where)
        return done


def url_display_name(db: str | None) -> str:
    """The store a `--db` argument names, as messages show it (no password)."""
    return display_name(database_url(db))
