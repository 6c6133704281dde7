"""The calling calendar: may this recipient be called at this instant, and if not, when and why.

It combines, on the recipient's own wall clock (every zone the number may be in, see
`campaign.rules.zones`; DST-correct, see `campaign.rules.hours`):

- the weekly schedule: `--window`/`--days` when given, else the recipient country's default
  from `campaign.rules.countries` (Israel `sun-thu 09:00-20:00, fri 09:00-13:00`, elsewhere
  `08:00-21:00` every day);
- the country's public holidays (`campaign.rules.public_holidays`), on by default, off with
  `--no-holidays`; where the country table says so, the eve of a holiday is a short day (in
  Israel the eve is like a Friday: 09:00-13:00);
- the dates the caller is closed (`--closed FILE`, `campaign.rules.closed`).

`--window any` (without `--days`) keeps its meaning, "any time": no schedule and, unless
`--holidays` is given, no holidays either. A closed day also closes a span that began the
evening before and runs into it.

The API the engine calls (one object per campaign, each contact's zones and country resolved
once and cached):

    calendar = CallingCalendar.from_options(window, days, holidays=None, closed=ClosedDates())
    answer = calendar.availability(e164, timezone_value, now)   # -> Availability
    answer.open          # callable at `now`?
    answer.opens_at      # `now` when open; the next opening (UTC); None when it never opens
    answer.reason        # the Closure to show: ClosedReason + detail, e.g. HOLIDAY "Yom Kippur"
    answer.reason.label()  # "holiday (Yom Kippur)"

`reason` is why the wait is as long as it is: a holiday or closed date met before the next
opening wins over the hour of the day (at 22:00 the evening before Yom Kippur the contact
waits for "holiday (Yom Kippur)", not for "outside calling hours"); `closure` is why the
instant itself is closed. `is_open`, `next_opening` and `zones` are the older, narrower
questions (`campaign.rules.windows.WindowRule` is this class under its former name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Self
from zoneinfo import ZoneInfo

import phonenumbers

from campaign.rules.availability import Availability, ClosedReason, Closure, NeverOpen
from campaign.rules.closed import ClosedDates
from campaign.rules.countries import country_calendar
from campaign.rules.days import ALL_DAYS, DAY_NAMES, FULL_DAY_NAMES, normalize, parse_days
from campaign.rules.hours import (
    CallingWindow,
    Interval,
    contains,
    first_common_opening,
    intersect,
    local_day_interval,
    open_in_zone,
    utc,
    window_interval,
)
from campaign.rules.public_holidays import HolidayCalendar
from campaign.rules.schedule import WeeklySchedule, parse_schedule
from campaign.rules.zones import ContactZones, resolve_contact_zones

__all__ = [
    "COUNTRY_DEFAULT",
    "Availability",
    "CallingCalendar",
    "ClosedReason",
    "Closure",
    "NeverOpen",
]

#: `--window default` (and no `--window`): each recipient gets their country's schedule.
COUNTRY_DEFAULT = "default"
_COUNTRY_WORDS = frozenset({COUNTRY_DEFAULT, "country", "auto"})
#: A weekly schedule repeats: a week (and a day for zone offsets) finds any opening.
WEEK_HORIZON_DAYS = 8
#: With holidays or closed dates an opening may be far off (a summer closure); past a year
#: and a bit the contact is reported as never open.
LONG_HORIZON_DAYS = 400
_WHOLE_DAY = WeeklySchedule.of(CallingWindow(time(0), time(0), ALL_DAYS))
_SPAN_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class _Plan:
    """How one recipient is called: their country's schedule, holidays and eve hours."""

    country: str | None
    schedule: WeeklySchedule | None  # None: no restriction at all
    holidays: HolidayCalendar | None
    eve: CallingWindow | None
    problem: str | None = None  # why it never opens (--days leaves no hours), if so


