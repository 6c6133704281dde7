"""The background-refreshed views: one compute per period whatever the number of readers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

import pytest

from campaign.web.snapshots import Snapshots


class Ticker:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting(ticker: Ticker, took: float = 0.0) -> tuple[list[Hashable], Callable[[Hashable], str]]:
    calls: list[Hashable] = []

    def compute(key: Hashable) -> str:
        calls.append(key)
        ticker.now += took
        return f"{key}#{len(calls)}"

    return calls, compute


def test_served_from_memory_until_too_old() -> None:
    ticker = Ticker()
    calls, compute = counting(ticker)
    views = Snapshots(compute, max_age=1.0, background=False, monotonic=ticker)
    assert views.get("a") == "a#1"
    ticker.now += 0.9
    assert views.get("a") == "a#1"
    ticker.now += 0.2
    assert views.get("a") == "a#2"
    views.invalidate("a")
    assert views.get("a") == "a#3"
    assert calls == ["a", "a", "a"]


def test_errors_of_a_first_compute_reach_the_caller() -> None:
    def compute(key: Hashable) -> str:
        raise LookupError(f"no {key}")

    views: Snapshots[str] = Snapshots(compute, background=False)
    with pytest.raises(LookupError, match="no x"):
        views.get("x")


def test_the_refresher_paces_itself_and_forgets_unwatched_views() -> None:
    ticker = Ticker()
    _, compute = counting(ticker, took=0.5)  # a slow view: refreshed every 4 x 0.5 s
    views = Snapshots(
        compute, max_age=5.0, min_period=0.5, watch_for=30.0, background=False, monotonic=ticker
    )
    views.get("big")
    ticker.now += 1.0
    assert views.due() == ([], 0.5)  # the thread still looks every half second
    ticker.now += 1.0
    assert views.due()[0] == ["big"]
    ticker.now += 31
    assert views.due() == ([], 0.5)
    assert views.get("big") == "big#2"  # dropped, so computed again


def test_the_background_thread_keeps_a_watched_view_fresh() -> None:
    seen = threading.Event()
    count = 0

    def compute(key: Hashable) -> int:
        nonlocal count
        count += 1
        if count >= 3:
            seen.set()
        return count

    views: Snapshots[int] = Snapshots(compute, max_age=60, min_period=0.01)
    try:
        assert views.get("k") == 1
        assert seen.wait(5), "the refresher did not recompute"
        assert views.get("k") >= 2
    finally:
        views.close()
