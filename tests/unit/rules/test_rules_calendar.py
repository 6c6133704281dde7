"""The calling calendar on a fake clock: Israel's week, Shabbat, holidays and their eves, DST,
a US contact on July 4th, numbers spanning several zones, and the reasons a contact waits."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaign.clock import FakeClock
from campaign.rules.calendar import (
    CallingCalendar,
    ClosedReason,
    NeverOpen,
)
from campaign.rules.closed import parse_closed
from campaign.rules.zones import number_timezones

ISRAEL = "+972527654321"  # a mobile: Asia/Jerusalem
NEW_YORK = "+12025550123"  # Washington DC: America/New_York
US_TOLL_FREE = "+18005551234"  # every US zone, Honolulu to New York
RUSSIAN_MOBILE = "+79161234567"  # Europe/Bucharest's offset to Kamchatka's
JERUSALEM, NY = ZoneInfo("Asia/Jerusalem"), ZoneInfo("America/New_York")


def il(text: str) -> datetime:
    """An instant given as Israel's wall clock (IST or IDT as the date has it)."""
    return datetime.fromisoformat(text).replace(tzinfo=JERUSALEM).astimezone(UTC)


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY).astimezone(UTC)


DEFAULTS = CallingCalendar.from_options()


# --- Israel's week and holidays, by default ----------------------------------------------------

# (Israel's wall clock, open?, next opening on Israel's wall clock, reason, detail)
ISRAEL_CASES = [
    # Sunday to Thursday 09:00-20:00.
    ("2026-09-06T08:59", False, "2026-09-06T09:00", ClosedReason.OUTSIDE_HOURS, "sun 09:00-20:00"),
    ("2026-09-06T09:00", True, "2026-09-06T09:00", None, None),
    ("2026-09-10T19:59", True, "2026-09-10T19:59", None, None),
    ("2026-09-08T20:00", False, "2026-09-09T09:00", ClosedReason.OUTSIDE_HOURS, "tue 09:00-20:00"),
    # Friday 09:00-13:00: 12:55 is still open, 13:05 waits for Sunday.
    ("2026-09-04T12:55", True, "2026-09-04T12:55", None, None),
    ("2026-09-04T13:05", False, "2026-09-06T09:00", ClosedReason.OUTSIDE_HOURS, "fri 09:00-13:00"),
    # Shabbat: no calls.
    ("2026-09-05T11:00", False, "2026-09-06T09:00", ClosedReason.CLOSED_DAY, "Saturday"),
    ("2026-09-05T21:00", False, "2026-09-06T09:00", ClosedReason.CLOSED_DAY, "Saturday"),
    # Yom Kippur, Monday 2026-09-21: closed all day; callable Tuesday 09:00.
    ("2026-09-21T10:00", False, "2026-09-22T09:00", ClosedReason.HOLIDAY, "Yom Kippur"),
    # Its eve, Sunday 2026-09-20, is like a Friday: 09:00-13:00, and then waits for Tuesday.
    ("2026-09-20T12:59", True, "2026-09-20T12:59", None, None),
    ("2026-09-20T13:00", False, "2026-09-22T09:00", ClosedReason.HOLIDAY, "Yom Kippur"),
    ("2026-09-20T22:00", False, "2026-09-22T09:00", ClosedReason.HOLIDAY, "Yom Kippur"),
    # Rosh Hashanah, Saturday and Sunday 2026-09-12/13: Friday's 13:05 waits until Monday.
    ("2026-09-11T13:05", False, "2026-09-14T09:00", ClosedReason.HOLIDAY, "Rosh Hashanah"),
    # Pesach, Thursday 2026-04-02, and its eve (the Seder) on Wednesday.
    ("2026-04-01T15:00", False, "2026-04-03T09:00", ClosedReason.HOLIDAY, "Pesach"),
    ("2026-04-02T10:00", False, "2026-04-03T09:00", ClosedReason.HOLIDAY, "Pesach"),
    # Independence Day, Wednesday 2026-04-22 (its eve is Remembrance Day: short too).
    ("2026-04-22T10:00", False, "2026-04-23T09:00", ClosedReason.HOLIDAY, "Independence Day"),
    ("2026-04-21T12:00", True, "2026-04-21T12:00", None, None),
    # Shavuot (Friday 2026-05-22) and Sukkot (Saturday 2026-09-26, its eve a Friday).
    ("2026-05-22T10:00", False, "2026-05-24T09:00", ClosedReason.HOLIDAY, "Shavuot"),
    ("2026-09-25T12:00", True, "2026-09-25T12:00", None, None),
]


