"""A weekly calling schedule, as `--window` takes it: `"sun-thu 09:00-20:00, fri 09:00-13:00"`.

Grammar (case and spaces forgiven; parts are separated by commas or semicolons):

    schedule := part ("," part)*
    part     := [DAYS] HOURS          sun-thu 09:00-20:00 · fri 9-13 · 08:00-21:00 (every day)
              | HOURS DAYS            08:00-21:00 every day · 09:00-13:00 fri
    DAYS     := see campaign.rules.days (mon-fri, sun-thu, sat, weekdays, daily ...)
    HOURS    := HH:MM-HH:MM | any | closed

Days a schedule does not name get no calls. A day may have several spans (`mon-fri 09:00-12:00,
mon-fri 14:00-18:00` keeps lunch free) as long as they do not overlap. `mon,wed 10:00-12:00`
works too: days written without hours take the hours of the next part. A span that ends
before it starts crosses midnight (`20:00-02:00`, overnight) and belongs to the day it starts.

`any` alone means no schedule at all (`parse_schedule` returns None); `--days` narrows any
schedule to the days it names. Every error says how to write the schedule instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from campaign.rules.days import (
    ALL_DAYS,
    DAY_NAMES,
    describe_days,
    is_day_spec,
    normalize,
    parse_days,
)
from campaign.rules.hours import CallingWindow, Interval, window_interval

__all__ = [
    "ANY_WORDS",
    "SCHEDULE_EXAMPLE",
    "WeeklySchedule",
    "parse_hours",
    "parse_schedule",
]

ANY_WORDS = frozenset({"any", "none", "off", "always", "24h", "24/7"})
_CLOSED_WORDS = frozenset({"closed"})
SCHEDULE_EXAMPLE = "sun-thu 09:00-20:00, fri 09:00-13:00"
_HOURS = r"(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?"
_HOURS_RE = re.compile(rf"^\s*{_HOURS}\s*$")
_PART_RE = re.compile(rf"(?:^|\s)(?P<hours>{_HOURS}|any|closed)\s*$")
#: Hours first, as `describe` writes a schedule for every day: `08:00-21:00 every day`.
_HOURS_FIRST_RE = re.compile(rf"^(?P<hours>{_HOURS})\s+(?P<days>\D.*)$")
_WEEK_MINUTES = 7 * 1440


@dataclass(frozen=True)
class WeeklySchedule:
    """Calling hours per weekday: one `CallingWindow` per span, in the order written."""

    windows: tuple[CallingWindow, ...]

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError(
                f"a calling schedule needs hours on at least one day, e.g. {SCHEDULE_EXAMPLE}"
            )

    @classmethod
    def of(cls, window: CallingWindow) -> WeeklySchedule:
        return cls((window,))

    @property
    def days(self) -> frozenset[int]:
        """Weekdays with any calling hours."""
        return frozenset().union(*(w.days for w in self.windows))

    def restrict(self, days: frozenset[int]) -> WeeklySchedule:
        """Only on `days` (the `--days` option); ValueError when no hours are left."""
        kept = tuple(w.with_days(w.days & days) for w in self.windows if w.days & days)
        if not kept:
            raise ValueError(
                f"--days {describe_days(days)} leaves no calling hours in {self.describe()!r}: "
                f"name days the schedule has ({describe_days(self.days)}), or widen --window"
            )
        return WeeklySchedule(kept)

    def intervals(self, zone_name: str, day: date) -> list[Interval]:
        """The spans that start on local `day` in the zone, in UTC, sorted."""
        found = (window_interval(w, zone_name, day) for w in self.windows)
        return sorted(i for i in found if i is not None)

    def hours_on(self, weekday: int) -> str:
        """`09:00-13:00` (several spans joined by `, `), or `` when the day has none."""
        return ", ".join(w.hours() for w in self.windows if weekday in w.days)

    def overnight(self) -> list[CallingWindow]:
        """Spans that cross midnight, which a user may have written by mistake."""
        return [w for w in self.windows if w.overnight]

    def describe(self) -> str:
        """`sun-thu 09:00-20:00, fri 09:00-13:00`; `08:00-21:00 every day`."""
        parts = []
        for window in self.windows:
            if window.days == ALL_DAYS:
                parts.append(f"{window.hours()} every day")
            else:
                parts.append(f"{describe_days(window.days)} {window.hours()}")
        return ", ".join(parts)


# --- parsing ---------------------------------------------------------------------------------


def parse_hours(text: str, *, context: str | None = None) -> CallingWindow:
    """`08:00-21:00` (every day); `20:00-02:00` crosses midnight; `-24:00` ends at midnight."""
    shown = context if context is not None else text
    match = _HOURS_RE.match(text)
    if match is None:
        raise ValueError(
            f"cannot read calling hours {text!r} in {shown!r}: use HH:MM-HH:MM (e.g. 08:00-21:00)"
        )
    start = _clock_time(match.group(1), match.group(2), shown, is_end=False)
    end = _clock_time(match.group(3), match.group(4), shown, is_end=True)
    if start == end:
        raise ValueError(
            f"calling window {shown!r} starts when it ends: use --window any to call at any hour"
        )
    return CallingWindow(start, end)


def _clock_time(hours: str, minutes: str | None, text: str, *, is_end: bool) -> time:
    h, m = int(hours), int(minutes or 0)
    if is_end and h == 24 and m == 0:
        return time(0)  # `-24:00` ends at midnight
    if h > 23 or m > 59:
        raise ValueError(
            f"calling window {text!r} has an impossible time: use 00:00 to 23:59 (or 24:00 as end)"
        )
    return time(h, m)


def parse_schedule(text: str, days_text: str | None = None) -> WeeklySchedule | None:
    """`--window` (and `--days`) text → a schedule; None when calls may go out at any time.

    Accepts a plain `HH:MM-HH:MM` (every day), `any`, or a weekly schedule such as
    `sun-thu 09:00-20:00, fri 09:00-13:00`. ValueError says how to fix bad text.
    """
    days = ALL_DAYS if days_text is None else parse_days(days_text)
    raw = normalize(text)
    if raw in ANY_WORDS:
        if days == ALL_DAYS:
            return None
        return WeeklySchedule.of(CallingWindow(time(0), time(0), days))
    schedule = WeeklySchedule(_parse_parts(text, raw))
    _check_overlaps(text, schedule)
    return schedule if days == ALL_DAYS else schedule.restrict(days)


def _parse_parts(text: str, raw: str) -> tuple[CallingWindow, ...]:
    windows: list[CallingWindow] = []
    pending: set[int] = set()  # `mon,wed 10:00-12:00`: days waiting for the next part's hours
    closed_only = False
    for part in (p.strip() for p in raw.replace(";", ",").split(",")):
        if not part:
            continue
        match = _PART_RE.search(part)
        first = _HOURS_FIRST_RE.match(part) if match is None else None
        if match is not None:
            hours, day_text = match.group("hours"), part[: match.start()].strip()
        elif first is not None:
            hours, day_text = first.group("hours"), first.group("days").strip()
        elif is_day_spec(part):
            pending |= parse_days(part)
            continue
        else:
            raise _schedule_error(text, f"{part!r} is neither days nor hours")
        days = set(pending)
        pending.clear()
        if day_text:
            try:
                days |= parse_days(day_text)
            except ValueError as exc:
                raise _schedule_error(text, str(exc)) from None
        chosen = frozenset(days) or ALL_DAYS
        if hours in _CLOSED_WORDS:
            closed_only = True
            continue
        if hours == "any":
            windows.append(CallingWindow(time(0), time(0), chosen))
            continue
        windows.append(parse_hours(hours, context=text).with_days(chosen))
    if pending:
        names = describe_days(frozenset(pending))
        raise _schedule_error(text, f"{names} has no hours: write e.g. {names} 09:00-13:00")
    if not windows:
        if closed_only:
            raise _schedule_error(text, "it names no day with calling hours")
        raise _schedule_error(text, "it is empty")
    return tuple(windows)


def _schedule_error(text: str, why: str) -> ValueError:
    return ValueError(
        f"cannot read calling window {text!r}: {why}. Write HH:MM-HH:MM (e.g. 08:00-21:00), "
        f"any, or DAYS HH:MM-HH:MM parts, e.g. {SCHEDULE_EXAMPLE!r}"
    )


def _check_overlaps(text: str, schedule: WeeklySchedule) -> None:
    """Two spans on one day (or an overnight span running into the next day's) is a typo."""
    spans: list[tuple[int, int, int, CallingWindow]] = []
    for window in schedule.windows:
        start, end = (0, 1440) if window.whole_day else window.minutes()
        for day in window.days:
            spans.append((day * 1440 + start, day * 1440 + end, day, window))
    for i, (s1, e1, d1, w1) in enumerate(spans):
        for s2, e2, d2, w2 in spans[i + 1 :]:
            shifts = (-_WEEK_MINUTES, 0, _WEEK_MINUTES)
            if any(s1 < e2 + shift and s2 + shift < e1 for shift in shifts):
                raise _schedule_error(
                    text,
                    f"{DAY_NAMES[d1]} {w1.hours()} overlaps {DAY_NAMES[d2]} {w2.hours()}; "
                    "give each day its hours once",
                )
