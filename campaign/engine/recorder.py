"""Answers written in small batches: one transaction for many 201s and call details.

A 201's call_id is written within `FLUSH_EVERY` (or as soon as `MAX_BATCH` answers wait):
the intent, committed before the request, is what makes a crash safe. If the process dies
with answers still unwritten, their intents are reconciled from call-list on resume.
Every scan flushes first, so an end is never recorded before its call_id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import anyio

from campaign.calls.answers import Answer
from campaign.calls.ledger import Ledger
from campaign.store.outage import is_store_down
from campaign.voicy.models import CallDetail

FLUSH_EVERY = 0.02  # real seconds
MAX_BATCH = 128


class Recorder:
    def __init__(self, ledger: Ledger, on_details: Callable[[], None] | None = None) -> None:
        self.ledger = ledger
        #: Told after details were written (they may have queued a contact again).
        self.on_details = on_details
        self._placed: list[Answer] = []
        self._details: list[tuple[int, CallDetail]] = []

    def placed(self, attempt_id: int, call_id: str, status: str, now: datetime) -> None:
        self._placed.append((attempt_id, call_id, status, now))
        if len(self._placed) >= MAX_BATCH:
            self._flush_kept()

    def details(self, attempt_id: int, detail: CallDetail) -> None:
        self._details.append((attempt_id, detail))
        if len(self._details) >= MAX_BATCH:
            self._flush_kept()

    def _flush_kept(self) -> None:
        """Flush now; with the database server gone the answers wait (the loop retries)."""
        try:
            self.flush()
        except Exception as exc:
            if not is_store_down(exc):
                raise

    @property
    def pending(self) -> int:
        return len(self._placed) + len(self._details)

    @property
    def details_waiting(self) -> bool:
        return bool(self._details)

    def flush(self) -> None:
        if not self._placed and not self._details:
            return
        placed, self._placed = self._placed, []
        details, self._details = self._details, []
        try:
            self.ledger.answers(placed, details)
        except BaseException:
            # Not written: kept for the next flush (a store outage must not lose a call_id).
            self._placed[:0] = placed
            self._details[:0] = details
            raise
        if details and self.on_details is not None:
            self.on_details()

    async def loop(self) -> None:
        while True:
            await anyio.sleep(FLUSH_EVERY)
            self.flush()
