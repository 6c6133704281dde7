"""Spacing calls to one number: the minimum gap (`--min-gap`) and the per-day cap
(`--max-attempts-per-day`), both across every campaign in the database.

Each check answers None when the number may be called at `at`, else the instant it may be.
The store supplies the history (last call, today's attempts); these functions only reason.

The per-day cap counts attempts in the recipient's local day, midnight to midnight on their
clock (a person's "three calls today" is about their day, not the server's). A number in
several zones is capped if it is capped in any of them, until it is free in all of them; a
number with no known zone counts UTC days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaign.rules.hours import local_instant


def _utc(at: datetime, what: str) -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"{what} {at!r} has no time zone: pass an aware UTC datetime")
    return at.astimezone(UTC)


def gap_blocks(
    last_call_at: datetime | None, min_gap_seconds: float, at: datetime
) -> datetime | None:
    """None if the last call to the number is at least `min_gap_seconds` before `at`, else
    the instant the gap has passed. A gap of 0 (or less) switches the check off."""
    at = _utc(at, "at")
    if last_call_at is None or min_gap_seconds <= 0:
        return None
    free_at = _utc(last_call_at, "last_call_at") + timedelta(seconds=min_gap_seconds)
    return free_at if free_at > at else None


def _day_bounds(zone: ZoneInfo, at: datetime) -> tuple[datetime, datetime]:
    """The UTC start and end of the local day in `zone` that contains `at`."""
    day = at.astimezone(zone).date()
    return local_instant(day, time(0), zone), local_instant(day + timedelta(days=1), time(0), zone)


def attempts_today_blocks(
    attempts_at: Iterable[datetime],
    max_per_day: int | None,
    zones: Sequence[str],
    at: datetime,
) -> datetime | None:
    """None if fewer than `max_per_day` attempts fell in the recipient's local day of `at`,
    else the next local midnight after which the number may be called again.

    `max_per_day` None or 0 switches the cap off. `attempts_at` are the number's past
    attempts (any order; ones after `at` are ignored).
    """
    at = _utc(at, "at")
    if not max_per_day or max_per_day <= 0:
        return None
    attempts = [_utc(a, "attempt") for a in attempts_at]
    attempts = [a for a in attempts if a <= at]
    if len(attempts) < max_per_day:
        return None
    free_at: datetime | None = None
    for zone in [ZoneInfo(name) for name in zones] or [ZoneInfo("UTC")]:
        day_start, day_end = _day_bounds(zone, at)
        if sum(day_start <= a < day_end for a in attempts) >= max_per_day:
            # Past the zone's midnight, none of today's attempts count there any more.
            free_at = day_end if free_at is None else max(free_at, day_end)
    return free_at


def latest_block(*blocks: datetime | None) -> datetime | None:
    """Combine checks: None if none blocks, else the latest instant any of them names."""
    instants = [b for b in blocks if b is not None]
    return max(instants) if instants else None
