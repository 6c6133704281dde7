"""The calendar in the reader's language: schedules, why a recipient waits, holiday names.

The rules keep their English, machine-readable words where they are stored or typed (a
schedule in `--window` syntax, `holiday (Yom Kippur)` in a contact's `wait_detail`, which the
CLI and the export show). What a page shows is written here, in the language
`campaign.i18n` renders in:

- `schedule_words("sun-thu 09:00-20:00, fri 09:00-13:00")`: `Sun–Thu 09:00–20:00, Fri
  09:00–13:00` / `ראשון–חמישי 09:00–20:00, שישי 09:00–13:00` (Babel's day names);
- `closure_words(closure, country)`: `holiday (Yom Kippur)` / `חג (יום כיפור)`, holiday names
  from the `holidays` library's own translations (Israel's calendar has Hebrew names);
- `detail_words(text, country)`: the same for a stored `wait_detail`, read back from the
  English `Closure.label()` wrote (text it does not recognize is shown as stored).
"""

from __future__ import annotations

from datetime import date

from campaign import formats
from campaign.i18n import DEFAULT, current, gettext_
from campaign.rules.availability import LABELS, ClosedReason, Closure
from campaign.rules.countries import COUNTRY_CALENDARS
from campaign.rules.days import ALL_DAYS, FULL_DAY_NAMES, day_runs
from campaign.rules.public_holidays import holiday_name_in
from campaign.rules.schedule import WeeklySchedule, parse_schedule

__all__ = ["closure_words", "days_words", "detail_words", "holiday_words", "schedule_words"]

#: What `judge` adds to a callback's wait moved out of closed hours.
MOVED_WORDS = "moved to the next calling opening"
_MOVED = f" ({MOVED_WORDS})"
_RANGE = "–"


def days_words(days: frozenset[int]) -> str:
    """`Sun–Thu`, `Mon, Wed`, `every day` in the reader's language."""
    if days == ALL_DAYS:
        return gettext_("every day")
    parts = []
    for run in day_runs(days):
        if len(run) >= 3:
            parts.append(f"{formats.weekday_name(run[0])}{_RANGE}{formats.weekday_name(run[-1])}")
        else:
            parts.extend(formats.weekday_name(day) for day in run)
    return ", ".join(parts)


def _hours(text: str) -> str:
    return text.replace("-", _RANGE)


def weekly_words(schedule: WeeklySchedule) -> str:
    parts = []
    for window in schedule.windows:
        hours = gettext_("any hour") if window.whole_day else _hours(window.hours())
        if window.days == ALL_DAYS:
            parts.append(gettext_("%(hours)s every day") % {"hours": hours})
        else:
            parts.append(f"{days_words(window.days)} {hours}")
    return ", ".join(parts)


def schedule_words(text: str) -> str:
    """A schedule in `--window` syntax (as `describe` writes it) in the reader's words."""
    if text in ("any time", "any"):
        return gettext_("any time")
    if text.startswith("no calling hours: "):
        return gettext_("no calling hours: %(why)s") % {"why": text.split(": ", 1)[1]}
    if text.startswith("any hour, "):
        days = text.removeprefix("any hour, ")
        shown = gettext_("every day") if days == "every day" else schedule_days(days)
        return gettext_("any hour, %(days)s") % {"days": shown}
    try:
        schedule = parse_schedule(text)
    except ValueError:
        return text
    return gettext_("any time") if schedule is None else weekly_words(schedule)


def schedule_days(text: str) -> str:
    try:
        schedule = parse_schedule(f"{text} 00:00-01:00")
    except ValueError:
        return text
    return text if schedule is None else days_words(schedule.days)


def holiday_words(name: str, country: str | None, on: date | None = None) -> str:
    """A holiday's (English, stored) name in the reader's language, where the `holidays`
    library has one; else as stored."""
    language = current()
    if language == DEFAULT or not name:
        return name
    year = (on or date.today()).year
    countries = [country] if country else list(COUNTRY_CALENDARS)
    for code in countries:
        found = holiday_name_in(name, language, code, year)
        if found:
            return found
    return name


def _detail_words(reason: ClosedReason, detail: str, country: str | None, on: date | None) -> str:
    if reason in (ClosedReason.HOLIDAY, ClosedReason.HOLIDAY_EVE):
        return holiday_words(detail, country, on)
    if reason is ClosedReason.CLOSED_DAY and detail in FULL_DAY_NAMES:
        return formats.weekday_name(FULL_DAY_NAMES.index(detail))
    if reason is ClosedReason.OUTSIDE_HOURS:
        return schedule_words(detail)
    return detail


def closure_words(closure: Closure, country: str | None = None) -> str:
    """`חג (יום כיפור)`, `יום סגור (שבת)`, `מחוץ לשעות החיוג (שישי 09:00–13:00)` in the
    reader's language; in English the stored `Closure.label()` (`holiday (Yom Kippur)`,
    `outside calling hours (fri 09:00-13:00)`); NO_ZONE and NEVER_OPEN say their message."""
    if current() == DEFAULT:
        return closure.label()  # English is the stored form, as the CLI and export show it
    if closure.reason in (ClosedReason.NO_ZONE, ClosedReason.NEVER_OPEN):
        return closure.detail or gettext_(LABELS[closure.reason])
    words = gettext_(LABELS[closure.reason])
    if not closure.detail:
        return words
    detail = _detail_words(closure.reason, closure.detail, country, closure.day)
    return f"{words} ({detail})"


def detail_words(text: str | None, country: str | None = None) -> str:
    """A stored `wait_detail` (English, as `Closure.label()` wrote it) in the reader's words."""
    if not text:
        return ""
    if current() == DEFAULT:
        return text
    if text.endswith(_MOVED):
        return f"{detail_words(text.removesuffix(_MOVED), country)} ({gettext_(MOVED_WORDS)})"
    for reason, words in sorted(LABELS.items(), key=lambda item: -len(item[1])):
        if reason in (ClosedReason.NO_ZONE, ClosedReason.NEVER_OPEN):
            continue
        if text == words:
            return gettext_(words)
        if text.startswith(f"{words} (") and text.endswith(")"):
            inner = text[len(words) + 2 : -1]
            return f"{gettext_(words)} ({_detail_words(reason, inner, country, None)})"
    return text
