"""Recipient-local calling windows: is a contact callable now, and if not, when.

A window (`08:00-21:00`, `--days mon-fri`) is read on the recipient's wall clock, in every
zone the contact may be in (see `campaign.rules.zones`); a contact is callable only while the
window is open in all of them.

Each day's window is the stretch of real time from the first moment the local clock shows
its start to the first moment it shows its end (the next day's when it crosses midnight,
`20:00-02:00`; the day named by `--days` is the day the window starts). zoneinfo does the DST
arithmetic, so two cases need a rule:

- a bound in the hour skipped when clocks spring forward is the moment the clock jumps
  (`02:30` on 2026-03-08 in New York is 03:00 EDT);
- a bound in the hour repeated when clocks fall back is its first occurrence, so a window
  ending at `01:30` closes at the first 01:30 and does not reopen an hour later.

A contact with no known zone is never callable under a window (conservative): the engine
shows the reason, `NeverOpen`, which tells the user to add a timezone column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from campaign.rules.zones import (
    ContactZones,
    contact_timezones,
    number_timezones,
    resolve_contact_zones,
)

__all__ = [
    "ALL_DAYS",
    "DEFAULT_WINDOW",
    "CallingWindow",
    "NeverOpen",
    "WindowRule",
    "contact_timezones",
    "is_open",
    "local_instant",
    "next_opening",
    "number_timezones",
    "parse_days",
    "parse_window",
    "parse_window_and_days",
]

ALL_DAYS: frozenset[int] = frozenset(range(7))
DEFAULT_WINDOW = "08:00-21:00"
#: How far ahead `next_opening` looks: a week covers every `--days` choice, plus a margin.
SEARCH_DAYS = 8

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NUMBERS = {
    **{name: number for number, name in enumerate(_DAY_NAMES)},
    "monday": 0, "tues": 1, "tuesday": 1, "weds": 2, "wednesday": 2, "thur": 3, "thurs": 3,
    "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_EVERY_DAY = {"all", "any", "daily", "every day", "everyday", "every-day", "mon-sun", "*"}
_DAY_GROUPS = {"weekdays": frozenset(range(5)), "weekends": frozenset({5, 6})}
_WINDOW_RE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?\s*$")

Interval = tuple[datetime, datetime]


class NeverOpen(Exception):
    """The window never opens for this contact in the search horizon; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CallingWindow:
    """Local wall-clock hours on some weekdays (0=Mon..6=Sun).

    `end <= start` means the window crosses midnight; `start == end` is a whole day (24 h),
    which is how `--window any --days mon-fri` is kept.
    """

    start: time
    end: time
    days: frozenset[int] = field(default=ALL_DAYS)

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("a calling window holds local wall-clock times, without tzinfo")
        if not self.days or not self.days <= ALL_DAYS:
            raise ValueError(f"days must be a non-empty subset of 0..6, got {sorted(self.days)}")

    @property
    def whole_day(self) -> bool:
        return self.start == self.end

    def describe(self) -> str:
        """`08:00-21:00 recipient-local time, mon-fri`."""
        hours = "any hour" if self.whole_day else f"{_hhmm(self.start)}-{_hhmm(self.end)}"
        return f"{hours} recipient-local time, {describe_days(self.days)}"


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


# --- parsing (--window, --days) --------------------------------------------------------------


