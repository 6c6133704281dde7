"""What validate, the dry run and the check page say about the calendar, and its warnings."""

from __future__ import annotations

from datetime import date

from campaign.rules.calendar import CallingCalendar
from campaign.rules.closed import parse_closed
from campaign.rules.describe import describe_calendar

TODAY = date(2026, 9, 1)


def test_each_country_gets_its_default_and_its_holidays() -> None:
    view = describe_calendar(
        CallingCalendar.from_options(), {"US": 3, "IL": 12}, today=TODAY, zones=["Asia/Jerusalem"]
    )
    israel, us = view.countries
    assert (israel.country, israel.contacts) == ("IL", 12)  # the biggest first
    assert israel.schedule == "sun-thu 09:00-20:00, fri 09:00-13:00"
    assert israel.source == "Israel's default"
    assert israel.holidays == "no calls on Israel public holidays"
    assert israel.holiday_eve == "09:00-13:00"
    assert israel.next_holidays[0] == ("2026-09-12", "Rosh Hashanah")
    assert us.schedule == "08:00-21:00 every day" and us.source == "the default"
    assert us.next_holidays[0] == ("2026-09-07", "Labor Day")
    assert view.other_countries == "Other countries: 08:00-21:00 every day"
    lines = view.lines()
    assert lines[0] == "Calling calendar, in each recipient's local time:"
    assert lines[1].startswith(
        "  IL (12 contacts): sun-thu 09:00-20:00, fri 09:00-13:00 (Israel's default); "
        "no calls on Israel public holidays (next: Rosh Hashanah Sat 12 Sep 2026"
    )
    assert lines[1].endswith("; holiday eves 09:00-13:00")
    assert "  Time zones: 1 (Asia/Jerusalem)" in lines
    assert view.warnings == []
    assert view.to_json()["countries"][0]["country"] == "IL"


def test_explicit_window_any_and_no_holidays() -> None:
    explicit = describe_calendar(
        CallingCalendar.from_options("09:00-17:00", "mon-fri"), {"IL": 1}, today=TODAY
    )
    assert explicit.countries[0].schedule == "mon-fri 09:00-17:00"
    assert explicit.countries[0].source == "--window"
    assert explicit.other_countries is None
    anytime = describe_calendar(CallingCalendar.from_options("any"), {"IL": 1}, today=TODAY)
    assert anytime.countries[0].schedule == "any time"
    assert anytime.countries[0].holidays.startswith("public holidays not skipped (--window any")
    off = describe_calendar(CallingCalendar.from_options(holidays=False), {"US": 1}, today=TODAY)
    assert off.countries[0].holidays == "public holidays not skipped"
    assert off.countries[0].next_holidays == []


def test_overnight_window_is_said_with_its_hours() -> None:
    view = describe_calendar(
        CallingCalendar.from_options("20:00-08:00"), {"US": 1}, today=TODAY,
        window_text="20:00-08:00",
    )  # fmt: skip
    (warning,) = view.warnings
    assert warning.startswith("--window 20:00-08:00: calls go out overnight, from 20:00 until")
    assert "08:00 the next morning" in warning and "use --window 08:00-20:00" in warning
    daytime = describe_calendar(CallingCalendar.from_options("08:00-20:00"), {"US": 1}, today=TODAY)
    assert daytime.warnings == []


def test_weekdays_is_spelled_out_for_israeli_contacts() -> None:
    calendar = CallingCalendar.from_options(days="weekdays")
    view = describe_calendar(calendar, {"IL": 5, "US": 1}, today=TODAY, days_text="weekdays")
    assert view.countries[0].schedule == "mon-thu 09:00-20:00, fri 09:00-13:00"
    (warning,) = view.warnings
    assert "'weekdays' means mon-fri" in warning and "Israel is sun-thu" in warning
    us_only = describe_calendar(calendar, {"US": 5}, today=TODAY, days_text="weekdays")
    assert us_only.warnings == []


def test_days_leaving_a_country_no_hours_is_a_warning() -> None:
    view = describe_calendar(CallingCalendar.from_options(days="sat"), {"IL": 2}, today=TODAY)
    assert view.countries[0].schedule.startswith("no calling hours: Israel: --days sat")
    assert view.warnings[0].startswith("IL contacts will never be called")


def test_closed_dates_are_listed_from_today() -> None:
    closed = parse_closed("2026-08-01, past\n2026-12-24, staff day\n2026-12-31\n")
    view = describe_calendar(CallingCalendar.from_options(closed=closed), {}, today=TODAY)
    assert view.closed == [("2026-12-24", "staff day"), ("2026-12-31", "")]
    assert "  Closed dates (--closed): 2026-12-24 staff day, 2026-12-31" in view.lines()