@pytest.mark.parametrize(("local", "is_open", "opens", "reason", "detail"), ISRAEL_CASES)
def test_israeli_contact_by_default(
    local: str, is_open: bool, opens: str, reason: ClosedReason | None, detail: str | None
) -> None:
    answer = DEFAULTS.availability(ISRAEL, None, il(local))
    assert answer.open is is_open
    assert answer.country == "IL" and answer.zones == ("Asia/Jerusalem",)
    assert answer.opens_at == il(opens)
    if reason is None:
        assert answer.reason is None and answer.label() == "open"
    else:
        assert answer.reason is not None
        assert (answer.reason.reason, answer.reason.detail) == (reason, detail)


def test_the_eve_is_closed_for_the_eve_and_the_wait_is_for_the_holiday() -> None:
    answer = DEFAULTS.availability(ISRAEL, None, il("2026-09-20T14:00"))
    assert answer.closure is not None
    assert answer.closure.reason is ClosedReason.HOLIDAY_EVE
    assert answer.closure.label() == "holiday eve (Yom Kippur)"
    assert [c.label() for c in answer.closures] == ["holiday (Yom Kippur)"]
    assert answer.label() == "holiday (Yom Kippur)"


def test_a_holiday_on_a_day_without_calls_is_not_the_reason() -> None:
    # Friday 13:05 before Sukkot (a Saturday): the wait is Shabbat's, not the holiday's.
    answer = DEFAULTS.availability(ISRAEL, None, il("2026-09-25T13:05"))
    assert answer.label() == "outside calling hours (fri 09:00-13:00)"
    assert answer.opens_at == il("2026-09-27T09:00")


@pytest.mark.parametrize(
    ("before", "opening", "offset_hours"),
    [
        # Israel springs forward on Friday 2026-03-27 at 02:00 (IST +2 to IDT +3).
        ("2026-03-26T20:30", "2026-03-27T09:00", 3),
        # ...and falls back on Sunday 2026-10-25 at 02:00 (IDT +3 to IST +2).
        ("2026-10-24T12:00", "2026-10-25T09:00", 2),
    ],
)
def test_israel_dst_change_opens_at_local_09_00(
    before: str, opening: str, offset_hours: int
) -> None:
    clock = FakeClock(il(before))
    expected = il(opening)
    assert expected.astimezone(JERUSALEM).utcoffset() == timedelta(hours=offset_hours)
    assert DEFAULTS.next_opening(ISRAEL, None, clock.now()) == expected
    clock.set(expected - timedelta(seconds=1))
    assert not DEFAULTS.is_open(ISRAEL, None, clock.now())
    clock.advance(1)
    assert DEFAULTS.is_open(ISRAEL, None, clock.now())


@pytest.mark.parametrize("week_start", ["2026-03-22T00:00", "2026-10-18T00:00"])
def test_israel_dst_weeks_match_the_wall_clock(week_start: str) -> None:
    # An independent reading of the schedule: the local clock's weekday and hour.
    start = il(week_start)
    for step in range(8 * 24 * 4):
        at = start + timedelta(minutes=15 * step)
        local = at.astimezone(JERUSALEM)
        hour, weekday = local.time(), local.weekday()
        expected = (weekday in (6, 0, 1, 2, 3) and time(9) <= hour < time(20)) or (
            weekday == 4 and time(9) <= hour < time(13)
        )
        assert DEFAULTS.is_open(ISRAEL, None, at) is expected, local


# --- other countries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "is_open", "opens", "detail"),
    [
        # July 4th 2026 is a Saturday: observed on Friday the 3rd; both are closed.
        ("2026-07-03T12:00", False, "2026-07-05T08:00", "Independence Day (observed)"),
        ("2026-07-04T12:00", False, "2026-07-05T08:00", "Independence Day"),
        ("2026-07-02T20:59", True, "2026-07-02T20:59", None),
        # Every other day 08:00-21:00, Saturday and Sunday included.
        ("2026-07-05T07:59", False, "2026-07-05T08:00", "sun 08:00-21:00"),
        ("2026-07-11T12:00", True, "2026-07-11T12:00", None),
    ],
)
def test_us_contact_on_july_4th(local: str, is_open: bool, opens: str, detail: str | None) -> None:
    answer = DEFAULTS.availability(NEW_YORK, None, ny(local))
    assert answer.country == "US"
    assert answer.open is is_open
    assert answer.opens_at == ny(opens)
    assert (answer.reason.detail if answer.reason else None) == detail


