"""The latest view of what pages watch, kept fresh by one background thread.

Every open page polls its live endpoint each second; computing a 100,000-contact status takes
longer than serving it should. So a watched view (a campaign, the campaign list) is computed
by one thread, at most every `max(min_period, 4 x its compute time)`, whatever the number of
open tabs: the database sees one short read per period, and a poll is answered from memory.
A view nobody asked for during `watch_for` seconds is dropped. A view older than `max_age`
is recomputed on the spot (first visit, or the thread lagging), so an answer is never staler
than `max_age` plus one compute.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    value: T
    computed_at: float  # monotonic
    took: float  # seconds the compute took
    asked_at: float  # monotonic: last time a page asked for it


class Snapshots(Generic[T]):
    def __init__(
        self,
        compute: Callable[[Hashable], T],
        *,
        max_age: float = 1.0,
        min_period: float = 0.5,
        watch_for: float = 30.0,
        background: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._compute = compute
        self.max_age = max_age
        self.min_period = min_period
        self.watch_for = watch_for
        self._background = background
        self._monotonic = monotonic
        self._entries: dict[Hashable, _Entry[T]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def get(self, key: Hashable) -> T:
        """The latest value for `key`, computed now if there is none or it is too old.

        Errors of a compute done here (unknown campaign, database unreachable) propagate.
        """
        now = self._monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.asked_at = now
        if entry is None or now - entry.computed_at > self.max_age:
            entry = self._refresh(key, asked_at=now)
        self._ensure_thread()
        return entry.value

    def invalidate(self, key: Hashable) -> None:
        """Forget `key` (after a change this process made): the next get computes it."""
        with self._lock:
            self._entries.pop(key, None)

    def invalidate_where(self, stale: Callable[[Hashable], bool]) -> None:
        """Forget every key `stale` says (a campaign's page in every language and zone)."""
        with self._lock:
            for key in [key for key in self._entries if stale(key)]:
                del self._entries[key]

    def close(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    # --- background ---------------------------------------------------------------------

    def _refresh(self, key: Hashable, *, asked_at: float | None = None) -> _Entry[T]:
        started = self._monotonic()
        value = self._compute(key)
        ended = self._monotonic()
        with self._lock:
            previous = self._entries.get(key)
            asked = asked_at if asked_at is not None else (previous.asked_at if previous else 0)
            entry = _Entry(value=value, computed_at=ended, took=ended - started, asked_at=asked)
            self._entries[key] = entry
        return entry

    def _ensure_thread(self) -> None:
        if not self._background or self._stop.is_set():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(
                target=self._loop, name="campaign-web-snapshots", daemon=True
            )
            self._thread.start()

    def due(self) -> tuple[list[Hashable], float]:
        """Keys to recompute now, and how long to sleep otherwise; drops unwatched keys."""
        now = self._monotonic()
        due: list[Hashable] = []
        wait = self.min_period
        with self._lock:
            for key, entry in list(self._entries.items()):
                if now - entry.asked_at > self.watch_for:
                    del self._entries[key]
                    continue
                period = max(self.min_period, 4 * entry.took)
                left = entry.computed_at + period - now
                if left <= 0:
                    due.append(key)
                else:
                    wait = min(wait, left)
        return due, wait

    def _loop(self) -> None:
        while not self._stop.is_set():
            due, wait = self.due()
            with self._lock:
                if not self._entries:
                    self._thread = None  # restarted by the next get
                    return
            for key in due:
                try:
                    self._refresh(key)
                except Exception:  # a failing view keeps its last value; get() reports
                    with self._lock:
                        entry = self._entries.get(key)
                        if entry is not None:
                            entry.computed_at = self._monotonic()  # retry after a period
            if not due:
                self._stop.wait(wait)
