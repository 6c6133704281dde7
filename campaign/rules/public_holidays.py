"""Public holidays of the recipient's country, from the `holidays` library (python-holidays).

`HolidayCalendar(country)` answers for a local date: is it a public holiday (and which), and is
it the eve of one. Names are English (`Yom Kippur`, `Independence Day (observed)`) so that
they read the same in the CLI, the export and the pages; the library holds the dates, which
for Israel follow the Hebrew calendar (Rosh Hashanah, Yom Kippur, Sukkot, Simchat Torah,
Pesach, Shavuot, Independence Day). The library knows no eves for Israel, so an eve is
derived here: the day before a public holiday that is not itself one. Whether an eve is a
short day is the country table's business (`campaign.rules.countries`).

Only national holidays are used (no state or province ones). A country the library does not
know has no holidays (`supported` says which do).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

_LANGUAGE = "en_US"


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str


@cache
def supported(country: str) -> bool:
    """True when the `holidays` library has a calendar for the ISO country code."""
    import holidays  # ~0.1 s: loaded when a calendar is first asked about, not by --help

    return country.upper() in holidays.list_supported_countries()


@lru_cache(maxsize=1024)
def _year(country: str, categories: tuple[str, ...], year: int) -> dict[date, str]:
    """{date: name} of one year, English names where the library has them."""
    import holidays

    entity = holidays.country_holidays(country, years=year, categories=categories)
    if _LANGUAGE in getattr(entity, "supported_languages", ()):
        entity = holidays.country_holidays(
            country, years=year, categories=categories, language=_LANGUAGE
        )
    return {day: str(name) for day, name in entity.items()}


@lru_cache(maxsize=256)
def _names_in(country: str, language: str, year: int) -> dict[str, str]:
    """{English name: name in `language`} of one year's holidays, where the library has
    that language for the country (Israel's calendar has Hebrew names); else empty."""
    import holidays

    try:
        entity = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return {}
    languages = getattr(entity, "supported_languages", ())
    wanted = next((code for code in languages if code.split("_")[0] == language), None)
    if wanted is None or wanted == _LANGUAGE:
        return {}
    theirs = holidays.country_holidays(country, years=year, language=wanted)
    english = _year(country, ("public",), year)
    return {english[day]: str(name) for day, name in theirs.items() if day in english}


def holiday_name_in(name: str, language: str, country: str, around: int) -> str | None:
    """Holiday `name` (English, as stored) in `language`, looked up in the country's
    calendars of the years around `around`; None when the library has no such name."""
    if not supported(country.upper()):
        return None
    for year in (around, around - 1, around + 1):
        found = _names_in(country.upper(), language, year).get(name)
        if found:
            return found
    return None


class HolidayCalendar:
    """One country's public holidays (national), read year by year as they are asked for."""

    def __init__(self, country: str, categories: tuple[str, ...] = ("public",)) -> None:
        self.country = country.upper()
        self.categories = categories
        self.known = supported(self.country)

    def holiday(self, day: date) -> str | None:
        """The holiday's name on local `day` (several joined by `; `), else None."""
        if not self.known:
            return None
        return _year(self.country, self.categories, day.year).get(day)

    def eve_of(self, day: date) -> str | None:
        """The name of the holiday `day` is the eve of (the day before it), else None.

        A holiday is no eve: on the second day of Rosh Hashanah, the first is a holiday.
        """
        if self.holiday(day) is not None:
            return None
        return self.holiday(day + timedelta(days=1))

    def upcoming(self, start: date, days: int = 366) -> Iterator[Holiday]:
        """Holidays from `start` on, for `days` days, in order."""
        if not self.known:
            return
        for offset in range(days):
            day = start + timedelta(days=offset)
            name = self.holiday(day)
            if name is not None:
                yield Holiday(day, name)

    def __repr__(self) -> str:
        return f"HolidayCalendar({self.country!r}, {self.categories!r})"
