"""Wall-clock calling hours turned into real time, DST-correct: the arithmetic under the calendar.

A `CallingWindow` is local hours (`08:00-21:00`) on some weekdays. Each day's window is the
stretch of real time from the first moment the local clock shows its start to the first moment
it shows its end (the next day's when it crosses midnight, `20:00-02:00`; the day named is the
day the window starts). zoneinfo does the DST arithmetic, so two cases need a rule:

- a bound in the hour skipped when clocks spring forward is the moment the clock jumps
  (`02:30` on 2026-03-08 in New York is 03:00 EDT);
- a bound in the hour repeated when clocks fall back is its first occurrence, so a window
  ending at `01:30` closes at the first 01:30 and does not reopen an hour later.

Intervals are half-open `(start, end)` pairs of aware UTC datetimes, sorted and disjoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from campaign.rules.days import ALL_DAYS, describe_days

Interval = tuple[datetime, datetime]


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

    @property
    def overnight(self) -> bool:
        """True when the window crosses midnight (`20:00-08:00`)."""
        return not self.whole_day and self.end != time(0) and self.end < self.start

    def hours(self) -> str:
        """`08:00-21:00`, `08:00-24:00`, or `any hour`."""
        if self.whole_day:
            return "any hour"
        end = "24:00" if self.end == time(0) else hhmm(self.end)
        return f"{hhmm(self.start)}-{end}"

    def describe(self) -> str:
        """`08:00-21:00 recipient-local time, mon-fri`."""
        hours = "any hour" if self.whole_day else f"{hhmm(self.start)}-{hhmm(self.end)}"
        return f"{hours} recipient-local time, {describe_days(self.days)}"

    def with_days(self, days: frozenset[int]) -> CallingWindow:
        return CallingWindow(self.start, self.end, days)

    def minutes(self) -> tuple[int, int]:
        """Start and end as minutes of the local day (end past 1440 when crossing midnight)."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return start, end if end > start else end + 1440


def hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def utc(at: datetime) -> datetime:
    """`at` in UTC; a naive datetime is refused (the calling rules never guess a zone)."""
    if at.tzinfo is None:
        raise ValueError(f"{at!r} has no time zone: pass an aware UTC datetime")
    return at.astimezone(UTC)


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


def local_day_interval(zone_name: str, day: date) -> Interval:
    """The whole local `day` in the zone, midnight to midnight, in UTC (23 or 25 h on DST days)."""
    zone = ZoneInfo(zone_name)
    return local_instant(day, time(0), zone), local_instant(day + timedelta(days=1), time(0), zone)


@lru_cache(maxsize=65536)
def window_interval(window: CallingWindow, zone_name: str, day: date) -> Interval | None:
    """The window that starts on local `day` in the zone, in UTC; None on a day it skips."""
    if day.weekday() not in window.days:
        return None
    zone = ZoneInfo(zone_name)
    start = local_instant(day, window.start, zone)
    end_day = day if window.end > window.start else day + timedelta(days=1)
    end = local_instant(end_day, window.end, zone)
    return (start, end) if end > start else None


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping and back-to-back intervals joined."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(left: list[Interval], right: list[Interval]) -> list[Interval]:
    """Where both sorted, disjoint interval lists are open."""
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


def subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """`intervals` with every moment of `holes` taken out (both sorted and disjoint)."""
    out: list[Interval] = []
    for start, end in intervals:
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                out.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def contains(intervals: Iterable[Interval], at: datetime) -> bool:
    return any(start <= at < end for start, end in intervals)


# --- openings over several zones -----------------------------------------------------------------

#: What a calendar says about one local day in one zone: the spans that start that day (UTC),
#: and the whole day when it is closed (a holiday, a closed date), which also cuts a span that
#: started the evening before and runs into it.
DaySpans = Callable[[str, date], tuple[list[Interval], Interval | None]]


def open_in_zone(spans: DaySpans, zone_name: str, at: datetime) -> bool:
    """True when `at` falls in an open span of the zone's calendar."""
    day = at.astimezone(ZoneInfo(zone_name)).date()
    # Only yesterday's spans (crossing midnight) or today's can contain `at`.
    earlier, _ = spans(zone_name, day - timedelta(days=1))
    today, closed = spans(zone_name, day)
    if closed is not None and closed[0] <= at < closed[1]:
        return False
    return contains(earlier, at) or contains(today, at)


def zone_intervals(
    spans: DaySpans, zone_name: str, start: datetime, end: datetime
) -> list[Interval]:
    """The zone's open intervals between `start` and `end` (clipped to them)."""
    zone = ZoneInfo(zone_name)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    opens: list[Interval] = []
    closed: list[Interval] = []
    while day <= last:
        day_opens, day_closed = spans(zone_name, day)
        opens.extend(day_opens)
        if day_closed is not None:
            closed.append(day_closed)
        day += timedelta(days=1)
    kept = subtract(merge(opens), merge(closed))
    return [(max(s, start), min(e, end)) for s, e in kept if e > start and s < end]


def first_common_opening(
    spans: DaySpans, zones: list[str], at: datetime, *, horizon_days: int, chunk_days: int = 8
) -> datetime | None:
    """The first instant >= `at` open in every zone, within `horizon_days`; else None.

    Searched `chunk_days` at a time, so a long closure costs more only when it happens.
    """
    start, limit = at, at + timedelta(days=horizon_days)
    while start < limit:
        end = min(start + timedelta(days=chunk_days), limit)
        common = zone_intervals(spans, zones[0], start, end)
        for name in zones[1:]:
            if not common:
                break
            common = intersect(common, zone_intervals(spans, name, start, end))
        for span_start, span_end in common:
            if span_end > at:
                return max(span_start, at)
        start = end
    return None
