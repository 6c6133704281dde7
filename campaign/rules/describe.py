"""The calendar in the user's words: which hours, days, holidays and zones apply, per country.

`describe_calendar(calendar, countries)` is plain data (`to_json()` for the pages and
`status --json`, `lines()` for the terminal), shown by `validate`, `run --dry-run`, the web
check page and `status`. It also carries the warnings a user must see before a campaign
starts: an overnight window (`20:00-08:00` calls at night), `weekdays` where the recipients'
working week is another, a `--days` that leaves a country no hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from campaign import formats, i18n
from campaign.i18n import gettext_
from campaign.rules.calendar import CallingCalendar
from campaign.rules.countries import COUNTRY_CALENDARS, DEFAULT_SCHEDULE, country_calendar
from campaign.rules.days import mentions_weekdays, weekdays_note
from campaign.rules.hours import hhmm
from campaign.rules.schedule import WeeklySchedule
from campaign.rules.words import holiday_words

#: Upcoming holidays named per country.
NEXT_HOLIDAYS = 3
#: Countries listed one by one; the rest are summed up.
MAX_COUNTRIES = 12


@dataclass(frozen=True)
class CountryView:
    country: str
    name: str
    contacts: int
    schedule: str  # `sun-thu 09:00-20:00, fri 09:00-13:00`, `any time`, or the problem
    source: str  # `Israel's default`, `the default`, `--window`
    holidays: str  # `no calls on Israel public holidays`, `public holidays not skipped`
    holiday_eve: str | None = None  # `09:00-13:00`
    next_holidays: list[tuple[str, str]] = field(default_factory=list)  # (ISO date, name)

    def line(self) -> str:
        count = f"{self.contacts:,} contact{'s' if self.contacts != 1 else ''}"
        text = f"{self.country} ({count}): {self.schedule} ({self.source}); {self.holidays}"
        if self.next_holidays:
            shown = ", ".join(f"{name} {_day(day)}" for day, name in self.next_holidays)
            text += f" (next: {shown})"
        if self.holiday_eve:
            text += f"; holiday eves {self.holiday_eve}"
        return text


@dataclass(frozen=True)
class CalendarView:
    hours: str  # the calendar in one line (CallingCalendar.describe)
    countries: list[CountryView]
    other_countries: str | None  # what a country not listed gets
    closed: list[tuple[str, str]]  # upcoming closed dates (ISO date, note)
    zones: list[str]
    warnings: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The terminal's reading (validate, dry run); warnings are printed apart."""
        out = ["Calling calendar, in each recipient's local time:"]
        out += [f"  {country.line()}" for country in self.countries]
        if self.other_countries:
            out.append(f"  {self.other_countries}")
        if self.closed:
            shown = ", ".join(f"{day}{f' {note}' if note else ''}" for day, note in self.closed[:5])
            more = f" and {len(self.closed) - 5} more" if len(self.closed) > 5 else ""
            out.append(f"  Closed dates (--closed): {shown}{more}")
        if self.zones:
            listed = ", ".join(self.zones[:6]) + (" ..." if len(self.zones) > 6 else "")
            out.append(f"  Time zones: {len(self.zones)} ({listed})")
        return out


def describe_calendar(
    calendar: CallingCalendar,
    countries: Mapping[str, int],
    *,
    today: date,
    zones: Iterable[str] = (),
    window_text: str | None = None,
    days_text: str | None = None,
) -> CalendarView:
    """What applies to a list whose valid numbers are in `countries` ({ISO code: count}).

    `window_text`/`days_text` are the options as typed, for the warnings that quote them.
    """
    ordered = sorted(countries.items(), key=lambda item: (-item[1], item[0]))
    views = [_country(calendar, code, count, today) for code, count in ordered[:MAX_COUNTRIES]]
    rest = sum(count for _, count in ordered[MAX_COUNTRIES:])
    other: str | None = None
    if rest:
        other = gettext_("%(contacts)s contacts in %(countries)s other countries") % {
            "contacts": i18n.format_number(rest),
            "countries": len(ordered) - MAX_COUNTRIES,
        }
    if calendar.by_country:
        hours = DEFAULT_SCHEDULE
        if other:
            other += "; " + gettext_("other countries: %(hours)s every day") % {"hours": hours}
        else:
            other = gettext_("Other countries: %(hours)s every day") % {"hours": hours}
    closed = [(day.isoformat(), note) for day, note in calendar.closed.upcoming(today)]
    return CalendarView(
        hours=calendar.describe(),
        countries=views,
        other_countries=other,
        closed=closed,
        zones=list(zones),
        warnings=_warnings(calendar, [code for code, _ in ordered], window_text, days_text),
    )


