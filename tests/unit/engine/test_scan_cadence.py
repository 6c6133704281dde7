"""How close together scans may come (fake clock and budget, no simulator): the budget's
spare, or once a second in the campaign's tail while the last minute left room."""

from __future__ import annotations

import pytest

from campaign.clock import FakeClock
from campaign.engine.lines import Lines
from campaign.engine.open_calls import OpenCalls
from campaign.engine.scan_cadence import TAIL_EVERY, TAIL_EVERY_ALL_FIRE, ScanCadence
from campaign.engine.scan_schedule import ScanSchedule
from campaign.engine.settings import RunSettings


class Budget:
    rate = 60

    def __init__(self, other: int, scans: int) -> None:
        self.other, self.scans = other, scans

    def used_last_minute(self, exclude: str | None = None) -> int:
        return self.other + (0 if exclude == "call-list" else self.scans)


def _cadence(budget: Budget) -> ScanCadence:
    clock = FakeClock()
    return ScanCadence(
        OpenCalls(None, Lines(clock), clock),  # type: ignore[arg-type]
        ScanSchedule(),
        clock=clock,
        budget=budget,  # type: ignore[arg-type]
        settings=RunSettings(from_numbers=("+12025550100",)),
        coordination=None,  # type: ignore[arg-type]
        in_team=False,
        webhooks_live=lambda: False,
    )


@pytest.mark.parametrize(
    ("other", "scans", "tail", "floor"),
    [
        (30, 10, False, 2.5),  # 54 - 30 other requests a minute: a scan every 2.5 s
        (30, 10, True, TAIL_EVERY),  # the tail, 40 of 54 used: once a second
        (30, 24, True, 2.5),  # the tail, but the last minute is full: the spare again
        (54, 0, False, 10.0),  # no spare at all: the longest gap
    ],
)
def test_the_floor_between_scans(other: int, scans: int, tail: bool, floor: float) -> None:
    assert _cadence(Budget(other, scans)).floor(tail) == pytest.approx(floor)


@pytest.mark.parametrize(
    ("other", "scans", "tail", "floor"),
    [
        (30, 10, False, 60 / (60 * 0.97 - 30)),  # a thinner reserve: every ~2.1 s
        (30, 10, True, TAIL_EVERY_ALL_FIRE),  # the tail: twice a second
        (30, 28, True, 60 / (60 * 0.97 - 30)),  # the tail, the minute full: the spare
    ],
)
def test_where_every_ended_call_fires_scans_take_more_of_the_spare(
    other: int, scans: int, tail: bool, floor: float
) -> None:
    assert _cadence(Budget(other, scans)).floor(tail, all_fire=True) == pytest.approx(floor)


@pytest.mark.parametrize(("other", "scans", "room"), [(30, 27, True), (30, 28, False)])
def test_scans_never_take_the_dials_last_tokens(other: int, scans: int, room: bool) -> None:
    assert _cadence(Budget(other, scans)).room() is room
