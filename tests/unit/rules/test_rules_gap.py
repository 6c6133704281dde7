"""Minimum gap between calls to one number, and the per-day cap on the recipient's day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaign.clock import FakeClock
from campaign.rules.gap import attempts_today_blocks, gap_blocks, latest_block

NY, LA = "America/New_York", "America/Los_Angeles"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


DAY = 24 * 3600.0


def test_gap_off_or_never_called() -> None:
    at = utc(2026, 1, 5, 12)
    assert gap_blocks(None, DAY, at) is None
    assert gap_blocks(at - timedelta(minutes=1), 0, at) is None


def test_gap_blocks_until_it_has_passed() -> None:
    last = utc(2026, 1, 5, 12)
    assert gap_blocks(last, DAY, utc(2026, 1, 6, 11, 59)) == utc(2026, 1, 6, 12)
    assert gap_blocks(last, DAY, utc(2026, 1, 6, 12)) is None
    assert gap_blocks(last, 3600, utc(2026, 1, 5, 12, 30)) == utc(2026, 1, 5, 13)


def test_gap_expiring_on_a_fake_clock_makes_the_number_callable() -> None:
    clock = FakeClock(utc(2026, 1, 5, 12))
    last = clock.now() - timedelta(hours=23)
    free_at = gap_blocks(last, DAY, clock.now())
    assert free_at == utc(2026, 1, 5, 13)
    clock.advance((free_at - clock.now()).total_seconds() - 1)
    assert gap_blocks(last, DAY, clock.now()) == free_at
    clock.advance(1)
    assert gap_blocks(last, DAY, clock.now()) is None


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        gap_blocks(datetime(2026, 1, 5), DAY, utc(2026, 1, 5))
    with pytest.raises(ValueError, match="aware"):
        attempts_today_blocks([datetime(2026, 1, 5)], 1, [NY], utc(2026, 1, 5))


def test_cap_off_or_not_reached() -> None:
    at = utc(2026, 1, 5, 20)
    attempts = [utc(2026, 1, 5, 14), utc(2026, 1, 5, 16)]
    assert attempts_today_blocks(attempts, None, [NY], at) is None
    assert attempts_today_blocks(attempts, 0, [NY], at) is None
    assert attempts_today_blocks(attempts, 3, [NY], at) is None
    assert attempts_today_blocks([], 1, [NY], at) is None


def test_cap_counts_the_recipients_day_not_the_utc_day() -> None:
    # Monday 2026-01-05 in New York runs 05:00 UTC to 05:00 UTC on Tuesday.
    attempts = [utc(2026, 1, 5, 14), utc(2026, 1, 5, 18), utc(2026, 1, 6, 1)]
    at = utc(2026, 1, 6, 3)  # Monday 22:00 in New York, already Tuesday in UTC
    assert attempts_today_blocks(attempts, 3, [NY], at) == utc(2026, 1, 6, 5)
    assert attempts_today_blocks(attempts, 3, [], at) is None  # UTC day: one attempt
    # An attempt late on Sunday in New York (Monday in UTC) does not count on Monday.
    sunday_night = [utc(2026, 1, 5, 4, 30), utc(2026, 1, 5, 14)]
    assert attempts_today_blocks(sunday_night, 2, [NY], utc(2026, 1, 5, 15)) is None
    assert attempts_today_blocks(sunday_night, 2, [], utc(2026, 1, 5, 15)) == utc(2026, 1, 6)


def test_cap_frees_the_number_after_local_midnight() -> None:
    attempts = [utc(2026, 1, 5, 14), utc(2026, 1, 5, 15)]
    free_at = attempts_today_blocks(attempts, 2, [NY], utc(2026, 1, 5, 16))
    assert free_at == utc(2026, 1, 6, 5)
    assert attempts_today_blocks(attempts, 2, [NY], free_at) is None


def test_attempts_after_at_are_ignored() -> None:
    attempts = [utc(2026, 1, 5, 14), utc(2026, 1, 5, 18)]
    assert attempts_today_blocks(attempts, 2, [NY], utc(2026, 1, 5, 15)) is None


def test_cap_in_several_zones_waits_for_the_last_midnight() -> None:
    attempts = [utc(2026, 1, 5, 17), utc(2026, 1, 5, 18)]
    assert attempts_today_blocks(attempts, 2, [NY, LA], utc(2026, 1, 5, 19)) == utc(2026, 1, 6, 8)


def test_cap_across_dst_uses_the_local_midnight() -> None:
    # Sunday 2026-03-08 in New York lasts 23 hours: its midnight is 04:00 UTC on Monday.
    attempts = [utc(2026, 3, 8, 15)]
    assert attempts_today_blocks(attempts, 1, [NY], utc(2026, 3, 8, 16)) == utc(2026, 3, 9, 4)


def test_latest_block() -> None:
    assert latest_block(None, None) is None
    assert latest_block(None, utc(2026, 1, 5)) == utc(2026, 1, 5)
    assert latest_block(utc(2026, 1, 6), None, utc(2026, 1, 5)) == utc(2026, 1, 6)
