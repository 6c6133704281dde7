"""Riding out a PostgreSQL outage (a restart, a failover, a network blip) without a person.

Each of the runner's loops runs inside `ride`: when one meets the server gone
(`campaign.store.outage.is_server_gone`), it stops where it was and waits; the first to
notice probes the server with a cheap round trip, backing off from 0.1 s to 5 s (real
time: this is about machines, not calls). Meanwhile nothing is dialed (the dispatcher is
one of the waiting loops), calls in flight stay tracked in memory and their answers wait
in the recorder. When the server answers, `on_back` runs once (renew the lease and
claims, write the kept answers, make unknown the intents whose answer could not be
written, reload the open calls), then every loop goes on. Past `limit` seconds of outage:
a clean stop, `StoreUnavailable` naming the database and the resume command.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import anyio

from campaign.errors import StoreUnavailable
from campaign.store.db import Database
from campaign.store.outage import is_server_gone, reachable

#: Real seconds between probes: from the first to the most.
PROBE_FIRST = 0.1
PROBE_MAX = 5.0
#: Default `--db-outage`: how long an outage is ridden out (real seconds).
DEFAULT_LIMIT = 600.0


class DbOutage:
    def __init__(self, db: Database, *, limit: float, on_back: Callable[[float], None]) -> None:
        self.db = db
        self.limit = limit
        self._on_back = on_back  # called with the outage's length in seconds
        self._back: anyio.Event | None = None
        self.since: float | None = None  # time.monotonic() of the current outage's start
        self.outages = 0

    @property
    def down(self) -> bool:
        return self._back is not None

    async def ride(self, loop: Callable[[], Awaitable[None]]) -> None:
        """Run `loop` to its end, waiting out (and restarting it after) every outage."""
        while True:
            try:
                await loop()
                return
            except Exception as exc:
                if not is_server_gone(exc):
                    raise
                await self.wait_back()

    async def wait_back(self) -> None:
        """Until the server answers again (the first caller probes; the others wait)."""
        back = self._back
        if back is not None:
            await back.wait()
            return
        self._back = back = anyio.Event()
        self.since = started = time.monotonic()
        self.outages += 1
        delay = PROBE_FIRST
        try:
            while True:
                if time.monotonic() - started > self.limit:
                    raise StoreUnavailable(
                        f"database {self.db.display_name()} unreachable for over "
                        f"{self.limit:g} s; the runner stopped (calls in progress are "
                        "reconciled on resume, none is dialed twice)",
                        fix="once the database is back",
                    )
                await anyio.sleep(delay)
                delay = min(PROBE_MAX, delay * 2)
                if not reachable(self.db):
                    continue
                try:
                    self._on_back(time.monotonic() - started)
                except Exception as exc:
                    if not is_server_gone(exc):
                        raise
                    continue  # gone again: keep probing
                return
        finally:
            self._back, self.since = None, None
            back.set()
