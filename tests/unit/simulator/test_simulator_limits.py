"""The fixed-window request budget, the concurrent-call cap and the ground truth on both."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from campaign.clock import FakeClock
from campaign.simulator import PLANS, TEST_API_KEY, Plan, World
from campaign.simulator.limits import RequestBudget, window_start
from campaign.simulator.world import Refusal

T = 1_767_625_200.0  # a multiple of 60


@pytest.mark.parametrize(
    ("t", "start"),
    [(T, T), (T + 0.001, T), (T + 59.999, T), (T + 60, T + 60), (T - 0.5, T - 60)],
)
def test_windows_are_aligned_to_multiples_of_60(t: float, start: float) -> None:
    assert window_start(t) == start


def test_budget_counts_down_and_reports_the_reset() -> None:
    budget = RequestBudget(limit=3)
    verdicts = [budget.admit(T + 10.2) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert {v.reset for v in verdicts} == {int(T) + 60}
    # 49.8 s left: rounded up, so a client waiting that long lands in the new window.
    assert verdicts[-1].retry_after == 50
    assert verdicts[-1].headers()["Retry-After"] == "50"
    assert "Retry-After" not in verdicts[0].headers()
    fresh = budget.admit(T + 60)
    assert fresh.allowed and fresh.remaining == 2 and fresh.reset == int(T) + 120
    assert budget.requests_per_window == {int(T): 4, int(T) + 60: 1}


def test_retry_after_is_at_least_one_second() -> None:
    budget = RequestBudget(limit=0)
    assert budget.admit(T + 59.9999).retry_after == 1


def test_admit_checks_the_key_and_counts_every_request(world: World, clock: FakeClock) -> None:
    for i in range(60):
        authorized, verdict = world.admit(TEST_API_KEY, "call-get")
        assert authorized and verdict.allowed and verdict.remaining == 59 - i
        authorized, verdict = world.admit(None, "agent-list")
        assert not authorized and verdict.remaining == 59 - i
    ok, verdict = world.admit(TEST_API_KEY, "call-list")
    assert ok and not verdict.allowed and verdict.retry_after == 60
    authorized, _ = world.admit("voicy_sk_wrong", "call-dial")
    assert not authorized
    assert world.served_429 == 1
    # Wrong or missing keys draw on no budget; refused requests still count.
    assert world.requests_per_window == {int(clock.time()): 61}
    assert world.max_requests_in_any_window == 61
    assert world.requests_by_endpoint["call-get"] == 60
    assert world.requests_by_endpoint["agent-list"] == 60
    clock.advance(60)
    assert world.admit(TEST_API_KEY, "call-get")[1].allowed


def test_concurrency_cap_refuses_the_dial_past_the_limit(
    make_world: Callable[..., World], place: Callable, clock: FakeClock
) -> None:
    world = make_world(ring_seconds=(5, 5), call_seconds=(30, 30), outcome_weights={"ended": 1})
    for i in range(10):
        place(world, f"+1555000{i:04d}")
    with pytest.raises(Refusal) as refused:
        place(world, "+15550009999")
    assert refused.value.status == 429
    assert "concurrent call limit" in refused.value.message.lower()
    assert world.served_concurrency_429 == 1
    assert world.dial_counts["+15550009999"] == 0
    clock.advance(36)  # every call ended exactly now: [start, end) intervals
    place(world, "+15550009999")
    assert world.max_concurrent == 10


def test_failed_calls_free_their_line_early(
    make_world: Callable[..., World], place: Callable, clock: FakeClock
) -> None:
    world = make_world(plan=Plan("tiny", 60, 1, 1800), ring_seconds=(5, 5))
    world.script("+15550000001", ["busy"])
    place(world, "+15550000001")
    clock.advance(5.9)
    with pytest.raises(Refusal):
        place(world, "+15550000002")
    clock.advance(0.1)
    place(world, "+15550000002")


def test_max_concurrent_is_exact_over_intervals(
    make_world: Callable[..., World], place: Callable, clock: FakeClock
) -> None:
    world = make_world(
        plan=PLANS["enterprise"],
        call_seconds=(10, 10),
        ring_seconds=(0, 0),
        outcome_weights={"ended": 1},
    )
    # Calls of 1 s + 10 s placed every 4 s overlap three at a time at most.
    for i in range(20):
        place(world, f"+1555000{i:04d}")
        clock.advance(4)
    assert world.max_concurrent == 3
    assert world.active_calls() == 2  # the last two, placed 4 s and 8 s ago
    clock.advance(11)
    assert world.active_calls() == 0


def test_calls_ending_when_others_start_do_not_overlap(
    make_world: Callable[..., World], place: Callable, clock: FakeClock
) -> None:
    world = make_world(call_seconds=(9, 9), ring_seconds=(0, 0), outcome_weights={"ended": 1})
    for i in range(5):
        place(world, f"+1555000{i:04d}")
        clock.advance(10)
    assert world.max_concurrent == 1
