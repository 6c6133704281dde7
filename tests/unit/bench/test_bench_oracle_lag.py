"""bench/oracle_lag.py: a run's line-seconds split into states, summing to lines × wall."""

from __future__ import annotations

import pytest

from bench.oracle_lag import LineCall, decompose

# One line: a's first call (learned 1 s late by a scan), b's call, a's redial.
CALLS = [
    LineCall("a", 0, dialed=1.0, hung_up=5.0, learned=6.0, source="polled"),
    LineCall("b", 0, dialed=7.0, hung_up=10.0, learned=10.0, source="webhook"),
    LineCall("a", 1, dialed=12.0, hung_up=15.0, learned=16.0, source="polled"),
]


@pytest.mark.parametrize(
    ("retry_delay", "rate", "expected"),
    [
        # a's redial due at 8: after b the line idles 2 s with a due (the engine's lag)
        (3.0, 60, {"ramp": 1, "call": 10, "learn": 2, "dispatch": 3, "not_due": 0, "tail": 1}),
        # due at 11: the first second after b nobody is due
        (6.0, 60, {"ramp": 1, "call": 10, "learn": 2, "dispatch": 2, "not_due": 1, "tail": 1}),
        # two requests a minute: from b's dial on, the window is full until a's redial
        (6.0, 2, {"ramp": 1, "call": 10, "learn": 2, "dispatch": 1, "budget": 1, "not_due": 1}),
    ],
)
def test_the_states_sum_to_the_lines_wall(
    retry_delay: float, rate: int, expected: dict[str, float]
) -> None:
    grants = [c.dialed for c in CALLS]
    d = decompose(
        CALLS, grants, lines=1, rate=rate, start=0.0, finish=17.0, retry_delay=retry_delay
    )
    for state, seconds in expected.items():
        assert d.seconds[state] == pytest.approx(seconds, abs=0.02), state
    assert d.total() == pytest.approx(17.0, abs=0.02)
    assert d.learn_by_source["polled"] == [2, pytest.approx(2.0)]
    # b waited for the line from 0 (due) to 7 while a's end went unseen 5→6 s: 1 line-s
    assert d.learn_costly == pytest.approx(1.0, abs=0.02)
    assert d.last_end_to_finish == pytest.approx(2.0)
