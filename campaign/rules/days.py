"""Days of the week as people write them: `mon-fri`, `sun-thu`, `mon,wed,fri`, `daily`.

Weekdays are numbered as `date.weekday()` does (0 = Monday .. 6 = Sunday). A range may wrap
the week's end, so a week that starts on Sunday reads naturally: `sun-thu` is Sunday to
Thursday (Israel's working week), `fri-mon` is Friday to Monday.

`weekdays` means Monday to Friday. That is not everyone's working week (Israel's is Sunday to
Thursday), so `describe_days` always spells the days out, and `weekdays_note` tells the user
when the word means something else to the recipients of a country.
"""

from __future__ import annotations

from campaign.i18n import gettext_

ALL_DAYS: frozenset[int] = frozenset(range(7))

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_NUMBERS = {
    **{name: number for number, name in enumerate(DAY_NAMES)},
    **{name.lower(): number for number, name in enumerate(FULL_DAY_NAMES)},
    "tues": 1, "weds": 2, "thur": 3, "thurs": 3,
}  # fmt: skip
EVERY_DAY_WORDS = frozenset(
    {"all", "any", "daily", "every day", "everyday", "every-day", "mon-sun", "sun-sat", "*"}
)
WEEKDAYS_WORD = "weekdays"
_DAY_GROUPS = {WEEKDAYS_WORD: frozenset(range(5)), "weekends": frozenset({5, 6})}
DAYS_EXAMPLES = "mon-fri, sun-thu, sat-sun, mon,wed,fri or daily"


def normalize(text: str) -> str:
    return " ".join(text.strip().lower().split())


def is_day_spec(text: str) -> bool:
    """True when `text` reads as days (used to tell `fri` from `09:00-13:00` in a schedule)."""
    try:
        parse_days(text)
    except ValueError:
        return False
    return True


def parse_days(text: str) -> frozenset[int]:
    """`mon-fri`, `sun-thu`, `sat-sun`, `mon,wed,fri`, `weekdays`, `every day`/`all`/`daily`."""
    raw = normalize(text)
    if raw in EVERY_DAY_WORDS:
        return ALL_DAYS
    days: set[int] = set()
    for part in filter(None, (p.strip() for p in raw.replace(";", ",").split(","))):
        if part in _DAY_GROUPS:
            days |= _DAY_GROUPS[part]
            continue
        ends = [e.strip() for e in part.split("-")]
        if len(ends) > 2:
            raise _days_error(text, f"{part!r} has more than one dash")
        first, last = (_day_number(e, text) for e in (ends[0], ends[-1]))
        # A range may wrap the week's end: `fri-mon` is fri, sat, sun, mon; `sun-thu` too.
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    if not days:
        raise _days_error(text, "no day is named")
    return frozenset(days)


def _day_number(name: str, text: str) -> int:
    if name not in _DAY_NUMBERS:
        raise _days_error(text, f"{name!r} is not a day")
    return _DAY_NUMBERS[name]


def _days_error(text: str, why: str) -> ValueError:
    return ValueError(f"cannot read days {text!r} ({why}): use {DAYS_EXAMPLES}")


def describe_days(days: frozenset[int]) -> str:
    """The days spelled out: `every day`, `sun-thu`, `mon-fri`, `mon,wed`, `sat,sun`.

    Runs of three days or more are ranges, read round the week (`sun-thu`, `fri-mon`).
    """
    if days == ALL_DAYS:
        return "every day"
    if not days:
        return "no day"
    runs = day_runs(days)
    return ",".join(_run_text(run) for run in runs)


def day_runs(days: frozenset[int]) -> list[list[int]]:
    """Maximal runs of consecutive days round the week, each starting after a missing day."""
    missing = next(d for d in range(7) if d not in days)
    runs: list[list[int]] = []
    for step in range(1, 8):
        day = (missing + step) % 7
        if day not in days:
            continue
        if runs and (runs[-1][-1] + 1) % 7 == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    # List runs in Monday-first order, but keep a run that wraps the week (sun-thu) whole.
    return sorted(runs, key=lambda run: run[0] if run[0] <= run[-1] else run[0] - 7)


def _run_text(run: list[int]) -> str:
    if len(run) >= 3:
        return f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}"
    return ",".join(DAY_NAMES[d] for d in run)


def mentions_weekdays(text: str | None) -> bool:
    return bool(text) and WEEKDAYS_WORD in normalize(text or "")


def weekdays_note(option: str, working_week: frozenset[int], country: str) -> str | None:
    """What to tell a user whose `weekdays` is not the working week of `country`."""
    if working_week == _DAY_GROUPS[WEEKDAYS_WORD]:
        return None
    return gettext_(
        "%(option)s: 'weekdays' means mon-fri, but the working week in %(country)s is "
        "%(week)s: write %(week)s (or mon-fri) to say which you mean"
    ) % {"option": option, "country": country, "week": describe_days(working_week)}
