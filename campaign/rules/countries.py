"""Each country's calling calendar when the user gives no `--window`: one table, easy to extend.

To add a country, add one `CountryCalendar` line to `COUNTRY_CALENDARS` (a test checks that
every entry parses and that its holidays are known to the `holidays` library):

- `schedule`: the hours people there expect calls, in `--window` syntax (days not named get
  no calls);
- `working_week`: what "weekdays" means there (said when a user writes `--days weekdays`);
- `holiday_eve`: the hours on the day before a public holiday, when that day is a short one
  (the holiday starts at sundown); None when the eve is an ordinary day;
- `holiday_categories`: which of the `holidays` library's categories close the day.

A country not in the table is called `DEFAULT_SCHEDULE` every day, and still skips its public
holidays whenever the `holidays` library knows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from campaign.rules.days import parse_days
from campaign.rules.hours import CallingWindow
from campaign.rules.schedule import WeeklySchedule, parse_hours, parse_schedule

DEFAULT_SCHEDULE = "08:00-21:00"
DEFAULT_WORKING_WEEK = "mon-fri"


@dataclass(frozen=True)
class CountryCalendar:
    country: str  # ISO 3166-1 alpha-2, as phonenumbers gives it (IL, US, GB)
    name: str
    schedule: str = DEFAULT_SCHEDULE
    working_week: str = DEFAULT_WORKING_WEEK
    holiday_eve: str | None = None
    holiday_categories: tuple[str, ...] = ("public",)

    def weekly(self) -> WeeklySchedule:
        parsed = parse_schedule(self.schedule)
        if parsed is None:
            raise ValueError(f"{self.country}: a country's schedule cannot be 'any'")
        return parsed

    def eve_window(self) -> CallingWindow | None:
        return None if self.holiday_eve is None else parse_hours(self.holiday_eve)

    def working_days(self) -> frozenset[int]:
        return parse_days(self.working_week)


# fmt: off
COUNTRY_CALENDARS: dict[str, CountryCalendar] = {c.country: c for c in [
    # Sunday-Thursday week; Friday is short and Shabbat has no calls. Jewish holidays start at
    # sundown, so the eve of each is a short day, like a Friday.
    CountryCalendar("IL", "Israel", schedule="sun-thu 09:00-20:00, fri 09:00-13:00",
                    working_week="sun-thu", holiday_eve="09:00-13:00"),
]}
# fmt: on


def country_calendar(country: str | None) -> CountryCalendar:
    """The table's entry for `country`, else the default calendar under the country's name."""
    code = (country or "").upper()
    found = COUNTRY_CALENDARS.get(code)
    if found is not None:
        return found
    return CountryCalendar(code or "??", country_name(code))


@cache
def country_name(code: str) -> str:
    """`United States` for US (CLDR's English names, through Babel: loading phonenumbers'
    geocoder for a name took half a second of every `status`); the code when it has none."""
    from babel import Locale

    name = Locale("en").territories.get(code) if code else None
    return name or code or "unknown country"
