"""The request budget of one API key, shared through the database by every runner using it.

The plan's limit is per key, not per runner: three runners on one Standard key must stay
under 60 requests a minute together. Each grant is one short transaction on the key's row
in `request_budget` (locked FOR UPDATE, so grants are serialised across processes), which
keeps a sliding log of the last minute's grants: never more than `rate` in any window,
whatever the alignment of the server's own windows. A fixed-window counter would be
cheaper but could let two windows' worth through around a boundary misread by skew.

In the process, waiting requests still queue by priority (dials first) exactly as in
`RequestBudget`; only the head of the queue asks the database. A 429 seen by one runner
pauses them all until its reset. Grants are stamped with the campaign clock; runner
machines keep their clocks in sync (NTP), as the server's reset headers already assume.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from campaign.clock import Clock, sleep_until
from campaign.engine.budget import (
    MAX_NAP,
    PRIORITY,
    SAFETY_SECONDS,
    WINDOW_SECONDS,
    RequestBudget,
)
from campaign.store.db import Database
from campaign.store.models import KeyBudget
from campaign.voicy.models import RateLimit

#: Real seconds allowed between a grant and the request's arrival at the server (a commit,
#: an intent write, the network): scaled by a compressed clock's rate.
TRANSIT_SECONDS = 0.2


class SharedBudget(RequestBudget):
    """`RequestBudget`'s API, with grants counted in the database for the whole key."""

    def __init__(
        self,
        rate_per_minute: int,
        clock: Clock,
        db: Database,
        key_hash: str,
        *,
        create_row: bool = True,
    ) -> None:
        super().__init__(rate_per_minute, clock)
        self.db = db
        self.key = key_hash
        self.margin = SAFETY_SECONDS + TRANSIT_SECONDS * float(getattr(clock, "scale", 1.0))
        #: The key's grants of the last minute as last read: [clock seconds, kind].
        self._shared: list[list[Any]] = []
        if create_row:
            self.create_row()

    def create_row(self) -> None:
        """The key's row, if this is its first runner (a runner does it as it joins, where
        a store outage is waited out; `create_row=False` defers it to here)."""
        with self.db.session() as session:
            session.execute(
                pg_insert(KeyBudget)
                .values(
                    key=self.key,
                    rate=self.rate,
                    grants=[],
                    blocked_until=0.0,
                    updated_at=datetime.now(UTC),
                )
                .on_conflict_do_nothing(index_elements=["key"])
            )

    # --- figures from the last view of the shared log -----------------------------------

    def _recent(self, now: float) -> list[list[Any]]:
        horizon = now - WINDOW_SECONDS - self.margin
        return [g for g in self._shared if g[0] > horizon]

    def used_last_minute(self, exclude: str | None = None) -> int:
        recent = self._recent(self.clock.time())
        if exclude is None:
            return len(recent)
        return sum(1 for g in recent if g[1] != exclude)

    def last_shared_grant(self, kind: str) -> float | None:
        """When any runner of the key was last granted a `kind` request (as last read)."""
        times = [g[0] for g in self._shared if g[1] == kind]
        return max(times) if times else None

    def _next_grant_time(self, now: float) -> float:
        at = super()._next_grant_time(now)
        recent = self._recent(now)
        if len(recent) >= self.rate:
            at = max(at, recent[len(recent) - self.rate][0] + WINDOW_SECONDS + self.margin)
        return at

    # --- granting through the database --------------------------------------------------

    def _try_grant(self, now: float, kind: str) -> float:
        # A 429, the server's remaining, or the key's log as last read: no need to ask yet.
        local = self._next_grant_time(now)
        if local > now:
            return local
        with self.db.session() as session:
            row = session.get(KeyBudget, self.key, with_for_update=True)
            assert row is not None
            # Stamped once the row is ours: grants enter the log in the order they happen.
            stamp = max(now, self.clock.time())
            horizon = stamp - WINDOW_SECONDS - self.margin
            grants = [g for g in (row.grants or []) if g[0] > horizon]
            rate = min(self.rate, row.rate)
            at = max(stamp, float(row.blocked_until or 0.0))
            if len(grants) >= rate:
                at = max(at, grants[len(grants) - rate][0] + WINDOW_SECONDS + self.margin)
            granted = at <= stamp
            if granted:
                bisect.insort(grants, [stamp, kind], key=lambda g: g[0])
                row.grants = grants
                row.updated_at = datetime.now(UTC)
            self._shared = grants
        if not granted:
            return at
        self._grant(stamp, kind)
        return now  # granted: the caller's own instant

    # --- dials: tokens taken in the intent's own transaction -----------------------------

    @asynccontextmanager
    async def turn(self, kind: str) -> AsyncIterator[None]:
        """Wait until the key has a free token, holding this process's queue meanwhile.

        Nothing is granted here: the intent transaction reserves and spends the tokens
        (`reserve`), so a dial's grant is stamped right before its request goes out, and a
        dial another runner's took the line from costs no token.
        """
        entry: list[float] = [PRIORITY.get(kind, 3), next(self._counter)]
        heapq.heappush(self._waiters, entry)
        try:
            while True:
                now = self.clock.time()
                at = self._next_grant_time(now) if self._waiters[0] is entry else now + 1.0
                if at <= now:
                    break
                changed = self._changed
                with anyio.move_on_after(MAX_NAP):
                    if self._waiters[0] is entry:
                        await sleep_until(self.clock, min(at, now + MAX_NAP * 60))
                    else:
                        await changed.wait()
            yield
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)
                heapq.heapify(self._waiters)
            self._notify()

    def reserve(self, session: Session, wanted: int) -> Reservation:
        """Lock the key's row until the caller's commit; how many of `wanted` may go now."""
        row = session.get(KeyBudget, self.key, with_for_update=True)
        assert row is not None
        now = self.clock.time()
        grants = self._window(row, now)
        available = 0
        if self._next_local(now) <= now and float(row.blocked_until or 0.0) <= now:
            available = max(0, min(wanted, min(self.rate, row.rate) - len(grants)))
        return Reservation(self, row, available)

    def spend(self, row: KeyBudget, used: int, kind: str) -> None:
        """Log `used` grants in the key's row (locked by `reserve`), stamped now."""
        stamp = self.clock.time()
        grants = self._window(row, stamp)
        for _ in range(used):
            bisect.insort(grants, [stamp, kind], key=lambda g: g[0])
            self._grant(stamp, kind)
        row.grants = list(grants)
        row.updated_at = datetime.now(UTC)
        self._shared = grants

    def _window(self, row: KeyBudget, now: float) -> list[list[Any]]:
        horizon = now - WINDOW_SECONDS - self.margin
        grants = [g for g in (row.grants or []) if g[0] > horizon]
        self._shared = grants
        return grants

    def _next_local(self, now: float) -> float:
        """When this process may send, from a 429 or the server's remaining it saw."""
        return super()._next_grant_time(now)

    # --- what the server says, told to every runner -------------------------------------

    def observe(self, rate_limit: RateLimit | None, status_code: int) -> None:
        before = (self.rate, self._blocked_until)
        super().observe(rate_limit, status_code)
        if (self.rate, self._blocked_until) == before:
            return
        with self.db.session() as session:
            row = session.get(KeyBudget, self.key, with_for_update=True)
            assert row is not None
            row.rate = min(row.rate, self.rate)
            row.blocked_until = max(float(row.blocked_until or 0.0), self._blocked_until)
            row.updated_at = datetime.now(UTC)


@dataclass
class Reservation:
    """Tokens held for an intent transaction (see `SharedBudget.reserve`)."""

    budget: SharedBudget
    row: KeyBudget
    available: int

    def spend(self, used: int, kind: str = "call-dial") -> None:
        """Log `used` grants, stamped now: the requests go out as soon as this commits."""
        used = min(used, self.available)
        if used <= 0:
            return
        self.budget.spend(self.row, used, kind)
