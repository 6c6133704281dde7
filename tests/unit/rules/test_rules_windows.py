"""Calling windows: parsing, next opening, weekends, midnight-crossing windows, `any`."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from campaign.clock import FakeClock
from campaign.rules import windows
from campaign.rules.windows import (
    ALL_DAYS,
    CallingWindow,
    NeverOpen,
    WindowRule,
    is_open,
    next_opening,
    parse_days,
    parse_window,
    parse_window_and_days,
)

NY = ["America/New_York"]
NYC_NUMBER = "+12125551234"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("08:00-21:00", time(8), time(21)),
        (" 8:30 - 17:45 ", time(8, 30), time(17, 45)),
        ("8-21", time(8), time(21)),
        ("20:00-02:00", time(20), time(2)),
        ("08:00-24:00", time(8), time(0)),
        ("09:00–17:00", time(9), time(17)),  # an en dash pasted from a document
    ],
)
def test_parse_window_reads_hours(text: str, start: time, end: time) -> None:
    assert parse_window(text) == CallingWindow(start, end, ALL_DAYS)


@pytest.mark.parametrize("text", ["any", "ANY", " any "])
def test_parse_window_any_means_no_window(text: str) -> None:
    assert parse_window(text) is None


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("08:00", "HH:MM-HH:MM"),
        ("", "HH:MM-HH:MM"),
        ("morning", "HH:MM-HH:MM"),
        ("25:00-26:00", "00:00 to 23:59"),
        ("08:61-09:00", "00:00 to 23:59"),
        ("24:00-08:00", "00:00 to 23:59"),
        ("08:00-08:00", "--window any"),
    ],
)
def test_parse_window_errors_say_the_fix(text: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        parse_window(text)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("Mon-Sat", {0, 1, 2, 3, 4, 5}),
        ("sat-sun", {5, 6}),
        ("mon,wed,fri", {0, 2, 4}),
        ("monday, wednesday", {0, 2}),
        ("fri-mon", {4, 5, 6, 0}),
        ("mon-wed,sat", {0, 1, 2, 5}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("every day", set(range(7))),
        ("all", set(range(7))),
        ("daily", set(range(7))),
    ],
)
def test_parse_days(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize("text", ["funday", "mon-tue-wed", "", ",", "mon-xyz"])
def test_parse_days_errors_say_the_fix(text: str) -> None:
    with pytest.raises(ValueError, match="mon-fri"):
        parse_days(text)


def test_window_and_days_together() -> None:
    window = parse_window_and_days("09:00-17:00", "mon-fri")
    assert window == CallingWindow(time(9), time(17), frozenset(range(5)))
    assert parse_window_and_days("any") is None
    assert parse_window_and_days("any", "daily") is None
    weekends = parse_window_and_days("any", "sat-sun")
    assert weekends == CallingWindow(time(0), time(0), frozenset({5, 6}))
    assert weekends.whole_day


def test_calling_window_refuses_bad_days() -> None:
    with pytest.raises(ValueError):
        CallingWindow(time(8), time(21), frozenset())
    with pytest.raises(ValueError):
        CallingWindow(time(8), time(21), frozenset({7}))


def test_describe() -> None:
    assert WindowRule.from_options("08:00-21:00", "mon-fri").describe() == (
        "08:00-21:00 recipient-local time, mon-fri"
    )
    assert WindowRule.from_options("any").describe() == "any time"
    assert WindowRule.from_options("20:00-02:00", "mon,wed").describe() == (
        "20:00-02:00 recipient-local time, mon,wed"
    )
    assert WindowRule.from_options("any", "sat-sun").describe() == (
        "any hour recipient-local time, sat,sun"
    )


# --- is_open / next_opening -----------------------------------------------------------------

WEEKDAYS = parse_window_and_days("08:00-21:00", "mon-fri")
DAILY = parse_window("08:00-21:00")


def test_open_and_closed_at_the_edges() -> None:
    # 2026-01-05 is a Monday; New York is UTC-5 in January.
    assert not is_open(DAILY, NY, utc(2026, 1, 5, 12, 59, 59))
    assert is_open(DAILY, NY, utc(2026, 1, 5, 13, 0))
    assert is_open(DAILY, NY, utc(2026, 1, 6, 1, 59, 59))
    assert not is_open(DAILY, NY, utc(2026, 1, 6, 2, 0))


def test_next_opening_later_today() -> None:
    assert next_opening(DAILY, NY, utc(2026, 1, 5, 10, 0)) == utc(2026, 1, 5, 13, 0)


def test_next_opening_tomorrow() -> None:
    # Monday 21:30 in New York: closed until Tuesday 08:00.
    assert next_opening(WEEKDAYS, NY, utc(2026, 1, 6, 2, 30)) == utc(2026, 1, 6, 13, 0)


def test_next_opening_after_the_weekend() -> None:
    # Friday 21:30 in New York, mon-fri: Monday 08:00.
    assert next_opening(WEEKDAYS, NY, utc(2026, 1, 10, 2, 30)) == utc(2026, 1, 12, 13, 0)
    # Saturday noon, still Monday.
    assert next_opening(WEEKDAYS, NY, utc(2026, 1, 10, 17, 0)) == utc(2026, 1, 12, 13, 0)


def test_next_opening_is_at_itself_when_open_and_returns_utc() -> None:
    at = datetime(2026, 1, 5, 10, 0, tzinfo=timezone(timedelta(hours=-5)))  # 15:00 UTC
    opening = next_opening(DAILY, NY, at)
    assert opening == at
    assert opening.tzinfo is UTC


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(DAILY, NY, datetime(2026, 1, 5, 12))
    with pytest.raises(ValueError, match="aware"):
        next_opening(DAILY, NY, datetime(2026, 1, 5, 12))


def test_window_crossing_midnight_belongs_to_the_day_it_starts() -> None:
    night = parse_window_and_days("20:00-02:00", "mon-fri")
    # Friday 2026-01-09 23:00 and Saturday 01:00 New York: Friday's window.
    assert is_open(night, NY, utc(2026, 1, 10, 4, 0))
    assert is_open(night, NY, utc(2026, 1, 10, 6, 0))
    assert not is_open(night, NY, utc(2026, 1, 10, 7, 0))  # Saturday 02:00
    # Saturday 20:00: no window on Saturday.
    assert not is_open(night, NY, utc(2026, 1, 11, 1, 0))
    # Monday 01:00 belongs to Sunday's window, which does not exist.
    assert not is_open(night, NY, utc(2026, 1, 12, 6, 0))
    # From Saturday 03:00 the next opening is Monday 20:00.
    assert next_opening(night, NY, utc(2026, 1, 10, 8, 0)) == utc(2026, 1, 13, 1, 0)


def test_window_ending_at_24_00_closes_at_midnight() -> None:
    late = parse_window("08:00-24:00")
    assert is_open(late, NY, utc(2026, 1, 6, 4, 59))  # 23:59
    assert not is_open(late, NY, utc(2026, 1, 6, 5, 0))  # 00:00


def test_any_window_is_always_open() -> None:
    assert is_open(None, [], utc(2026, 1, 5, 3, 0))
    assert next_opening(None, NY, utc(2026, 1, 5, 3, 0)) == utc(2026, 1, 5, 3, 0)
    weekends = parse_window_and_days("any", "sat-sun")
    assert not is_open(weekends, NY, utc(2026, 1, 10, 4, 59))  # Friday 23:59
    assert is_open(weekends, NY, utc(2026, 1, 10, 5, 0))  # Saturday 00:00
    assert is_open(weekends, NY, utc(2026, 1, 12, 4, 59))  # Sunday 23:59
    assert next_opening(weekends, NY, utc(2026, 1, 6, 12)) == utc(2026, 1, 10, 5, 0)


def test_no_zone_known_is_never_open() -> None:
    assert not is_open(DAILY, [], utc(2026, 1, 5, 15))
    with pytest.raises(NeverOpen, match="timezone column"):
        next_opening(DAILY, [], utc(2026, 1, 5, 15))


def test_zones_whose_windows_never_overlap() -> None:
    office = parse_window("09:00-17:00")
    with pytest.raises(NeverOpen, match="never open in all") as caught:
        next_opening(office, ["Asia/Tokyo", "America/New_York"], utc(2026, 1, 5))
    assert "widen --window" in caught.value.reason


def test_multi_zone_number_waits_for_every_zone() -> None:
    # A Russian mobile spans Bucharest-to-Kamchatka offsets: open only while 08:00-21:00
    # holds at both ends (Bucharest UTC+2 opens 06:00 UTC, Kamchatka UTC+12 closes 09:00 UTC).
    zones = windows.number_timezones("+79161234567")
    assert {"Europe/Moscow", "Europe/Bucharest", "Asia/Kamchatka"} <= set(zones)
    monday = utc(2026, 1, 5)
    assert next_opening(DAILY, zones, monday) == utc(2026, 1, 5, 6, 0)
    assert is_open(DAILY, zones, utc(2026, 1, 5, 8, 59))
    assert not is_open(DAILY, zones, utc(2026, 1, 5, 9, 0))
    # Moscow alone is open at 05:30 UTC (08:30 local), the number is not.
    assert is_open(DAILY, ["Europe/Moscow"], utc(2026, 1, 5, 5, 30))
    assert not is_open(DAILY, zones, utc(2026, 1, 5, 5, 30))


def test_us_number_without_geographic_info_needs_all_us_zones() -> None:
    toll_free = "+18005551234"
    zones = windows.number_timezones(toll_free)
    assert {"America/New_York", "Pacific/Honolulu", "America/Los_Angeles"} <= set(zones)
    rule = WindowRule(DAILY)
    monday_8am_new_york = utc(2026, 1, 5, 13, 0)
    assert rule.is_open(NYC_NUMBER, None, monday_8am_new_york)
    assert not rule.is_open(toll_free, None, monday_8am_new_york)  # 03:00 in Honolulu
    opening = rule.next_opening(toll_free, None, monday_8am_new_york)
    assert opening > monday_8am_new_york
    assert rule.is_open(toll_free, None, opening)


def test_hawaii_and_alaska_numbers() -> None:
    rule = WindowRule(DAILY)
    honolulu, alaska = "+18085551234", "+19075551234"
    assert rule.zones(honolulu).zones == ("Pacific/Honolulu",)
    # Honolulu is UTC-10 all year: 08:00 is 18:00 UTC, before and after the US DST change.
    assert rule.next_opening(honolulu, None, utc(2026, 3, 7, 12)) == utc(2026, 3, 7, 18)
    assert rule.next_opening(honolulu, None, utc(2026, 3, 9, 12)) == utc(2026, 3, 9, 18)
    # Alaska spans Anchorage (UTC-9) and Adak (UTC-10): opens at Adak's 08:00, closes at
    # Anchorage's 21:00.
    assert set(rule.zones(alaska).zones) == {"America/Anchorage", "America/Adak"}
    assert rule.next_opening(alaska, None, utc(2026, 1, 5, 12)) == utc(2026, 1, 5, 18)
    assert rule.is_open(alaska, None, utc(2026, 1, 6, 5, 59))
    assert not rule.is_open(alaska, None, utc(2026, 1, 6, 6, 0))


def test_timezone_column_wins_over_the_number() -> None:
    rule = WindowRule(DAILY)
    monday_9am_new_york = utc(2026, 1, 5, 14, 0)  # 06:00 in Los Angeles
    assert rule.is_open(NYC_NUMBER, None, monday_9am_new_york)
    assert not rule.is_open(NYC_NUMBER, "America/Los_Angeles", monday_9am_new_york)
    assert rule.next_opening(NYC_NUMBER, "America/Los_Angeles", monday_9am_new_york) == utc(
        2026, 1, 5, 16, 0
    )


def test_invalid_timezone_column_falls_back_to_the_number_with_a_warning() -> None:
    rule = WindowRule(DAILY)
    resolved = rule.zones(NYC_NUMBER, "Eastern Standard")
    assert resolved.zones == ("America/New_York",)
    assert resolved.source == "number"
    assert resolved.warning is not None and "Eastern Standard" in resolved.warning
    assert rule.is_open(NYC_NUMBER, "Eastern Standard", utc(2026, 1, 5, 14, 0))


def test_rule_resolves_each_contact_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = windows.resolve_contact_zones

    def counting(e164: str, value: str | None) -> windows.ContactZones:
        calls.append(e164)
        return real(e164, value)

    monkeypatch.setattr(windows, "resolve_contact_zones", counting)
    rule = WindowRule(DAILY)
    for minute in range(5):
        rule.is_open(NYC_NUMBER, None, utc(2026, 1, 5, 13, minute))
    rule.next_opening(NYC_NUMBER, None, utc(2026, 1, 5, 3))
    assert calls == [NYC_NUMBER]


def test_never_open_names_the_number() -> None:
    # An international freephone number (+800) belongs to no time zone.
    rule = WindowRule(DAILY)
    with pytest.raises(NeverOpen, match=r"^\+80012345678: .*timezone column"):
        rule.next_opening("+80012345678", "Mars/Olympus", utc(2026, 1, 5))
    assert not rule.is_open("+80012345678", None, utc(2026, 1, 5, 12))
    # ...until the row names one.
    assert rule.is_open("+80012345678", "Europe/Paris", utc(2026, 1, 5, 12))


def test_contact_is_callable_once_the_fake_clock_reaches_the_opening() -> None:
    rule = WindowRule.from_options("08:00-21:00", "mon-fri")
    clock = FakeClock(utc(2026, 1, 9, 23, 0))  # Friday 18:00 in New York
    los_angeles_contact = ("+13105551234", None)
    clock.advance(4 * 3600)  # Friday 19:00 in Los Angeles, 22:00 in New York
    assert rule.is_open(*los_angeles_contact, clock.now())
    assert not rule.is_open(NYC_NUMBER, None, clock.now())
    opening = rule.next_opening(NYC_NUMBER, None, clock.now())
    assert opening == utc(2026, 1, 12, 13, 0)  # Monday 08:00 in New York
    clock.set(opening - timedelta(seconds=1))
    assert not rule.is_open(NYC_NUMBER, None, clock.now())
    clock.advance(1)
    assert rule.is_open(NYC_NUMBER, None, clock.now())