def test_no_holidays_calls_on_them() -> None:
    calendar = CallingCalendar.from_options(holidays=False)
    assert calendar.is_open(NEW_YORK, None, ny("2026-07-04T12:00"))
    assert calendar.is_open(ISRAEL, None, il("2026-09-21T10:00"))  # Yom Kippur
    assert calendar.is_open(ISRAEL, None, il("2026-09-20T15:00"))  # its eve: no short day
    assert not calendar.is_open(ISRAEL, None, il("2026-09-19T10:00"))  # still Shabbat


def test_an_explicit_window_replaces_the_country_schedule_not_the_holidays() -> None:
    calendar = CallingCalendar.from_options("08:00-21:00")
    assert calendar.is_open(ISRAEL, None, il("2026-09-05T11:00"))  # Saturday: the user said so
    assert not calendar.is_open(ISRAEL, None, il("2026-09-21T10:00"))  # Yom Kippur
    assert not calendar.is_open(ISRAEL, None, il("2026-09-20T14:00"))  # its eve ends at 13:00
    weekly = CallingCalendar.from_options("sun-thu 10:00-18:00")
    answer = weekly.availability(NEW_YORK, None, ny("2026-07-10T12:00"))  # a Friday
    assert answer.label() == "closed day (Friday)"
    assert answer.opens_at == ny("2026-07-12T10:00")


def test_window_any_keeps_meaning_any_time() -> None:
    calendar = CallingCalendar.from_options("any")
    assert not calendar.restricted
    assert calendar.is_open(ISRAEL, None, il("2026-09-21T03:00"))  # Yom Kippur, at night
    assert calendar.is_open("+80012345678", None, il("2026-09-21T03:00"))  # no zone: fine
    with_holidays = CallingCalendar.from_options("any", holidays=True)
    assert with_holidays.restricted
    assert with_holidays.is_open(ISRAEL, None, il("2026-09-19T03:00"))  # Shabbat, any hour
    answer = with_holidays.availability(ISRAEL, None, il("2026-09-21T03:00"))
    assert answer.label() == "holiday (Yom Kippur)"
    assert answer.opens_at == il("2026-09-22T00:00")


def test_days_narrow_each_countrys_default() -> None:
    calendar = CallingCalendar.from_options(days="mon-fri")
    assert not calendar.is_open(ISRAEL, None, il("2026-09-06T10:00"))  # Sunday
    assert calendar.is_open(ISRAEL, None, il("2026-09-04T12:00"))  # Friday morning
    assert not calendar.is_open(NEW_YORK, None, ny("2026-07-11T12:00"))  # Saturday
    saturday_only = CallingCalendar.from_options(days="sat")
    answer = saturday_only.availability(ISRAEL, None, il("2026-09-05T11:00"))
    assert answer.opens_at is None
    assert answer.closure is not None and answer.closure.reason is ClosedReason.NEVER_OPEN
    assert "Israel" in answer.label() and "--days sat" in answer.label()
    assert saturday_only.is_open(NEW_YORK, None, ny("2026-07-11T12:00"))


# --- several zones, no zone, closed dates ---------------------------------------------------


def test_toll_free_number_waits_for_every_us_zone_and_the_holiday() -> None:
    zones = number_timezones(US_TOLL_FREE)
    assert {"America/New_York", "Pacific/Honolulu"} <= set(zones)
    answer = DEFAULTS.availability(US_TOLL_FREE, None, ny("2026-07-03T12:00"))
    assert answer.label() == "holiday (Independence Day (observed))"
    assert answer.opens_at is not None
    # The first instant past the holidays when it is 08:00-21:00 in every zone at once.
    assert not DEFAULTS.is_open(US_TOLL_FREE, None, answer.opens_at - timedelta(seconds=1))
    assert DEFAULTS.is_open(US_TOLL_FREE, None, answer.opens_at)
    for zone in answer.zones:
        local = answer.opens_at.astimezone(ZoneInfo(zone))
        assert local.date() >= datetime(2026, 7, 5).date(), zone
        assert time(8) <= local.time() < time(21), zone


