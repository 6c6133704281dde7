"""The campaign page's charts: the report's chart code, drawn off the request path.

Drawing reads every row of the campaign (seconds of pandas and matplotlib for 100,000
contacts), so charts are drawn in one worker process (`campaign.web.chart_worker`: the web
server keeps its interpreter for answering), kept per campaign, and redrawn when the page
reports newer data, at most every `max(min_interval, 5 x the last drawing time)`. A page
asking for charts not drawn yet waits briefly, then gets a placeholder and asks again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from campaign.clock import Clock
from campaign.store.db import Database
from campaign.web.chart_drawing import charts_html
from campaign.web.chart_worker import ChartWorker
from campaign.web.lookup import campaign_ref

#: A drawing's key: campaign id, the reader's zone, the page's language.
_Key = tuple[int, str | None, str]


@dataclass(frozen=True)
class DrawnCharts:
    html: str
    version: str
    drawn_at: float  # monotonic
    took: float


class ChartCache:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        min_interval: float = 10.0,
        in_process: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`in_process`: draw in a thread of this process (an in-memory database, tests)."""
        self.db = db
        self.clock = clock
        self.min_interval = min_interval
        self.in_process = in_process
        self._monotonic = monotonic
        # By (campaign id, the reader's zone, language): the time axis differs from zone to
        # zone, the words from language to language.
        self._drawn: dict[_Key, DrawnCharts] = {}
        self._drawing: dict[_Key, Future[DrawnCharts]] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="campaign-charts")
        self._worker = None if in_process else ChartWorker()

    def get(
        self,
        campaign_id: int,
        version: str,
        *,
        settled: bool = False,
        wait: float = 2.0,
        zone: str | None = None,
        language: str = "en",
    ) -> DrawnCharts | None:
        """Charts for `version` of the data, an older drawing, or None if none is ready.

        `settled`: the campaign is not running, its data will not move: draw this version
        now rather than after the interval. `zone`: the reader's IANA zone (None: UTC);
        `language`: the page's.
        """
        key = (campaign_id, zone, language)
        with self._lock:
            drawn = self._drawn.get(key)
            fresh_enough = drawn is not None and not settled and self._too_soon(drawn)
            if drawn is not None and (drawn.version == version or fresh_enough):
                return drawn
            future = self._drawing.get(key)
            if future is None:
                future = self._executor.submit(self._draw, key, version)
                self._drawing[key] = future
        try:
            return future.result(timeout=wait)
        except FutureTimeout:
            return drawn

    def warm(self) -> None:
        """Start the drawing process before the first page asks for charts."""
        if self._worker is not None:
            self._worker.start()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._worker is not None:
            self._worker.close()

    def _too_soon(self, drawn: DrawnCharts) -> bool:
        return self._monotonic() - drawn.drawn_at < max(self.min_interval, 5 * drawn.took)

    def _draw(self, key: _Key, version: str) -> DrawnCharts:
        started = self._monotonic()
        campaign_id, zone, language = key
        try:
            ref = campaign_ref(self.db, campaign_id)
            html = self._html(ref.name, version, zone, language)
            ended = self._monotonic()
            drawn = DrawnCharts(html=html, version=version, drawn_at=ended, took=ended - started)
            with self._lock:
                self._drawn[key] = drawn
            return drawn
        finally:
            with self._lock:
                self._drawing.pop(key, None)

    def _html(self, name: str, version: str, zone: str | None, language: str) -> str:
        if self._worker is None:
            return charts_html(self.db, name, version, self.clock, zone, language)
        return self._worker.draw(self.db.url, name, version, zone, language)
