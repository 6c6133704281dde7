"""Fault settings and the seeded draws that pick them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from campaign.simulator import Faults, World
from campaign.simulator.faults import DialFault, FaultPicker


@pytest.mark.parametrize(
    "kw",
    [{"p_5xx": -0.1}, {"p_drop": 1.5}, {"p_5xx": 0.6, "p_slow": 0.6}, {"slow_seconds": -1}],
)
def test_impossible_fault_settings_are_refused(kw: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Faults(**kw)


def test_no_faults_draw_nothing() -> None:
    picker = FaultPicker(Faults(), seed=0)
    assert {picker.for_dial() for _ in range(100)} == {None}
    assert not any(picker.for_read() for _ in range(100))


def test_dial_faults_follow_their_probabilities_and_the_seed() -> None:
    faults = Faults(p_5xx=0.1, p_ambiguous=0.2, p_drop=0.05, p_slow=0.15)
    n = 20_000
    picker = FaultPicker(faults, seed=3)
    draws = [picker.for_dial() for _ in range(n)]
    counts = Counter(draws)
    expected: dict[DialFault | None, float] = {
        "5xx": 0.1,
        "ambiguous": 0.2,
        "drop": 0.05,
        "slow": 0.15,
        None: 0.5,
    }
    for fault, p in expected.items():
        assert counts[fault] / n == pytest.approx(p, abs=0.015), fault
    again = FaultPicker(faults, seed=3)
    assert [again.for_dial() for _ in range(n)] == draws
    other = FaultPicker(faults, seed=4)
    assert [other.for_dial() for _ in range(n)] != draws
    # Drawing is not serving: only `count` records a fault as served.
    assert not picker.served


def test_certain_faults_always_fire() -> None:
    picker = FaultPicker(Faults(p_drop=1.0), seed=0)
    assert {picker.for_dial() for _ in range(50)} == {"drop"}


def test_reads_only_get_the_5xx_fault() -> None:
    picker = FaultPicker(Faults(p_ambiguous=1.0), seed=0)
    assert not any(picker.for_read() for _ in range(50))
    picker = FaultPicker(Faults(p_5xx=1.0), seed=0)
    assert all(picker.for_read() for _ in range(50))
    assert picker.served["5xx"] == 50


def test_world_counts_faults_once_served(make_world: Callable[..., World], place: Callable) -> None:
    world = make_world(faults=Faults(p_ambiguous=1.0))
    assert world.draw_dial_fault() == "ambiguous"
    assert not world.faults_served  # drawn for a dial that was then refused
    call = place(world, fault="ambiguous")
    assert call.fault == "ambiguous"
    assert world.faults_served == Counter({"ambiguous": 1})
    world = make_world(faults=Faults(p_5xx=1.0))
    assert world.draw_dial_fault() == "5xx"
    assert world.faults_served == Counter({"5xx": 1})
