"""Calling windows across DST changes: US 2026-03-08 / 2026-11-01, EU 2026-03-29 / 2026-10-25."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaign.rules.windows import (
    CallingWindow,
    NeverOpen,
    is_open,
    local_instant,
    next_opening,
    parse_window,
)

DAILY = parse_window("08:00-21:00")
NEW_YORK, PARIS, LONDON = "America/New_York", "Europe/Paris", "Europe/London"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # US spring forward, 2026-03-08: EST (UTC-5) to EDT (UTC-4).
        (NEW_YORK, utc(2026, 3, 7, 13), utc(2026, 3, 8, 12)),
        # US fall back, 2026-11-01: EDT to EST.
        (NEW_YORK, utc(2026, 10, 31, 12), utc(2026, 11, 1, 13)),
        # EU spring forward, 2026-03-29: CET (UTC+1) to CEST (UTC+2); GMT to BST.
        (PARIS, utc(2026, 3, 28, 7), utc(2026, 3, 29, 6)),
        (LONDON, utc(2026, 3, 28, 8), utc(2026, 3, 29, 7)),
        # EU fall back, 2026-10-25.
        (PARIS, utc(2026, 10, 24, 6), utc(2026, 10, 25, 7)),
        (LONDON, utc(2026, 10, 24, 7), utc(2026, 10, 25, 8)),
    ],
)
def test_08_00_opens_at_local_08_00_on_both_sides_of_the_change(
    zone: str, before: datetime, after: datetime
) -> None:
    # 04:00 UTC is night in all three zones (23:00 or 00:00 in New York).
    assert next_opening(DAILY, [zone], before.replace(hour=4)) == before
    assert next_opening(DAILY, [zone], after.replace(hour=4)) == after
    # The first 08:00 after the 08:00 of the day before is the next day's, DST or not.
    assert next_opening(DAILY, [zone], before + timedelta(hours=13)) == after
    assert not is_open(DAILY, [zone], after - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        (NEW_YORK, datetime(2026, 3, 1, tzinfo=UTC)),
        (NEW_YORK, datetime(2026, 10, 26, tzinfo=UTC)),
        (PARIS, datetime(2026, 3, 23, tzinfo=UTC)),
        (PARIS, datetime(2026, 10, 19, tzinfo=UTC)),
    ],
)
def test_is_open_matches_the_local_wall_clock_through_a_dst_week(
    zone: str, start: datetime
) -> None:
    # An independent reading: the local clock shows 08:00 to 20:59 (the window's hours lie
    # outside the DST change hours, so wall-clock and interval readings must agree).
    tz = ZoneInfo(zone)
    for step in range(14 * 24 * 4):
        at = start + timedelta(minutes=15 * step)
        expected = time(8) <= at.astimezone(tz).time() < time(21)
        assert is_open(DAILY, [zone], at) == expected, at


def test_start_in_the_skipped_hour_opens_when_the_clock_jumps() -> None:
    # New York 2026-03-08: 02:00 EST jumps to 03:00 EDT at 07:00 UTC; 02:30 never shows.
    window = parse_window("02:30-06:00")
    assert next_opening(window, [NEW_YORK], utc(2026, 3, 8, 5)) == utc(2026, 3, 8, 7)
    assert not is_open(window, [NEW_YORK], utc(2026, 3, 8, 6, 59, 59))
    assert is_open(window, [NEW_YORK], utc(2026, 3, 8, 7))
    assert not is_open(window, [NEW_YORK], utc(2026, 3, 8, 10))  # 06:00 EDT
    # Paris 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    assert next_opening(window, [PARIS], utc(2026, 3, 28, 23)) == utc(2026, 3, 29, 1)


def test_end_in_the_skipped_hour_closes_when_the_clock_jumps() -> None:
    window = parse_window("22:00-02:30")
    assert is_open(window, [NEW_YORK], utc(2026, 3, 8, 6, 59))  # 01:59 EST
    assert not is_open(window, [NEW_YORK], utc(2026, 3, 8, 7))  # 03:00 EDT


def test_start_in_the_repeated_hour_is_its_first_occurrence() -> None:
    # New York 2026-11-01: 01:00-02:00 happens twice, first EDT (05:00-06:00 UTC) then EST.
    window = parse_window("01:30-05:00")
    assert next_opening(window, [NEW_YORK], utc(2026, 11, 1)) == utc(2026, 11, 1, 5, 30)
    # Paris 2026-10-25: 02:00-03:00 twice, first CEST (00:00-01:00 UTC).
    window = parse_window("02:30-05:00")
    assert next_opening(window, [PARIS], utc(2026, 10, 24, 22)) == utc(2026, 10, 25, 0, 30)


def test_end_in_the_repeated_hour_does_not_reopen_an_hour_later() -> None:
    window = parse_window("20:00-01:30")
    assert is_open(window, [NEW_YORK], utc(2026, 11, 1, 5, 29))  # 01:29 EDT
    assert not is_open(window, [NEW_YORK], utc(2026, 11, 1, 5, 30))  # 01:30 EDT
    assert not is_open(window, [NEW_YORK], utc(2026, 11, 1, 6, 15))  # 01:15 EST, again
    assert next_opening(window, [NEW_YORK], utc(2026, 11, 1, 6)) == utc(2026, 11, 2, 1)


def test_whole_day_window_spans_the_short_and_long_days() -> None:
    weekend = CallingWindow(time(0), time(0), frozenset({6}))  # Sundays, all day
    # Sunday 2026-03-08 in New York lasts 23 hours: 05:00 UTC to 04:00 UTC.
    assert next_opening(weekend, [NEW_YORK], utc(2026, 3, 5)) == utc(2026, 3, 8, 5)
    assert is_open(weekend, [NEW_YORK], utc(2026, 3, 9, 3, 59))
    assert not is_open(weekend, [NEW_YORK], utc(2026, 3, 9, 4))
    # Sunday 2026-11-01 lasts 25 hours: 04:00 UTC to 05:00 UTC.
    assert is_open(weekend, [NEW_YORK], utc(2026, 11, 2, 4, 59))
    assert not is_open(weekend, [NEW_YORK], utc(2026, 11, 2, 5))


@pytest.mark.parametrize(
    ("day", "wall", "expected"),
    [
        ((2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7)),  # skipped
        ((2026, 3, 8), time(3, 0), utc(2026, 3, 8, 7)),
        ((2026, 3, 8), time(1, 59), utc(2026, 3, 8, 6, 59)),
        ((2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),  # repeated: first one
        ((2026, 11, 1), time(2, 0), utc(2026, 11, 1, 7)),
    ],
)
def test_local_instant(day: tuple[int, int, int], wall: time, expected: datetime) -> None:
    assert local_instant(date(*day), wall, ZoneInfo(NEW_YORK)) == expected


@pytest.mark.parametrize(
    ("zones", "start"),
    [
        ([NEW_YORK], datetime(2026, 3, 6, tzinfo=UTC)),
        ([NEW_YORK, "America/Los_Angeles"], datetime(2026, 10, 30, tzinfo=UTC)),
        ([PARIS, LONDON, "Europe/Moscow"], datetime(2026, 3, 27, tzinfo=UTC)),
        (["Australia/Sydney", "Australia/Perth"], datetime(2026, 4, 3, tzinfo=UTC)),
    ],
)
@pytest.mark.parametrize("window_text", ["08:00-21:00", "20:00-02:00", "01:30-02:30"])
def test_next_opening_is_the_first_open_minute(
    zones: list[str], start: datetime, window_text: str
) -> None:
    # Brute force: walk minute by minute; the first open minute is the next opening,
    # rounded up to the minute.
    window = parse_window(window_text)
    for hours in range(0, 72, 5):
        at = start + timedelta(hours=hours, minutes=7)
        try:
            opening = next_opening(window, zones, at)
        except NeverOpen:
            # Zones too far apart for a short window: no open minute in the next 8 days.
            steps = (at + timedelta(minutes=m) for m in range(0, 8 * 24 * 60, 5))
            assert not any(is_open(window, zones, probe) for probe in steps)
            return
        assert is_open(window, zones, opening)
        probe = at
        while not is_open(window, zones, probe):
            probe += timedelta(minutes=1)
        assert probe - timedelta(minutes=1) < opening <= probe, (at, opening, probe)
