"""Matching dials whose outcome is unknown to the calls in call-list (pure, table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaign.engine.reconcile import (
    SKEW_MS,
    TRACKED_MARGIN_MS,
    ClockLag,
    ScanResult,
    TrackedCall,
    UnknownDial,
    resolve,
    scan_floor,
)
from campaign.voicy.models import CallSummary

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
A, B = "+12025550100", "+12025550101"
TO = "+12022000001"


def dial(attempt_id: int, seconds_ago: float, from_number: str = A) -> UnknownDial:
    return UnknownDial(
        attempt_id, attempt_id, TO, from_number, NOW - timedelta(seconds=seconds_ago)
    )


def call(call_id: str, started_seconds_ago: float, from_number: str = A) -> CallSummary:
    start = int((NOW - timedelta(seconds=started_seconds_ago)).timestamp() * 1000)
    return CallSummary(
        call_id=call_id, call_status="ringing", from_number=from_number, to_number=TO,
        start_timestamp=start,
    )  # fmt: skip


CASES = [
    # dials, calls in the list, claimed call_ids, expected (matches, not placed, still unknown)
    ([dial(1, 10)], [call("c1", 5)], set(), ({1: "c1"}, [], [])),
    ([dial(1, 10)], [], set(), ({}, [], [1])),  # not in the list yet: wait
    ([dial(1, 100)], [], set(), ({}, [1], [])),  # past the 90 s grace: not placed
    ([dial(1, 10)], [call("c1", 5)], {"c1"}, ({}, [], [1])),  # an attempt has that call
    ([dial(1, 10)], [call("c1", 5, from_number=B)], set(), ({}, [], [1])),  # another line
    # A call that started long before the intent (beyond the clock skew) is not this one.
    ([dial(1, 10)], [call("c1", 10 + SKEW_MS / 1000 + 60)], set(), ({}, [], [1])),
    # Oldest dial first, each call used once.
    ([dial(1, 20), dial(2, 10)], [call("c1", 15), call("c2", 5)], set(),
     ({1: "c1", 2: "c2"}, [], [])),
    ([dial(2, 10), dial(1, 20)], [call("c1", 15)], set(), ({1: "c1"}, [], [2])),
]  # fmt: skip


@pytest.mark.parametrize(("dials", "calls", "claimed", "expected"), CASES)
def test_unknown_dials_resolve_from_the_call_list(
    dials: list[UnknownDial],
    calls: list[CallSummary],
    claimed: set[str],
    expected: tuple[dict[int, str], list[int], list[int]],
) -> None:
    scan = ScanResult()
    for found in calls:
        scan.candidates.setdefault((found.from_number or "", TO), []).append(found)
    resolution = resolve({d.attempt_id: d for d in dials}, scan, claimed, NOW)
    matches = {m.dial.attempt_id: m.call.call_id for m in resolution.matches}
    assert (
        matches,
        [d.attempt_id for d in resolution.not_placed],
        [d.attempt_id for d in resolution.still_unknown],
    ) == expected


def tracked(seconds_ago: float, started_ms: int | None = None, missed: bool = False) -> TrackedCall:
    requested = NOW - timedelta(seconds=seconds_ago)
    return TrackedCall(1, 1, "c", TO, A, requested, started_ms=started_ms, missed=missed)


def ms(seconds_ago: float) -> int:
    return int((NOW - timedelta(seconds=seconds_ago)).timestamp() * 1000)


@pytest.mark.parametrize(
    ("calls", "dials", "lag_ms", "floor"),
    [
        ([], [], 0, None),
        ([tracked(10)], [], 0, ms(10) - TRACKED_MARGIN_MS),  # not seen yet
        ([tracked(10)], [], 30_000, ms(10) - TRACKED_MARGIN_MS - 30_000),  # the API lags 30 s
        ([tracked(10, started_ms=ms(9))], [], 0, ms(9)),  # seen: where the API says
        ([tracked(10, missed=True)], [], 0, ms(10) - SKEW_MS),  # missed once: whole margin
        ([tracked(10, started_ms=ms(9))], [dial(1, 5)], 0, ms(5) - SKEW_MS),  # unknown dial
        ([tracked(100, started_ms=ms(99)), tracked(5)], [], 0, ms(99)),  # the oldest decides
    ],
)
def test_where_a_scan_starts(
    calls: list[TrackedCall], dials: list[UnknownDial], lag_ms: int, floor: int | None
) -> None:
    assert scan_floor(calls, dials, ClockLag(lag_ms)) == floor


def test_the_lag_is_the_largest_seen_and_never_past_the_skew_margin() -> None:
    lag = ClockLag()
    lag.observe(NOW, ms(0) - 5_000)  # started 5 s "before" our intent
    lag.observe(NOW, ms(0) + 300)  # an ordinary call: starts after its intent
    assert lag.lag_ms == 5_000 and lag.margin_ms == 5_000 + TRACKED_MARGIN_MS
    lag.observe(NOW, ms(0) - 10 * SKEW_MS)
    assert lag.margin_ms == SKEW_MS