def test_russian_mobile_waits_out_the_new_year_holidays_in_all_its_zones() -> None:
    assert {"Europe/Bucharest", "Asia/Kamchatka"} <= set(number_timezones(RUSSIAN_MOBILE))
    answer = DEFAULTS.availability(RUSSIAN_MOBILE, None, datetime(2026, 1, 2, 7, tzinfo=UTC))
    assert answer.country == "RU"
    assert answer.reason is not None and answer.reason.reason is ClosedReason.HOLIDAY
    assert answer.opens_at is not None
    opening = answer.opens_at
    for zone in answer.zones:  # open everywhere, on a day that is no holiday anywhere
        local = opening.astimezone(ZoneInfo(zone))
        assert time(8) <= local.time() < time(21), zone
        assert local.date() >= datetime(2026, 1, 9).date(), zone


def test_timezone_column_wins_over_the_number() -> None:
    # An Israeli mobile whose row says New York: New York's hours, Israel's schedule.
    answer = DEFAULTS.availability(ISRAEL, "America/New_York", ny("2026-09-06T10:00"))
    assert answer.open and answer.zones == ("America/New_York",)
    late = DEFAULTS.availability(ISRAEL, "America/New_York", ny("2026-09-06T20:30"))
    assert late.opens_at == ny("2026-09-07T09:00")


def test_no_zone_never_opens_and_says_the_fix() -> None:
    answer = DEFAULTS.availability("+80012345678", None, il("2026-09-06T10:00"))
    assert answer.opens_at is None
    assert answer.closure is not None and answer.closure.reason is ClosedReason.NO_ZONE
    assert "timezone column" in answer.label() and "--no-holidays" in answer.label()
    with pytest.raises(NeverOpen, match=r"^\+80012345678: no time zone"):
        DEFAULTS.next_opening("+80012345678", None, il("2026-09-06T10:00"))


def test_closed_dates_close_the_recipients_day_and_say_the_note() -> None:
    closed = parse_closed("2026-09-07, staff day\n2026-09-08..2026-09-09\n")
    calendar = CallingCalendar.from_options(closed=closed)
    answer = calendar.availability(ISRAEL, None, il("2026-09-07T10:00"))
    assert answer.label() == "closed date (staff day)"
    assert answer.opens_at == il("2026-09-10T09:00")
    bare = calendar.availability(ISRAEL, None, il("2026-09-08T10:00"))
    assert bare.label() == "closed date"
    # A window that starts the evening before runs no further than midnight.
    night = CallingCalendar.from_options("20:00-02:00", closed=closed)
    assert night.is_open(ISRAEL, None, il("2026-09-06T23:59"))
    evening = night.availability(ISRAEL, None, il("2026-09-07T00:30"))
    assert evening.label() == "closed date (staff day)"
    assert evening.opens_at == il("2026-09-10T20:00")


def test_a_long_closure_is_waited_out_not_reported_as_never() -> None:
    closed = parse_closed("2026-08-01..2026-08-31, summer closure")
    calendar = CallingCalendar.from_options(closed=closed)
    assert calendar.is_open(ISRAEL, None, il("2026-07-31T12:00"))  # Friday, before it
    answer = calendar.availability(ISRAEL, None, il("2026-07-31T13:30"))
    assert answer.opens_at == il("2026-09-01T09:00")
    assert answer.label() == "closed date (summer closure)"


def test_fake_clock_walks_a_contact_from_friday_to_sunday() -> None:
    clock = FakeClock(il("2026-09-04T12:58"))
    assert DEFAULTS.is_open(ISRAEL, None, clock.now())
    clock.advance(120)  # 13:00
    answer = DEFAULTS.availability(ISRAEL, None, clock.now())
    assert not answer.open and answer.opens_at == il("2026-09-06T09:00")
    assert answer.opens_at is not None
    clock.set(answer.opens_at)
    assert DEFAULTS.is_open(ISRAEL, None, clock.now())


def test_each_contact_is_resolved_once() -> None:
    calls: list[str] = []

    def counting(e164: str, value: str | None):  # type: ignore[no-untyped-def]
        from campaign.rules.zones import resolve_contact_zones

        calls.append(e164)
        return resolve_contact_zones(e164, value)

    calendar = CallingCalendar(None, by_country=True, holidays=True, resolve_zones=counting)
    for hour in range(24):
        calendar.availability(ISRAEL, None, il(f"2026-09-04T{hour:02d}:00"))
    assert calls == [ISRAEL]