@lru_cache(maxsize=4096)
def country_of_number(e164: str) -> str | None:
    """ISO country of an E.164 number (`+972…` → IL), None when phonenumbers cannot tell."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    return None if region in (None, "ZZ", "001") else region


class CallingCalendar:
    """A campaign's calling calendar (see the module docstring for what it combines).

    `CallingCalendar(window)` with a `CallingWindow`, a `WeeklySchedule` or None is the plain
    calendar of old (no country defaults, no holidays unless `holidays=True`);
    `from_options` reads the CLI's options with their defaults.
    """

    def __init__(
        self,
        window: CallingWindow | WeeklySchedule | None = None,
        *,
        by_country: bool = False,
        days: frozenset[int] = ALL_DAYS,
        holidays: bool = False,
        closed: ClosedDates | None = None,
        resolve_zones: Callable[[str, str | None], ContactZones] = resolve_contact_zones,
        cache_size: int = 100_000,
    ) -> None:
        self.window = window
        self.schedule = WeeklySchedule.of(window) if isinstance(window, CallingWindow) else window
        self.by_country = by_country
        self.days = days
        self.holidays = holidays
        self.closed = closed or ClosedDates()
        self._zones = lru_cache(maxsize=cache_size)(resolve_zones)
        self._plans: dict[str | None, _Plan] = {}
        self._spans: dict[tuple[str | None, str, date], tuple[list[Interval], Interval | None]] = {}

    @classmethod
    def from_options(
        cls,
        window: str = COUNTRY_DEFAULT,
        days: str | None = None,
        *,
        holidays: bool | None = None,
        closed: ClosedDates | None = None,
        **options: object,
    ) -> Self:
        """From `--window`, `--days`, `--holidays/--no-holidays` (None: on unless `--window
        any`) and `--closed`. ValueError says how to fix bad text."""
        day_set = ALL_DAYS if days is None else parse_days(days)
        if normalize(window) in _COUNTRY_WORDS:
            schedule, by_country = None, True
        else:
            schedule, by_country = parse_schedule(window, days), False
        if holidays is None:
            holidays = by_country or schedule is not None
        return cls(
            schedule, by_country=by_country, days=day_set, holidays=holidays, closed=closed,
            **options,  # type: ignore[arg-type]
        )  # fmt: skip

    # --- who the recipient is ------------------------------------------------------------------

    @property
    def restricted(self) -> bool:
        """False when every contact may be called at any instant (`--window any`, no holidays,
        no closed dates): the engine then skips the calendar."""
        return self.by_country or self.schedule is not None or self.holidays or bool(self.closed)

    def zones(self, e164: str, timezone_value: str | None = None) -> ContactZones:
        """The contact's zones, their source, and a warning for the user (cached)."""
        value = timezone_value if isinstance(timezone_value, str) else None
        return self._zones(e164, value)

    def plan(self, country: str | None) -> _Plan:
        if country not in self._plans:
            self._plans[country] = self._make_plan(country)
        return self._plans[country]

    def _make_plan(self, country: str | None) -> _Plan:
        entry = country_calendar(country)
        schedule, problem = self.schedule, None
        if self.by_country:
            try:
                schedule = entry.weekly().restrict(self.days)
            except ValueError as exc:
                schedule, problem = None, f"{entry.name}: {exc}"
        if schedule is None and (self.holidays or self.closed) and problem is None:
            schedule = _WHOLE_DAY
        holidays = None
        if self.holidays and country:
            holidays = HolidayCalendar(country, entry.holiday_categories)
        eve = entry.eve_window() if holidays is not None else None
        return _Plan(country, schedule, holidays, eve, problem)

    def schedule_for(self, country: str | None) -> WeeklySchedule | None:
        """The weekly schedule a country's recipients get (None: any time)."""
        return self.plan(country).schedule

    # --- the questions -------------------------------------------------------------------------

    def availability(
        self, e164: str, timezone_value: str | None, at: datetime, *, country: str | None = None
    ) -> Availability:
        """Open at `at`? If not: the next opening (UTC) and why it is closed. `country`
        defaults to the number's; `timezone_value` is the row's time zone column."""
        at = utc(at)
        country = country or country_of_number(e164)
        plan = self.plan(country)
        zones = self.zones(e164, timezone_value).zones

        def answer(
            opens_at: datetime | None,
            closure: Closure | None = None,
            closures: tuple[Closure, ...] = (),
        ) -> Availability:
            is_open = closure is None
            return Availability(is_open, at, opens_at, closure, closures, zones, country)

        if plan.problem is not None:
            return answer(None, Closure(ClosedReason.NEVER_OPEN, plan.problem))
        if plan.schedule is None:
            return answer(at)
        if not zones:
            return answer(None, Closure(ClosedReason.NO_ZONE, self._no_zone_message()))
        spans = self._spans_of(plan)
        names = sorted(set(zones))
        closed_in = next((z for z in names if not open_in_zone(spans, z, at)), None)
        if closed_in is None:
            return answer(at)
        horizon = LONG_HORIZON_DAYS if plan.holidays or self.closed else WEEK_HORIZON_DAYS
        opens_at = first_common_opening(spans, names, at, horizon_days=horizon)
        if opens_at is None:
            message = self._never_message(plan, names, horizon)
            return answer(None, Closure(ClosedReason.NEVER_OPEN, message))
        closure = self._closure(plan, closed_in, at)
        return answer(opens_at, closure, self._closures_between(plan, closed_in, at, opens_at))

    def is_open(self, e164: str, timezone_value: str | None, at: datetime) -> bool:
        return self.availability(e164, timezone_value, at).open

    def next_opening(self, e164: str, timezone_value: str | None, at: datetime) -> datetime:
        """`at` if callable now, else the next opening; raises `NeverOpen` with the reason."""
        answer = self.availability(e164, timezone_value, at)
        if answer.opens_at is None:
            reason = answer.closure.label() if answer.closure else "never open"
            raise NeverOpen(f"{e164}: {reason}")
        return answer.opens_at

    # --- the days ------------------------------------------------------------------------------

    def _spans_of(
        self, plan: _Plan
    ) -> Callable[[str, date], tuple[list[Interval], Interval | None]]:
        def spans(zone_name: str, day: date) -> tuple[list[Interval], Interval | None]:
            key = (plan.country, zone_name, day)
            found = self._spans.get(key)
            if found is None:
                if len(self._spans) > _SPAN_CACHE_LIMIT:
                    self._spans.clear()
                found = self._spans[key] = self._day(plan, zone_name, day)
            return found

        return spans

    def _day(
        self, plan: _Plan, zone_name: str, day: date
    ) -> tuple[list[Interval], Interval | None]:
        assert plan.schedule is not None
        if self._closed_by(plan, day) is not None:
            return [], local_day_interval(zone_name, day)
        opens = plan.schedule.intervals(zone_name, day)
        if plan.eve is not None and plan.holidays is not None and plan.holidays.eve_of(day):
            eve_hours = window_interval(plan.eve, zone_name, day)
            opens = intersect(opens, [eve_hours] if eve_hours else [])
        return opens, None

    def _closed_by(self, plan: _Plan, day: date) -> Closure | None:
        note = self.closed.note(day)
        if note is not None:
            return Closure(ClosedReason.CLOSED_DATE, note, day)
        name = plan.holidays.holiday(day) if plan.holidays is not None else None
        if name is not None:
            return Closure(ClosedReason.HOLIDAY, name, day)
        return None

    def _closure(self, plan: _Plan, zone_name: str, at: datetime) -> Closure:
        """Why `at` is closed in the zone (it is)."""
        assert plan.schedule is not None
        day = at.astimezone(ZoneInfo(zone_name)).date()
        for closed_day in (day, day - timedelta(days=1)):  # yesterday's: a cut evening span
            closed = self._closed_by(plan, closed_day)
            if closed is not None and (
                closed_day == day or contains(plan.schedule.intervals(zone_name, closed_day), at)
            ):
                return Closure(closed.reason, closed.detail, closed_day, zone_name)
        weekday = day.weekday()
        usual = plan.schedule.intervals(zone_name, day)
        eve = plan.holidays.eve_of(day) if plan.eve and plan.holidays else None
        if eve and contains(usual, at):
            return Closure(ClosedReason.HOLIDAY_EVE, eve, day, zone_name)
        if weekday not in plan.schedule.days:
            return Closure(ClosedReason.CLOSED_DAY, FULL_DAY_NAMES[weekday], day, zone_name)
        hours = f"{DAY_NAMES[weekday]} {plan.schedule.hours_on(weekday)}"
        return Closure(ClosedReason.OUTSIDE_HOURS, hours, day, zone_name)

    def _closures_between(
        self, plan: _Plan, zone_name: str, at: datetime, opens_at: datetime
    ) -> tuple[Closure, ...]:
        """Holidays and closed dates after `at`'s day, before the opening, that took away a
        day the schedule would have called on."""
        assert plan.schedule is not None
        zone = ZoneInfo(zone_name)
        day, last = at.astimezone(zone).date(), opens_at.astimezone(zone).date()
        found: list[Closure] = []
        while (day := day + timedelta(days=1)) <= last:
            closed = self._closed_by(plan, day)
            if closed is not None and plan.schedule.intervals(zone_name, day):
                found.append(Closure(closed.reason, closed.detail, day, zone_name))
        return tuple(found)

    # --- words ---------------------------------------------------------------------------------

    def _no_zone_message(self) -> str:
        fix = "use --window any" if not self.holidays else "use --window any --no-holidays"
        return (
            "no time zone is known for this number: add a timezone column (IANA name, e.g. "
            f"America/New_York) or {fix}"
        )

    def _never_message(self, plan: _Plan, names: list[str], horizon: int) -> str:
        assert plan.schedule is not None
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        return (
            f"the window {self._schedule_words(plan.schedule)} is never open in all of this "
            f"number's {len(names)} time zones ({shown}) at once within {horizon} days: widen "
            "--window, or add a timezone column naming the contact's zone"
        )

    @staticmethod
    def _schedule_words(schedule: WeeklySchedule) -> str:
        if len(schedule.windows) == 1:
            return schedule.windows[0].describe()
        return f"{schedule.describe()} recipient-local time"

    def describe(self) -> str:
        """The hours, as one line: `08:00-21:00 recipient-local time, mon-fri`, `any time`,
        `each country's default hours`. `campaign.rules.describe` says the whole calendar."""
        if self.by_country:
            return "each country's default hours, recipient-local time"
        if self.schedule is None:
            return "any time" if not self.restricted else "any hour recipient-local time"
        return self._schedule_words(self.schedule)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()!r}, holidays={self.holidays})"
