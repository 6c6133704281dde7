"""Dates, times, durations and names for the page's language (Babel): the same instant, unit
or day reads as its language writes it, in the zone asked for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from campaign import formats, i18n

AT = datetime(2026, 9, 21, 6, 0, tzinfo=UTC)


@pytest.fixture(params=["en", "he"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    token, zone = i18n.use(request.param), i18n.use_zone("UTC")
    yield str(request.param)
    i18n.reset_zone(zone)
    i18n.reset(token)


WANTED = {
    "en": {
        "instant": "Sep 21, 2026, 06:00 UTC",
        "israel": "Sep 21, 2026, 09:00 Israel Time",
        "in_ten": "in 10 minutes",
        "ago": "3 seconds ago",
        "durations": ["45s", "12m 5s", "2h 3m", "1d 3h"],
        "day": "Mon, Sep 21, 2026",
        "week": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "country": "Israel",
    },
    "he": {
        "instant": "21 בספט׳ 2026, 6:00 UTC",
        "israel": "21 בספט׳ 2026, 9:00 שעון ישראל",
        "in_ten": "בעוד 10 דקות",
        "ago": "לפני 3 שניות",
        "durations": ["45 שנ׳", "12 דק׳ 5 שנ׳", "2 שע׳ 3 דק׳", "1 י׳ 3 שע׳"],
        "day": "יום ב׳, 21 בספט׳ 2026",
        # Babel's names without the word all seven share (`יום`): spelled out, not `א׳`.
        "week": ["שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת", "ראשון"],
        "country": "ישראל",
    },
}


def test_each_language_writes_times_units_days_and_countries_its_way(language: str) -> None:
    wanted = WANTED[language]
    assert formats.instant(AT) == wanted["instant"]  # the reader's zone: UTC here
    assert formats.instant(AT, "Asia/Jerusalem") == wanted["israel"]  # a recipient's zone
    assert formats.relative(AT + timedelta(minutes=10), AT) == wanted["in_ten"]
    assert formats.relative(AT - timedelta(seconds=3), AT) == wanted["ago"]
    assert [formats.duration(s) for s in (45, 725, 7380, 97200)] == wanted["durations"]
    assert formats.day("2026-09-21") == wanted["day"]
    assert [formats.weekday_name(day) for day in range(7)] == wanted["week"]
    assert formats.country_name("IL") == wanted["country"]


def test_the_reader_zone_is_the_one_asked_for_else_this_machines() -> None:
    token = i18n.use_zone("Asia/Jerusalem")
    try:
        assert formats.instant(AT).endswith("09:00 Israel Time")
    finally:
        i18n.reset_zone(token)
    token = i18n.use_zone("Not/AZone")  # never from a cookie (checked), but harmless
    try:
        assert formats.instant(AT)  # this machine's zone
    finally:
        i18n.reset_zone(token)


def test_data_inside_a_right_to_left_sentence_is_isolated() -> None:
    assert formats.isolated("clinic-host") == "clinic-host"  # English: as is
    token = i18n.use("he")
    try:
        assert formats.isolated("clinic-host") == "\u2068clinic-host\u2069"
    finally:
        i18n.reset(token)