def _country(calendar: CallingCalendar, code: str, count: int, today: date) -> CountryView:
    """One country's view, its words in the language `campaign.i18n` renders in (English
    for the CLI): the schedule stays in `--window` syntax (`rules.words` spells it out)."""
    name = formats.country_name(code)
    plan = calendar.plan(code)
    if plan.problem is not None:
        schedule, source = f"no calling hours: {plan.problem}", "--days"
    elif calendar.by_country:
        schedule = _schedule_text(plan.schedule)
        source = (
            gettext_("%(country)s's default") % {"country": name}
            if code in COUNTRY_CALENDARS
            else gettext_("the default")
        )
    else:
        schedule = _schedule_text(plan.schedule) if calendar.restricted else "any time"
        source = "--window"
    if plan.holidays is None and not calendar.holidays:
        holidays = gettext_("public holidays not skipped")
        if not calendar.by_country and calendar.schedule is None:
            holidays += " " + gettext_("(--window any: add --holidays to skip them)")
    elif plan.holidays is None:
        holidays = gettext_("no public holidays known (country unknown)")
    elif not plan.holidays.known:
        holidays = gettext_("no public holidays known for %(country)s") % {"country": code}
    else:
        holidays = gettext_("no calls on %(country)s public holidays") % {"country": name}
    upcoming: list[tuple[str, str]] = []
    if plan.holidays is not None:
        for holiday in plan.holidays.upcoming(today):
            shown = holiday_words(holiday.name, code, holiday.day)
            upcoming.append((holiday.day.isoformat(), shown))
            if len(upcoming) >= NEXT_HOLIDAYS:
                break
    eve = None
    if plan.eve is not None:
        eve = f"{hhmm(plan.eve.start)}-{hhmm(plan.eve.end)}"
    return CountryView(code, name, count, schedule, source, holidays, eve, upcoming)


def _schedule_text(schedule: WeeklySchedule | None) -> str:
    if schedule is None:
        return "any time"
    if len(schedule.windows) == 1 and schedule.windows[0].whole_day:
        days = schedule.describe().replace("any hour", "").strip()
        return "any hour, every day" if days == "every day" else f"any hour, {days}"
    return schedule.describe()


def _warnings(
    calendar: CallingCalendar,
    countries: list[str],
    window_text: str | None,
    days_text: str | None,
) -> list[str]:
    warnings: list[str] = []
    schedule = calendar.schedule if not calendar.by_country else None
    for window in schedule.overnight() if schedule is not None else ():
        start, end = hhmm(window.start), hhmm(window.end)
        warnings.append(
            gettext_(
                "--window %(window)s: calls go out overnight, from %(start)s until %(end)s "
                "the next morning in each recipient's time. If you meant daytime, use "
                "--window %(end)s-%(start)s"
            )
            % {"window": window_text or window.hours(), "start": start, "end": end}
        )
    for option, text in (("--days", days_text), ("--window", window_text)):
        if not mentions_weekdays(text):
            continue
        for code in countries:
            entry = country_calendar(code)
            note = weekdays_note(option, entry.working_days(), formats.country_name(code))
            if note is not None:
                warnings.append(note)
    for code in countries:
        problem = calendar.plan(code).problem
        if problem is not None:
            warnings.append(
                gettext_("%(country)s contacts will never be called: %(why)s")
                % {"country": code, "why": problem}
            )
    return warnings


def _day(iso: str) -> str:
    """`Mon 21 Sep 2026`: a date a person reads without counting."""
    day = date.fromisoformat(iso)
    return f"{day:%a} {day.day} {day:%b %Y}"
