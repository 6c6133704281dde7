"""Weekly schedules (`--window "sun-thu 09:00-20:00, fri 09:00-13:00"`), days, and their errors."""

from __future__ import annotations

from datetime import time

import pytest

from campaign.rules.days import ALL_DAYS, describe_days, parse_days, weekdays_note
from campaign.rules.hours import CallingWindow
from campaign.rules.schedule import WeeklySchedule, parse_schedule

SUN, MON, TUE, WED, THU, FRI, SAT = 6, 0, 1, 2, 3, 4, 5


def window(start: str, end: str, *days: int) -> CallingWindow:
    h1, m1 = (int(x) for x in start.split(":"))
    h2, m2 = (int(x) for x in end.split(":"))
    return CallingWindow(time(h1, m1), time(h2 % 24, m2), frozenset(days) or ALL_DAYS)


@pytest.mark.parametrize(
    ("text", "windows"),
    [
        ("08:00-21:00", [window("08:00", "21:00")]),
        ("any hour sat", None),  # not a schedule: see the errors below
        (
            "sun-thu 09:00-20:00, fri 09:00-13:00",
            [window("09:00", "20:00", SUN, MON, TUE, WED, THU), window("09:00", "13:00", FRI)],
        ),
        (
            "Sun-Thu 9-20; Fri 9-13",
            [window("09:00", "20:00", SUN, MON, TUE, WED, THU), window("09:00", "13:00", FRI)],
        ),
        ("mon,wed 10:00-12:00", [window("10:00", "12:00", MON, WED)]),
        (
            "mon,wed 10-12, fri 9-13",
            [window("10:00", "12:00", MON, WED), window("09:00", "13:00", FRI)],
        ),
        (
            "mon-fri 09:00-12:00, mon-fri 14:00-18:00",
            [window("09:00", "12:00", 0, 1, 2, 3, 4), window("14:00", "18:00", 0, 1, 2, 3, 4)],
        ),
        ("weekdays 08:00-18:00", [window("08:00", "18:00", 0, 1, 2, 3, 4)]),
        ("daily 08:00-24:00", [window("08:00", "24:00")]),
        ("sat any", [window("00:00", "00:00", SAT)]),
        ("fri 20:00-02:00", [window("20:00", "02:00", FRI)]),
        ("mon-fri 9-17, sat closed", [window("09:00", "17:00", 0, 1, 2, 3, 4)]),
        ("09:00–17:00", [window("09:00", "17:00")]),  # an en dash pasted from a document
    ],
)
def test_parse_schedule(text: str, windows: list[CallingWindow] | None) -> None:
    if windows is None:
        with pytest.raises(ValueError):
            parse_schedule(text)
        return
    assert parse_schedule(text) == WeeklySchedule(tuple(windows))


@pytest.mark.parametrize("text", ["any", "ANY", " any ", "24/7"])
def test_any_is_no_schedule_unless_days_narrow_it(text: str) -> None:
    assert parse_schedule(text) is None
    assert parse_schedule(text, "every day") is None
    assert parse_schedule(text, "sat-sun") == WeeklySchedule((window("00:00", "00:00", SAT, SUN),))


@pytest.mark.parametrize(
    ("text", "days", "expected"),
    [
        ("sun-thu 09:00-20:00, fri 09:00-13:00", "mon-fri", "mon-thu 09:00-20:00, fri 09:00-13:00"),
        ("08:00-21:00", "sun-thu", "sun-thu 08:00-21:00"),
        ("sun-thu 09:00-20:00, fri 09:00-13:00", "fri,sat", "fri 09:00-13:00"),
    ],
)
def test_days_narrow_a_schedule(text: str, days: str, expected: str) -> None:
    schedule = parse_schedule(text, days)
    assert schedule is not None
    assert schedule.describe() == expected


@pytest.mark.parametrize(
    ("text", "days", "fix"),
    [
        ("sun-thu 9-20, fri", None, "fri has no hours: write e.g. fri 09:00-13:00"),
        ("funday 9-17", None, "'funday' is not a day"),
        ("09:00", None, "HH:MM-HH:MM"),
        ("", None, "HH:MM-HH:MM"),
        ("morning", None, "HH:MM-HH:MM"),
        ("mon 25:00-26:00", None, "00:00 to 23:59"),
        ("mon 08:00-08:00", None, "--window any"),
        ("mon-fri 09:00-17:00, fri 09:00-13:00", None, "fri 09:00-17:00 overlaps fri 09:00-13:00"),
        ("mon 20:00-02:00, tue 01:00-03:00", None, "give each day its hours once"),
        ("sun 20:00-02:00, mon 01:00-03:00", None, "overlaps"),  # across the week's end
        ("sat closed", None, "names no day with calling hours"),
        ("sun-thu 09:00-20:00", "fri,sat", "leaves no calling hours"),
    ],
)
def test_schedule_errors_say_the_fix(text: str, days: str | None, fix: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_schedule(text, days)
    assert fix in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "sun-thu 09:00-20:00, fri 09:00-13:00",
        "08:00-21:00 every day",
        "mon,wed 10:00-12:00, fri 09:00-13:00",
        "fri-mon 10:00-16:00",
        "sat,sun 10:00-14:00",
    ],
)
def test_describe_reads_back_as_the_same_schedule(text: str) -> None:
    schedule = parse_schedule(text)
    assert schedule is not None
    assert schedule.describe() == text
    assert parse_schedule(schedule.describe()) == schedule


def test_overnight_spans_are_found() -> None:
    schedule = parse_schedule("20:00-08:00")
    assert schedule is not None
    assert [w.hours() for w in schedule.overnight()] == ["20:00-08:00"]
    until_midnight = parse_schedule("08:00-24:00")
    assert until_midnight is not None and until_midnight.overnight() == []


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("sun-thu", {SUN, MON, TUE, WED, THU}),
        ("Sunday-Thursday", {SUN, MON, TUE, WED, THU}),
        ("fri-sat", {FRI, SAT}),
        ("sun-sat", set(range(7))),
        ("sat-sun", {SAT, SUN}),
    ],
)
def test_days_read_a_week_that_starts_on_sunday(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ({SUN, MON, TUE, WED, THU}, "sun-thu"),
        ({MON, TUE, WED, THU, FRI}, "mon-fri"),
        ({FRI, SAT, SUN, MON}, "fri-mon"),
        ({MON, WED}, "mon,wed"),
        ({SAT, SUN}, "sat,sun"),
        ({SUN, MON, TUE, THU}, "sun-tue,thu"),
        (set(range(7)), "every day"),
    ],
)
def test_describe_days_spells_the_days_out(days: set[int], text: str) -> None:
    assert describe_days(frozenset(days)) == text
    assert parse_days(text) == frozenset(days)


def test_weekdays_is_spelled_out_where_the_week_differs() -> None:
    israel = parse_days("sun-thu")
    note = weekdays_note("--days", israel, "Israel")
    assert note is not None
    assert "'weekdays' means mon-fri" in note and "Israel is sun-thu" in note
    assert "write sun-thu" in note
    assert weekdays_note("--days", parse_days("mon-fri"), "United States") is None
