"""The oracle of bench/: list order, redial delays, the rate and the line cap, exactly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench.oracle import WINDOW, call_length, schedule
from campaign.simulator import PLANS, World
from campaign.simulator.calls import INITIATED_SECONDS, Outcome


def planned(script: dict[str, list[tuple[str, float]]]) -> Callable[[str, int], Outcome]:
    """(status, seconds on the line) per number and attempt."""

    def outcome(number: str, attempt: int) -> Outcome:
        status, seconds = script[number][attempt]
        return Outcome(status, 0.0, seconds - INITIATED_SECONDS, 0)

    return outcome


NO_DELAY = {"busy": 0.0, "no_answer": 0.0, "error": 0.0}


def test_line_bound_calls_wait_for_a_free_line() -> None:
    script = {n: [("user_hangup", 10.0)] for n in "abcde"}
    result = schedule(
        list("abcde"), planned(script), rate=60, lines=2, max_attempts=1, retry_delays=NO_DELAY
    )
    assert [(c.number, c.start) for c in result.calls] == [
        ("a", 0.0),
        ("b", 0.0),
        ("c", 10.0),
        ("d", 10.0),
        ("e", 20.0),
    ]
    assert result.wall == 30.0
    assert result.lower_bound(60, 2) == 25.0


def test_rate_bound_dials_wait_for_the_minute_to_slide() -> None:
    script = {str(i): [("busy", 2.0)] for i in range(5)}
    result = schedule(
        [str(i) for i in range(5)],
        planned(script),
        rate=2,
        lines=10,
        max_attempts=1,
        retry_delays=NO_DELAY,
    )
    assert [c.start for c in result.calls] == [0.0, 0.0, WINDOW, WINDOW, 2 * WINDOW]
    assert result.wall == 2 * WINDOW + 2.0


def test_redials_come_after_their_delay_and_fresh_contacts_go_first() -> None:
    script = {
        "a": [("busy", 5.0), ("no_answer", 5.0), ("user_hangup", 5.0)],
        "b": [("user_hangup", 20.0)],
        "c": [("canceled", 3.0)],  # final: no redial
    }
    delays = {"busy": 10.0, "no_answer": 30.0, "error": 0.0}
    result = schedule(
        ["a", "b", "c"], planned(script), rate=60, lines=1, max_attempts=3, retry_delays=delays
    )
    assert [(c.number, c.attempt, c.start) for c in result.calls] == [
        ("a", 0, 0.0),
        ("b", 0, 5.0),  # fresh before a's redial
        ("c", 0, 25.0),
        ("a", 1, 28.0),  # due at 15, the line is free at 28
        ("a", 2, 63.0),  # 33 + 30 s after no_answer
    ]
    assert result.dials == 5 and result.connected == 2
    assert result.required_requests == 7


def test_max_attempts_ends_a_chain() -> None:
    script = {"a": [("busy", 1.0)] * 5}
    result = schedule(
        ["a"], planned(script), rate=60, lines=1, max_attempts=2, retry_delays=NO_DELAY
    )
    assert result.dials == 2


def test_call_gets_share_the_budget_after_dials() -> None:
    script = {str(i): [("user_hangup", 1.0)] for i in range(3)}
    numbers = [str(i) for i in range(3)]
    gets = schedule(
        numbers,
        planned(script),
        rate=3,
        lines=10,
        max_attempts=1,
        retry_delays=NO_DELAY,
        call_gets=True,
    )
    assert gets.last_get == gets.wall == WINDOW  # 3 dials fill the first minute
    plain = schedule(
        numbers, planned(script), rate=3, lines=10, max_attempts=1, retry_delays=NO_DELAY
    )
    assert plain.wall == 1.0


@pytest.mark.parametrize("seed", [0, 7])
def test_the_simulators_ground_truth_is_what_gets_scheduled(seed: int) -> None:
    world = World(plan=PLANS["standard"], seed=seed, call_seconds=(10, 30))
    numbers = [f"+1202555{i:04d}" for i in range(30)]
    result = schedule(
        numbers, world.planned_outcome, rate=10, lines=10, max_attempts=3, retry_delays=NO_DELAY
    )
    for call in result.calls:
        outcome = world.planned_outcome(call.number, call.attempt)
        assert call.status == outcome.status
        assert call.end - call.start == pytest.approx(call_length(outcome))
    busy_at = [sum(1 for c in result.calls if c.start <= c0.start < c.end) for c0 in result.calls]
    assert max(busy_at) <= 10
    starts = sorted(c.start for c in result.calls)
    assert all(starts[i + 10] - starts[i] >= WINDOW for i in range(len(starts) - 10))
    assert result.wall >= result.lower_bound(10, 10)
