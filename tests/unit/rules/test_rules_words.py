"""The calendar in the reader's words: schedules with the language's day names, why people
wait (a holiday's Hebrew name from the holidays library), and a stored English wait detail
read back for a Hebrew page; English keeps the stored, typed forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from campaign import i18n
from campaign.rules.availability import ClosedReason, Closure
from campaign.rules.calendar import CallingCalendar
from campaign.rules.countries import COUNTRY_CALENDARS, country_calendar
from campaign.rules.describe import describe_calendar
from campaign.rules.words import closure_words, detail_words, schedule_words

TODAY = date(2026, 9, 1)


@pytest.fixture
def hebrew() -> Iterator[None]:
    token = i18n.use("he")
    yield
    i18n.reset(token)


@pytest.mark.parametrize(
    ("typed", "english", "hebrew"),
    [
        (
            "sun-thu 09:00-20:00, fri 09:00-13:00",
            "Sun–Thu 09:00–20:00, Fri 09:00–13:00",
            "ראשון–חמישי 09:00–20:00, שישי 09:00–13:00",
        ),
        ("08:00-21:00 every day", "08:00–21:00 every day", "08:00–21:00 בכל יום"),
        ("mon,wed 10:00-12:00", "Mon, Wed 10:00–12:00", "שני, רביעי 10:00–12:00"),
        ("fri-mon 10:00-12:00", "Fri–Mon 10:00–12:00", "שישי–שני 10:00–12:00"),
        ("any time", "any time", "בכל זמן"),
        ("any hour, sun-thu", "any hour, Sun–Thu", "כל שעה, ראשון–חמישי"),
        ("not a schedule at all", "not a schedule at all", "not a schedule at all"),
    ],
)
def test_schedules_are_spelled_out_in_the_pages_language(
    typed: str, english: str, hebrew: str
) -> None:
    assert schedule_words(typed) == english
    token = i18n.use("he")
    try:
        assert schedule_words(typed) == hebrew
    finally:
        i18n.reset(token)


@pytest.mark.parametrize(
    ("stored", "wanted"),
    [
        ("holiday (Yom Kippur)", "חג (יום כיפור)"),
        ("holiday eve (Yom Kippur)", "ערב חג (יום כיפור)"),
        ("holiday (Independence Day)", "חג (יום העצמאות)"),
        ("closed day (Saturday)", "יום סגור (שבת)"),
        ("outside calling hours (fri 09:00-13:00)", "מחוץ לשעות החיוג (שישי 09:00–13:00)"),
        ("closed date (staff day)", "תאריך סגור (staff day)"),  # the user's own note
        (
            "holiday (Yom Kippur) (moved to the next calling opening)",
            "חג (יום כיפור) (הועבר לפתיחה הבאה של שעות החיוג)",
        ),
        ("asked: tomorrow at 5", "asked: tomorrow at 5"),  # not the calendar's: as stored
    ],
)
def test_a_stored_wait_detail_reads_in_hebrew(hebrew: None, stored: str, wanted: str) -> None:
    assert detail_words(stored, "IL") == wanted


def test_english_keeps_the_stored_words() -> None:
    closure = Closure(ClosedReason.HOLIDAY, "Yom Kippur", date(2026, 9, 21))
    assert closure_words(closure, "IL") == "holiday (Yom Kippur)" == closure.label()
    assert detail_words("outside calling hours (fri 09:00-13:00)") == (
        "outside calling hours (fri 09:00-13:00)"
    )


def test_a_closure_reads_in_hebrew_with_the_holidays_own_name(hebrew: None) -> None:
    closure = Closure(ClosedReason.HOLIDAY, "Yom Kippur", date(2026, 9, 21))
    assert closure_words(closure, "IL") == "חג (יום כיפור)"
    day = Closure(ClosedReason.CLOSED_DAY, "Saturday", date(2026, 9, 19))
    assert closure_words(day, "IL") == "יום סגור (שבת)"


@pytest.mark.parametrize("code", [*sorted(COUNTRY_CALENDARS), "US", "GB", "FR"])
def test_every_countrys_schedule_and_weekdays_note_read_in_both_languages(code: str) -> None:
    """Per country: the default schedule spelled out with day names (never `sun-thu`), and
    `--days weekdays` said where it is not the country's working week, in its language."""
    calendar = CallingCalendar.from_options("default", None)
    weekdays = CallingCalendar.from_options(days="weekdays")
    for language in ("en", "he"):
        token = i18n.use(language)
        try:
            schedule = describe_calendar(calendar, {code: 1}, today=TODAY).countries[0].schedule
            words = schedule_words(schedule)
            notes = describe_calendar(
                weekdays, {code: 1}, today=TODAY, days_text="weekdays"
            ).warnings
        finally:
            i18n.reset(token)
        assert not re.search(r"\b(mon|tue|wed|thu|fri|sat|sun)\b", words), words
        if language == "he":
            assert not re.search(r"[A-Za-z]", words), words
        working = country_calendar(code).working_days()
        assert bool(notes) == (working != frozenset(range(5))), (code, notes)
    assert schedule_words(COUNTRY_CALENDARS["IL"].schedule) == (
        "Sun–Thu 09:00–20:00, Fri 09:00–13:00"
    )
