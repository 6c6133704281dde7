"""The spending cap (`--max-cost`): no new dial once recorded spend plus the expected cost of
the calls in progress would pass it.

Read from the store (`campaign.store.spend`), never from this process's memory, so every
runner of a campaign (PostgreSQL) shares one cap. A call in progress is expected to cost
what a connected call costs, cautiously (`Spend.per_call_in_flight`); while that cost is
still being learned, no more than one wave of lines (`first_wave`) may be costing at once.
The read is kept for `FRESH_FOR` real seconds; dials this runner started meanwhile count as
calls in progress, so a stale read never lets more through than a fresh one would. When no
dial fits and this runner has nothing in progress (no call, no details to fetch), the run
stops with `SPEND_CAP`; with calls in progress it waits for them: what they really cost may
leave room for more. `resume --max-cost HIGHER` lifts it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from campaign.store.db import Database
from campaign.store.spend import Spend, spend_of

#: How long one read of the spend is used (real seconds).
FRESH_FOR = 0.25


class SpendCap:
    def __init__(
        self,
        db: Database,
        campaign_id: int,
        cap: float,
        *,
        first_wave: int = 10,
        pending: Callable[[], bool] = lambda: False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        #: This runner's connected calls whose details (and cost) are still to come.
        self.pending = pending
        self.campaign_id = campaign_id
        self.cap = cap
        #: Before any cost is known, calls that may cost at most (one wave of lines).
        self.first_wave = first_wave
        self._monotonic = monotonic
        self._read: Spend | None = None
        self._prior: float | None = None
        self._prior_known = False
        self._read_at = 0.0
        self._started_since = 0

    def spend(self) -> Spend:
        now = self._monotonic()
        if self._read is None or now - self._read_at >= FRESH_FOR:
            with self.db.read_session() as session:
                read = spend_of(session, self.campaign_id, with_prior=not self._prior_known)
            if not self._prior_known:
                self._prior, self._prior_known = read.prior, True
            self._read = dataclasses.replace(read, prior=self._prior)
            self._read_at = now
            self._started_since = 0
        return self._read

    def allowed(self, wanted: int) -> int:
        """How many of `wanted` new dials fit under the cap now."""
        spend = self.spend()
        if spend.total >= self.cap:
            return 0
        per_call = spend.per_call_in_flight
        in_flight = spend.in_flight + self._started_since
        wave = max(0, self.first_wave - in_flight)
        if not per_call:  # no cost known yet: one wave of calls teaches it
            return min(wanted, wave)
        room = self.cap - spend.total - per_call * in_flight
        fits = max(0, min(wanted, int(room // per_call)))
        return fits if spend.learned else min(fits, wave)

    def reached(self) -> bool:
        """The cap is reached for good: what is recorded and expected leaves no room for
        one more call (False while the cost of a call is not known yet)."""
        spend = self.spend()
        if spend.total >= self.cap:
            return True
        per_call = spend.per_call_in_flight
        return bool(per_call) and spend.committed(1) > self.cap

    def started(self, count: int) -> None:
        """Dials this runner started since the last read (counted as in progress)."""
        self._started_since += count

    def refresh(self) -> None:
        self._read = None

    def describe(self) -> str:
        spend = self.spend()
        currency = f" {spend.currency}" if spend.currency else ""
        per = spend.per_connected
        each = f"; a connected call costs about {per:.2f}{currency}" if per else ""
        return f"spent {spend.total:.2f}{currency} of {self.cap:.2f}{currency}{each}"