def parse_window(text: str) -> CallingWindow | None:
    """`08:00-21:00` (every day) or `any` (None: no window). `20:00-02:00` crosses midnight."""
    raw = text.strip().lower()
    if raw in {"any", "none", "off", "always", "24h"}:
        return None
    match = _WINDOW_RE.match(raw)
    if match is None:
        raise ValueError(
            f"cannot read calling window {text!r}: use HH:MM-HH:MM (e.g. 08:00-21:00) or any"
        )
    start = _clock_time(match.group(1), match.group(2), text, is_end=False)
    end = _clock_time(match.group(3), match.group(4), text, is_end=True)
    if start == end:
        raise ValueError(
            f"calling window {text!r} starts when it ends: use --window any to call at any hour"
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


def parse_days(text: str) -> frozenset[int]:
    """`mon-fri`, `mon-sat`, `sat-sun`, `mon,wed,fri`, `weekdays`, `every day`/`all`/`daily`."""
    raw = " ".join(text.strip().lower().split())
    if raw in _EVERY_DAY:
        return ALL_DAYS
    days: set[int] = set()
    for part in filter(None, (p.strip() for p in raw.replace(";", ",").split(","))):
        if part in _DAY_GROUPS:
            days |= _DAY_GROUPS[part]
            continue
        ends = [e.strip() for e in part.split("-")]
        if len(ends) > 2:
            raise _days_error(text)
        first, last = (_day_number(e, text) for e in (ends[0], ends[-1]))
        # A range may wrap the week's end: `fri-mon` is fri, sat, sun, mon.
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    if not days:
        raise _days_error(text)
    return frozenset(days)


def _day_number(name: str, text: str) -> int:
    if name not in _DAY_NUMBERS:
        raise _days_error(text)
    return _DAY_NUMBERS[name]


def _days_error(text: str) -> ValueError:
    return ValueError(
        f"cannot read days {text!r}: use mon-fri, mon-sat, sat-sun, mon,wed,fri or daily"
    )


def describe_days(days: frozenset[int]) -> str:
    if days == ALL_DAYS:
        return "every day"
    ordered = sorted(days)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{_DAY_NAMES[ordered[0]]}-{_DAY_NAMES[ordered[-1]]}"
    return ",".join(_DAY_NAMES[d] for d in ordered)


def parse_window_and_days(window_text: str, days_text: str | None = None) -> CallingWindow | None:
    """The CLI's `--window` and `--days` together; None when calls may go out at any time."""
    window = parse_window(window_text)
    days = ALL_DAYS if days_text is None else parse_days(days_text)
    if window is None:
        return None if days == ALL_DAYS else CallingWindow(time(0), time(0), days)
    return CallingWindow(window.start, window.end, days)


# --- arithmetic --------------------------------------------------------------------------------


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the clock in `zone` shows `day` `wall`.

    In a repeated hour that is the first occurrence; in a skipped hour it is the moment the
    clock jumps past `wall`.
    """
    naive = datetime.combine(day, wall)
    earlier_offset = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if earlier_offset.astimezone(zone).replace(tzinfo=None) == naive:
        return earlier_offset
    # Skipped: the two folds land either side of the jump; find the jump to the second.
    later_offset = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = sorted((int(earlier_offset.timestamp()), int(later_offset.timestamp())))
    while lo < hi:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid + 1
    return datetime.fromtimestamp(lo, UTC)


@lru_cache(maxsize=65536)
def _day_interval(window: CallingWindow, zone_name: str, day: date) -> Interval | None:
    """The window that starts on local `day` in the zone, in UTC; None on a closed day."""
    if day.weekday() not in window.days:
        return None
    zone = ZoneInfo(zone_name)
    start = local_instant(day, window.start, zone)
    end_day = day if window.end > window.start else day + timedelta(days=1)
    end = local_instant(end_day, window.end, zone)
    return (start, end) if end > start else None


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"{at!r} has no time zone: pass an aware UTC datetime")
    return at.astimezone(UTC)


def _open_in_zone(window: CallingWindow, zone_name: str, at: datetime) -> bool:
    local_day = at.astimezone(ZoneInfo(zone_name)).date()
    # Only yesterday's window (crossing midnight) or today's can contain `at`.
    for day in (local_day - timedelta(days=1), local_day):
        interval = _day_interval(window, zone_name, day)
        if interval is not None and interval[0] <= at < interval[1]:
            return True
    return False


def is_open(window: CallingWindow | None, zones: Iterable[str], at: datetime) -> bool:
    """True when `window` is open at `at` in every one of `zones`.

    No window: always open. No zone known: closed (see the module notes).
    """
    at = _utc(at)
    if window is None:
        return True
    names = list(zones)
    return bool(names) and all(_open_in_zone(window, name, at) for name in names)


def _zone_intervals(window: CallingWindow, zone_name: str, at: datetime) -> list[Interval]:
    local_day = at.astimezone(ZoneInfo(zone_name)).date()
    merged: list[Interval] = []
    for offset in range(-1, SEARCH_DAYS + 2):
        interval = _day_interval(window, zone_name, local_day + timedelta(days=offset))
        if interval is None:
            continue
        if merged and interval[0] <= merged[-1][1]:  # back-to-back whole days join up
            merged[-1] = (merged[-1][0], max(merged[-1][1], interval[1]))
        else:
            merged.append(interval)
    return merged


def _intersect(left: list[Interval], right: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start, end = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if start < end:
            out.append((start, end))
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return out


def next_opening(window: CallingWindow | None, zones: Iterable[str], at: datetime) -> datetime:
    """The earliest instant >= `at` (UTC) when `window` is open in every zone.

    Returns `at` itself when already open. Raises `NeverOpen` when no zone is known, or when
    the zones' windows never overlap in the next `SEARCH_DAYS` days.
    """
    at = _utc(at)
    names = sorted(set(zones))
    if window is None:
        return at
    if not names:
        raise NeverOpen(
            "no time zone is known for this number: add a timezone column (IANA name, e.g. "
            "America/New_York) or use --window any"
        )
    if is_open(window, names, at):
        return at
    common = _zone_intervals(window, names[0], at)
    for name in names[1:]:
        common = _intersect(common, _zone_intervals(window, name, at))
    horizon = at + timedelta(days=SEARCH_DAYS)
    for start, end in common:
        if end > at and start <= horizon:
            return max(start, at)
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    raise NeverOpen(
        f"the window {window.describe()} is never open in all of this number's "
        f"{len(names)} time zones ({shown}) at once: widen --window, or add a timezone "
        "column naming the contact's zone"
    )


# --- the rule the engine holds -------------------------------------------------------------------


class WindowRule:
    """A campaign's calling window, with each contact's zones resolved once and cached."""

    def __init__(self, window: CallingWindow | None, *, cache_size: int = 100_000) -> None:
        self.window = window
        self._zones = lru_cache(maxsize=cache_size)(resolve_contact_zones)

    @classmethod
    def from_options(cls, window: str = DEFAULT_WINDOW, days: str | None = None) -> WindowRule:
        """From the CLI's `--window` and `--days` text; ValueError says how to fix bad text."""
        return cls(parse_window_and_days(window, days))

    def zones(self, e164: str, timezone_value: str | None = None) -> ContactZones:
        """The contact's zones, their source, and a warning for the user (cached)."""
        value = timezone_value if isinstance(timezone_value, str) else None
        return self._zones(e164, value)

    def is_open(self, e164: str, timezone_value: str | None, at: datetime) -> bool:
        if self.window is None:
            return True
        return is_open(self.window, self.zones(e164, timezone_value).zones, at)

    def next_opening(self, e164: str, timezone_value: str | None, at: datetime) -> datetime:
        """`at` if callable now, else the next opening; raises `NeverOpen` with the reason."""
        if self.window is None:
            return _utc(at)
        resolved = self.zones(e164, timezone_value)
        try:
            return next_opening(self.window, resolved.zones, at)
        except NeverOpen as exc:
            raise NeverOpen(f"{e164}: {exc.reason}") from None

    def describe(self) -> str:
        return "any time" if self.window is None else self.window.describe()

    def __repr__(self) -> str:
        return f"WindowRule({self.describe()!r})"
