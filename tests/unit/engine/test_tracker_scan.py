"""A scan resolves only the unknown dials it was started for (fakes, no simulator).

The take-over race: a teammate's unanswered intents become this runner's unknown dials
while a scan is paging. That scan did not look for them; before the fix they were resolved
against it, found nowhere, and (their grace long past) marked not placed and dialed again.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from typing import Any

import anyio

from campaign.clock import FakeClock
from campaign.engine.alarm import Alarm
from campaign.engine.ending import Ending
from campaign.engine.lines import Lines
from campaign.engine.reconcile import UnknownDial
from campaign.engine.settings import RunSettings
from campaign.engine.tracker import Tracker
from campaign.voicy.models import CallDetail, CallSummary

A, TO = "+12025550100", "+12022000001"


class Lister:
    """call-list: the taken-over dial's call is there; mid-scan the take-over lands."""

    def __init__(self, during: Any) -> None:
        self.during = during
        self.calls: list[CallSummary] = []
        self.floors: list[int] = []

    async def iter_calls(
        self, *, direction: str, start_after_ms: int, sort_order: str
    ) -> AsyncGenerator[CallSummary, None]:
        self.floors.append(start_after_ms)
        self.during()
        for call in self.calls:
            if call.start_timestamp is None or call.start_timestamp > start_after_ms:
                yield call

    async def get_call(self, call_id: str) -> CallDetail:
        raise AssertionError("not expected")


class Ledger:
    owner = None

    def __init__(self) -> None:
        self.not_placed_ids: list[int] = []
        self.linked_ids: list[tuple[int, str]] = []

    def claimed_call_ids(self, call_ids: list[str]) -> set[str]:
        return set()

    def not_placed(self, attempt_id: int, error: str, decision: Any, now: datetime) -> None:
        self.not_placed_ids.append(attempt_id)

    def linked(self, attempt_id: int, call_id: str, status: str, now: datetime) -> bool:
        self.linked_ids.append((attempt_id, call_id))
        return True

    def ended(self, ends: list[Any], now: datetime) -> list[Any]:
        return []


class Recorder:
    def flush(self) -> None:
        return None


def _tracker(clock: FakeClock, lister: Lister, ledger: Ledger) -> Tracker:
    settings = RunSettings(from_numbers=(A,))
    return Tracker(
        lister,
        ledger,  # type: ignore[arg-type]
        Recorder(),  # type: ignore[arg-type]
        clock=clock,
        budget=None,  # type: ignore[arg-type]
        settings=settings,
        coordination=None,  # type: ignore[arg-type]
        details=None,  # type: ignore[arg-type]
        lines=Lines(clock),
        ending=Ending(clock, settings, Alarm(clock)),
    )


def test_a_dial_taken_over_mid_scan_waits_for_the_next_scan_and_is_found() -> None:
    clock = FakeClock()
    long_ago = clock.now() - timedelta(minutes=10)  # the dead runner's intent: grace past
    taken = UnknownDial(7, 7, TO, A, long_ago)
    ledger = Ledger()
    tracker: Tracker

    def take_over() -> None:
        if 7 not in tracker.calls.unknown and not lister.floors[1:]:
            tracker.calls.unknown[7] = taken  # what `OpenCalls.load` does on a take-over

    lister = Lister(take_over)
    start = int((long_ago + timedelta(seconds=2)).timestamp() * 1000)
    lister.calls = [CallSummary(call_id="c7", call_status="in_progress", from_number=A,
                                to_number=TO, start_timestamp=start)]  # fmt: skip
    tracker = _tracker(clock, lister, ledger)
    # Something else is tracked, so the first scan starts after the dead runner's call.
    tracker.calls.unknown[1] = UnknownDial(1, 1, "+12022000002", A, clock.now())
    anyio.run(tracker.scan_once)
    assert ledger.not_placed_ids == [], "a dial the scan never looked for was given up"
    assert 7 in tracker.calls.unknown
    anyio.run(tracker.scan_once)
    assert (7, "c7") in ledger.linked_ids
    assert ledger.not_placed_ids == []
