"""call-list: filters, sort, pagination, totals and the listing lag."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from campaign.clock import FakeClock
from campaign.simulator import PAYMENT_AGENT_ID, PLANS, ListQuery, SimCall, World
from campaign.simulator.world import Refusal


@pytest.fixture
def spread(make_world: Callable[..., World], place: Callable, clock: FakeClock) -> World:
    """25 connected calls of 7 s, one second apart; every 5th on the payment agent."""
    world = make_world(
        plan=PLANS["enterprise"],
        ring_seconds=(1, 1),
        call_seconds=(5, 5),
        outcome_weights={"user_hangup": 1.0},
    )
    for i in range(25):
        agent = PAYMENT_AGENT_ID if i % 5 == 0 else None
        place(world, f"+1555000{i:04d}", override_agent_id=agent)
        clock.advance(1)
    return world


def numbers(calls: list[SimCall]) -> list[int]:
    return [int(c.to_number[-4:]) for c in calls]


def test_default_is_newest_first_fifty(spread: World) -> None:
    page, total = spread.list_calls(ListQuery())
    assert numbers(page) == list(range(24, -1, -1))
    assert total == 25


def test_ascending_pages_follow_the_pagination_key(spread: World) -> None:
    seen: list[int] = []
    key = None
    while True:
        page, total = spread.list_calls(ListQuery(descending=False, limit=7, pagination_key=key))
        assert total == 25
        if not page:
            break
        seen += numbers(page)
        key = page[-1].call_id
    assert seen == list(range(25))


def test_descending_pages_follow_the_pagination_key(spread: World) -> None:
    first, _ = spread.list_calls(ListQuery(limit=10))
    second, _ = spread.list_calls(ListQuery(limit=10, pagination_key=first[-1].call_id))
    assert numbers(first) + numbers(second) == list(range(24, 4, -1))


def test_unknown_pagination_key_is_a_bad_request(spread: World) -> None:
    with pytest.raises(Refusal) as refused:
        spread.list_calls(ListQuery(pagination_key="not-a-call"))
    assert refused.value.status == 400


def test_time_thresholds_are_inclusive_milliseconds(spread: World) -> None:
    calls = spread.calls
    lower, upper = calls[3].start_ms, calls[8].start_ms
    page, total = spread.list_calls(ListQuery(lower_ms=lower, upper_ms=upper, descending=False))
    assert numbers(page) == [3, 4, 5, 6, 7, 8] and total == 6
    page, _ = spread.list_calls(ListQuery(lower_ms=lower + 1, upper_ms=upper - 1))
    assert numbers(page) == [7, 6, 5, 4]
    assert spread.list_calls(ListQuery(lower_ms=upper, upper_ms=lower)) == ([], 0)


def test_status_filter_uses_the_status_now(spread: World, clock: FakeClock) -> None:
    # The clock is 25 s after the first start: calls 19..24 are still on (18 just ended).
    in_progress = {"initiated", "ringing", "ongoing"}
    page, total = spread.list_calls(ListQuery(statuses=frozenset(in_progress)))
    assert numbers(page) == [24, 23, 22, 21, 20, 19] and total == 6
    page, total = spread.list_calls(ListQuery(statuses=frozenset({"user_hangup"}), limit=3))
    assert numbers(page) == [18, 17, 16] and total == 19
    clock.advance(600)
    assert spread.list_calls(ListQuery(statuses=frozenset(in_progress))) == ([], 0)


def test_agent_and_direction_filters(spread: World) -> None:
    page, total = spread.list_calls(ListQuery(agent_ids=frozenset({PAYMENT_AGENT_ID})))
    assert numbers(page) == [20, 15, 10, 5, 0] and total == 5
    page, total = spread.list_calls(ListQuery(agent_ids=frozenset({PAYMENT_AGENT_ID}), limit=2))
    assert numbers(page) == [20, 15] and total == 5
    assert spread.list_calls(ListQuery(directions=frozenset({"incoming"}))) == ([], 0)
    assert spread.list_calls(ListQuery(directions=frozenset({"outgoing"})))[1] == 25


def test_new_calls_appear_in_the_list_only_after_the_lag(
    make_world: Callable[..., World], place: Callable, clock: FakeClock
) -> None:
    world = make_world(list_lag_seconds=5.0)
    call = place(world)
    assert world.list_calls(ListQuery()) == ([], 0)
    assert world.get_call(call.call_id) is call  # call-get sees it at once
    clock.advance(4.999)
    assert world.list_calls(ListQuery())[1] == 0
    clock.advance(0.001)
    assert world.list_calls(ListQuery()) == ([call], 1)


def test_listing_a_range_bisects_instead_of_scanning(
    make_world: Callable[..., World],
    place: Callable,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = make_world(plan=PLANS["unlimited"])
    for i in range(5000):
        place(world, f"+1555{i:07d}")
        clock.advance(0.01)
    last = world.calls[-10]
    # A status_at probe counts how many calls the listing looked at.
    looked: list[str] = []
    original = SimCall.status_at

    def spy(self: SimCall, t: float) -> str:
        looked.append(self.call_id)
        return original(self, t)

    monkeypatch.setattr(SimCall, "status_at", spy)
    page, total = world.list_calls(
        ListQuery(lower_ms=last.start_ms, statuses=frozenset({"initiated"}), limit=1000)
    )
    assert total == len(page) == 10
    assert len(looked) == 20  # the 10 calls in range, once for the page and once for the total


def test_a_clock_set_back_keeps_the_list_sorted(
    make_world: Callable[..., World], place: Callable, clock: FakeClock
) -> None:
    world = make_world()
    a = place(world, "+15550000001")
    clock.set(clock.time() - 30)
    b = place(world, "+15550000002")
    clock.advance(60)
    page, _ = world.list_calls(ListQuery(descending=False))
    assert page == [b, a]
