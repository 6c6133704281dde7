"""Clocks and human durations."""

from __future__ import annotations

import time

import anyio
import pytest

from campaign.clock import CompressedClock, FakeClock, clock_from_env
from campaign.durations import format_duration, parse_duration, parse_duration_with_unit


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("45s", 45),
        ("10m", 600),
        ("2h", 7200),
        ("1h30m", 5400),
        ("1d", 86400),
        ("0", 0),
        ("90", 90),
        ("1.5h", 5400),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "10 parsecs", "-5", "5m soon"])
def test_parse_duration_rejects_with_the_forms_to_use(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "seconds", "refused"),
    [
        ("10m", 600.0, None),
        ("1h30m", 5400.0, None),
        ("0", 0.0, None),  # 0 means off: no unit needed
        (" 0.0 ", 0.0, None),
        ("10", None, "'10' has no unit: did you mean 10m? Write the unit: 10s, 10m or 10h"),
        ("2.5", None, "did you mean 2.5m?"),
        ("-5", None, "negative duration"),
        ("ten", None, "use forms like 45s"),
    ],
)
def test_durations_people_type_need_a_unit(
    text: str, seconds: float | None, refused: str | None
) -> None:
    if refused is None:
        assert parse_duration_with_unit(text) == seconds
        return
    with pytest.raises(ValueError, match=refused.replace("?", r"\?").replace(".", r"\.")):
        parse_duration_with_unit(text)


def test_format_duration() -> None:
    assert format_duration(45) == "45s"
    assert format_duration(725) == "12m 5s"
    assert format_duration(7380) == "2h 3m"
    assert format_duration(100800) == "1d 4h"


def test_fake_clock_sleep_advances_time_at_once(anyio_backend: str) -> None:
    clock = FakeClock()
    start = clock.time()
    anyio.run(clock.sleep, 3600)
    assert clock.time() == start + 3600
    assert clock.now().tzinfo is not None


def test_compressed_clock_jumps_over_long_waits() -> None:
    clock = CompressedClock(10.0, jump_over=5.0)
    start = time.monotonic()
    virtual = clock.time()
    anyio.run(clock.sleep, 3600.0)
    assert clock.time() - virtual >= 3600
    assert time.monotonic() - start < 2.0


def test_anchored_clocks_agree_across_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = CompressedClock.anchored(30.0, epoch=time.time() - 10)
    monkeypatch.setenv("CAMPAIGN_CLOCK", clock.spec())
    other = clock_from_env()
    assert abs(other.time() - clock.time()) < 1.0
