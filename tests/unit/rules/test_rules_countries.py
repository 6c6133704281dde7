"""The country table: every entry reads, and what the holidays library gives Israel."""

from __future__ import annotations

from datetime import date

import pytest

from campaign.rules.countries import COUNTRY_CALENDARS, DEFAULT_SCHEDULE, country_calendar
from campaign.rules.public_holidays import HolidayCalendar, supported


@pytest.mark.parametrize("code", sorted(COUNTRY_CALENDARS))
def test_every_entry_reads_and_has_holidays(code: str) -> None:
    entry = COUNTRY_CALENDARS[code]
    assert entry.country == code
    assert entry.weekly().describe()
    assert entry.working_days()
    if entry.holiday_eve is not None:
        assert entry.eve_window() is not None
    assert supported(code), f"the holidays library has no calendar for {code}"
    calendar = HolidayCalendar(code, entry.holiday_categories)
    assert list(calendar.upcoming(date(2026, 1, 1)))


def test_israel_and_the_default() -> None:
    israel = country_calendar("il")
    assert israel.name == "Israel"
    assert israel.weekly().describe() == "sun-thu 09:00-20:00, fri 09:00-13:00"
    assert israel.holiday_eve == "09:00-13:00"
    other = country_calendar("US")
    assert other.schedule == DEFAULT_SCHEDULE == "08:00-21:00"
    assert other.name == "United States"
    assert country_calendar(None).name == "unknown country"


def test_what_the_holidays_library_gives_israel() -> None:
    names = {h.name for h in HolidayCalendar("IL").upcoming(date(2026, 1, 1), 365)}
    for expected in (
        "Rosh Hashanah",
        "Yom Kippur",
        "Sukkot",
        "Pesach",
        "Seventh day of Pesach",
        "Shavuot",
        "Independence Day",
        "Simchat Torah / Shemini Atzeret",
    ):
        assert expected in names
    calendar = HolidayCalendar("IL")
    assert calendar.holiday(date(2026, 9, 21)) == "Yom Kippur"
    assert calendar.eve_of(date(2026, 9, 20)) == "Yom Kippur"
    # The first day of Rosh Hashanah is a holiday, not the eve of the second.
    assert calendar.eve_of(date(2026, 9, 12)) is None
    assert calendar.eve_of(date(2026, 9, 11)) == "Rosh Hashanah"


def test_a_country_the_library_does_not_know_has_no_holidays() -> None:
    unknown = HolidayCalendar("ZZ")
    assert not unknown.known
    assert unknown.holiday(date(2026, 1, 1)) is None
    assert list(unknown.upcoming(date(2026, 1, 1))) == []
