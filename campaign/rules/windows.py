"""Recipient-local calling windows: the calendar's first API, kept for its callers.

A window (`08:00-21:00`, `--days mon-fri`) is read on the recipient's wall clock, in every
zone the contact may be in (see `campaign.rules.zones`); a contact is callable only while the
window is open in all of them. The DST rules are in `campaign.rules.hours`; weekly schedules,
country defaults and holidays in `campaign.rules.calendar`, whose `CallingCalendar` is
`WindowRule` here: `WindowRule(window)` is the plain window of old (no holidays),
`WindowRule.from_options(...)` reads the CLI's options with today's defaults.

A contact with no known zone is never callable under a window (conservative): the engine
shows the reason, `NeverOpen`, which tells the user to add a timezone column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Any

from campaign.rules.calendar import CallingCalendar, NeverOpen
from campaign.rules.days import ALL_DAYS, describe_days, parse_days
from campaign.rules.hours import (
    CallingWindow,
    Interval,
    first_common_opening,
    local_instant,
    open_in_zone,
    utc,
    window_interval,
)
from campaign.rules.schedule import ANY_WORDS, WeeklySchedule, parse_hours
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
    "ContactZones",
    "NeverOpen",
    "WindowRule",
    "contact_timezones",
    "describe_days",
    "is_open",
    "local_instant",
    "next_opening",
    "number_timezones",
    "parse_days",
    "parse_window",
    "parse_window_and_days",
]

#: The hours of a country without an entry in `campaign.rules.countries`.
DEFAULT_WINDOW = "08:00-21:00"
#: How far ahead `next_opening` looks: a week covers every `--days` choice, plus a margin.
SEARCH_DAYS = 8


def parse_window(text: str) -> CallingWindow | None:
    """`08:00-21:00` (every day) or `any` (None: no window). `20:00-02:00` crosses midnight.

    One span only; `campaign.rules.schedule.parse_schedule` reads weekly schedules too.
    """
    raw = text.strip().lower()
    if raw in ANY_WORDS:
        return None
    try:
        return parse_hours(raw, context=text)
    except ValueError as exc:
        if "cannot read" not in str(exc):
            raise
        raise ValueError(
            f"cannot read calling window {text!r}: use HH:MM-HH:MM (e.g. 08:00-21:00) or any"
        ) from None


def parse_window_and_days(window_text: str, days_text: str | None = None) -> CallingWindow | None:
    """The CLI's `--window` and `--days` together; None when calls may go out at any time."""
    window = parse_window(window_text)
    days = ALL_DAYS if days_text is None else parse_days(days_text)
    if window is None:
        return None if days == ALL_DAYS else CallingWindow(time(0), time(0), days)
    return window.with_days(days)


def _plain_spans(window: CallingWindow) -> Callable[[str, date], tuple[list[Interval], None]]:
    def spans(zone_name: str, day: date) -> tuple[list[Interval], None]:
        found = window_interval(window, zone_name, day)
        return ([found] if found else []), None

    return spans


def is_open(window: CallingWindow | None, zones: Iterable[str], at: datetime) -> bool:
    """True when `window` is open at `at` in every one of `zones`.

    No window: always open. No zone known: closed (see the module notes).
    """
    at = utc(at)
    if window is None:
        return True
    names = list(zones)
    spans = _plain_spans(window)
    return bool(names) and all(open_in_zone(spans, name, at) for name in names)


def next_opening(window: CallingWindow | None, zones: Iterable[str], at: datetime) -> datetime:
    """The earliest instant >= `at` (UTC) when `window` is open in every zone.

    Returns `at` itself when already open. Raises `NeverOpen` when no zone is known, or when
    the zones' windows never overlap in the next `SEARCH_DAYS` days.
    """
    at = utc(at)
    names = sorted(set(zones))
    if window is None:
        return at
    if not names:
        raise NeverOpen(
            "no time zone is known for this number: add a timezone column (IANA name, e.g. "
            "America/New_York) or use --window any"
        )
    opening = first_common_opening(_plain_spans(window), names, at, horizon_days=SEARCH_DAYS)
    if opening is not None:
        return opening
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    raise NeverOpen(
        f"the window {window.describe()} is never open in all of this number's "
        f"{len(names)} time zones ({shown}) at once: widen --window, or add a timezone "
        "column naming the contact's zone"
    )


class WindowRule(CallingCalendar):
    """A campaign's calling calendar, with each contact's zones resolved once and cached.

    `WindowRule(window)` keeps its first meaning: that window (or schedule) and nothing else.
    `WindowRule.from_options(window, days, holidays=..., closed=...)` is the CLI's reading,
    with country defaults and holidays.
    """

    def __init__(
        self,
        window: CallingWindow | WeeklySchedule | None = None,
        *,
        cache_size: int = 100_000,
        **options: Any,
    ) -> None:
        super().__init__(
            window, resolve_zones=resolve_contact_zones, cache_size=cache_size, **options
        )
