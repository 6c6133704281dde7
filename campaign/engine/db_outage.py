"""Riding out a store outage (a PostgreSQL restart, failover or network blip; a SQLite file
another program keeps locked) without a person.

Each of the runner's loops runs inside `ride`: when one meets the store down
(`campaign.store.outage.is_store_down`), it stops where it was and waits; the first to
notice says so once (a warning on the `campaign.store` logger) and probes with a cheap
round trip, backing off from 0.1 s to 2 s (real time: this is about machines, not calls).
Meanwhile nothing is dialed (the dispatcher is one of the waiting loops), calls in flight
stay tracked in memory and their answers wait in the recorder. When the store answers,
`on_back` runs once (renew the lease and claims, write the kept answers, make unknown the
intents whose answer could not be written, reload the open calls), then every loop goes on.

The run's first steps (taking the lock or lease, reading the campaign) and its last ones
(writing its end, letting go) ride the same way, each with its own `on_back` (nothing to
recover there), so a store down at the very start or end is waited out too. Past `limit`
seconds of outage: a clean stop, `StoreUnavailable` naming the database and the fix (the
runner adds the resume command).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import anyio
import anyio.to_thread

from campaign.errors import StoreUnavailable
from campaign.store.db import Database
from campaign.store.outage import (
    PROBE_FIRST,
    PROBE_MAX,
    gave_up,
    is_store_down,
    reachable,
    waiting_line,
)

__all__ = [
    "DEFAULT_LIMIT",
    "PROBE_FIRST",
    "PROBE_MAX",
    "DbOutage",
    "store_unavailable_in",
    "unless_store_down",
]

log = logging.getLogger("campaign.store")

#: Default `--db-outage`: how long an outage is ridden out (real seconds).
DEFAULT_LIMIT = 600.0
#: What a stop past the limit leaves (the runner adds the resume command).
_LEFT = "the runner stopped (calls in progress are reconciled on resume, none is dialed twice)"
T = TypeVar("T")
BackHook = Callable[[float], None]


class DbOutage:
    def __init__(self, db: Database, *, limit: float, on_back: BackHook) -> None:
        self.db = db
        self.limit = limit
        self._on_back = on_back  # called with the outage's length in seconds
        self._back: anyio.Event | None = None
        self.since: float | None = None  # time.monotonic() of the current outage's start
        self.outages = 0
        self.gave_up = False  # past the limit: the run stops

    @property
    def down(self) -> bool:
        return self._back is not None

    async def ride(self, loop: Callable[[], Awaitable[T]], *, on_back: BackHook | None = None) -> T:
        """Run `loop` to its end, waiting out (and restarting it after) every outage;
        `on_back` (default: the one given at construction) runs once the store is back."""
        while True:
            try:
                return await loop()
            except Exception as exc:
                if not is_store_down(exc):
                    raise
                await self.wait_back(exc, on_back)

    async def wait_back(self, cause: BaseException, on_back: BackHook | None = None) -> None:
        """Until the store answers again (the first caller probes; the others wait)."""
        back = self._back
        if back is not None:
            await back.wait()
            if self.gave_up:  # the run is stopping (its task group is being cancelled)
                await anyio.sleep_forever()
            return
        self._back = back = anyio.Event()
        self.since = started = time.monotonic()
        self.outages += 1
        where = self.db.display_name()
        log.warning(waiting_line(where, cause, self.limit))
        delay = PROBE_FIRST
        try:
            while True:
                left = self.limit - (time.monotonic() - started)
                if left <= 0:
                    self.gave_up = True
                    raise gave_up(where, cause, self.limit, then=_LEFT)
                await anyio.sleep(min(delay, left))
                delay = min(PROBE_MAX, delay * 2)
                if not await anyio.to_thread.run_sync(reachable, self.db):
                    continue
                try:
                    (on_back or self._on_back)(time.monotonic() - started)
                except Exception as exc:
                    if not is_store_down(exc):
                        raise
                    continue  # gone again: keep probing
                log.warning("database %s answers again", where)
                return
        finally:
            self._back, self.since = None, None
            back.set()


@contextlib.contextmanager
def unless_store_down() -> Iterator[None]:
    """Best effort: letting go of a store that is down (a lease lapses by itself)."""
    try:
        yield
    except Exception as exc:
        if not (isinstance(exc, StoreUnavailable) or is_store_down(exc)):
            raise


def store_unavailable_in(exc: BaseException) -> StoreUnavailable | None:
    """The store refusing writes, found in `exc` or among a task group's errors."""
    if isinstance(exc, StoreUnavailable):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = store_unavailable_in(inner)
            if found is not None:
                return found
    return None
