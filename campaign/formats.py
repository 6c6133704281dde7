"""Dates, times, durations, day and country names as the current language writes them (Babel).

What people read on the pages and in the report is formatted here, for the language
`campaign.i18n` renders in: `5 Jan 2026, 16:59 Israel Time` / `5 בינו׳ 2026, 16:59 שעון ישראל`,
`in 10 minutes` / `בעוד 10 דקות`, `3m 20s` / `3 דק׳ 20 שנ׳`, `Sun`–`Thu` / `ראשון`–`חמישי`.

Times on screens are in the reader's time zone: `campaign.i18n.zone()` (the web pages get it
from the browser, see `campaign.web.zones`), else this machine's; a time about a recipient
is given their zone (`instant(at, "Asia/Jerusalem")`). UTC is named `UTC` in every language.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_skeleton, format_timedelta, get_timezone_name
from babel.units import format_unit

from campaign import i18n
from campaign.localtime import local_zone

__all__ = [
    "country_name",
    "day",
    "duration",
    "instant",
    "isolated",
    "reader_zone",
    "relative",
    "weekday_name",
    "zone_label",
]

DASH = "–"
#: How a language spells a weekday in a schedule (`Sun–Thu`; Hebrew: the full name, `ראשון`).
_WEEKDAY_WIDTH = {"en": "abbreviated", "he": "wide"}
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/GMT", "GMT", "Zulu", "Etc/Zulu"})


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def _here() -> Locale:
    return _locale(i18n.current())


@cache
def _zone_named(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def reader_zone() -> tzinfo:
    """The zone times on screens are shown in: the reader's, else this machine's."""
    name = i18n.zone()
    found = _zone_named(name) if name else None
    return found if found is not None else local_zone()


def _zone_of(zone: tzinfo | str | None) -> tzinfo:
    if zone is None:
        return reader_zone()
    if isinstance(zone, str):
        return _zone_named(zone) or UTC
    return zone


def zone_label(zone: tzinfo, at: datetime | None = None) -> str:
    """`Israel Time` / `שעון ישראל`; `UTC` in every language."""
    key = getattr(zone, "key", None) or os.environ.get("TZ", "").lstrip(":") or None
    if zone is UTC or key in _UTC_NAMES:
        return "UTC"
    if not isinstance(zone, ZoneInfo):
        return (at or datetime.now(UTC)).astimezone(zone).tzname() or "UTC"
    return get_timezone_name(zone, "long", zone_variant="generic", locale=_here())


def instant(at: datetime | None, zone: tzinfo | str | None = None) -> str:
    """`Jan 5, 2026, 16:59 Israel Time`: the date, the time and the zone it is in."""
    if at is None:
        return DASH
    where = _zone_of(zone)
    local = at.astimezone(where)
    locale = _here()
    naive = local.replace(tzinfo=None)
    both = str(locale.datetime_formats.get("medium", "{1}, {0}"))
    shown = both.replace("{1}", format_skeleton("yMMMd", naive, locale=locale)).replace(
        "{0}", format_skeleton("Hm", naive, locale=locale)
    )
    return f"{shown} {zone_label(where, local)}"


def relative(at: datetime | None, now: datetime) -> str:
    """`in 10 minutes` / `3 seconds ago` (Babel), `now` within a second."""
    if at is None:
        return DASH
    delta = at - now
    if abs(delta.total_seconds()) < 1:
        return i18n.gettext_("now")
    return format_timedelta(delta, add_direction=True, locale=_here())


def duration(seconds: float | None) -> str:
    """`45s`, `12m 5s`, `2h 3m`, `1d 4h` in the language's short units (`durations.py`'s
    steps; Hebrew `12 דק׳ 5 שנ׳`)."""
    if seconds is None:
        return DASH
    left = max(0.0, float(seconds))
    if left < 60:
        return _unit(round(left), "second")
    minutes, sec = divmod(round(left), 60)
    if minutes < 60:
        return _two(minutes, "minute", sec, "second")
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _two(hours, "hour", minutes, "minute")
    days, hours = divmod(hours, 24)
    return _two(days, "day", hours, "hour")


def _unit(value: int, unit: str) -> str:
    return format_unit(value, f"duration-{unit}", "narrow", locale=_here())


def _two(big: int, big_unit: str, small: int, small_unit: str) -> str:
    shown = _unit(big, big_unit)
    return f"{shown} {_unit(small, small_unit)}" if small else shown


def day(on: date | str) -> str:
    """`Mon, Sep 21, 2026` / `יום ב׳, 21 בספט׳ 2026`: a date a person reads without counting."""
    value = date.fromisoformat(on) if isinstance(on, str) else on
    return format_skeleton("yMMMEd", datetime.combine(value, time(12)), locale=_here())


def weekday_name(weekday: int) -> str:
    """Monday is 0 (Python's): `Mon` / `שני`, as the language writes it in a schedule."""
    locale = _here()
    width = _WEEKDAY_WIDTH.get(i18n.current(), "abbreviated")
    names = locale.days["stand-alone"][width]
    return _without_shared_word([str(names[n]) for n in range(7)])[weekday]


@cache
def _shared_prefix(names: tuple[str, ...]) -> int:
    """Length of a first word all seven names share (CLDR's Hebrew `יום ראשון`, `יום שני`)."""
    first = names[0].split(" ", 1)[0] + " "
    if all(name.startswith(first) and len(name) > len(first) for name in names):
        return len(first)
    return 0


def _without_shared_word(names: list[str]) -> list[str]:
    cut = _shared_prefix(tuple(names))
    return [name[cut:] for name in names]


def isolated(text: str) -> str:
    """`text` between bidi isolates (FSI…PDI), the plain-text `<bdi>`: a host name, a var or
    a column inside a sentence keeps its own direction in a right-to-left one. The terminal
    (English) gets `text` as is."""
    if i18n.direction(i18n.current()) == "ltr":
        return text
    return f"\u2068{text}\u2069"


def country_name(code: str | None) -> str:
    """`Israel` / `ישראל` for IL (Babel's territory names); the code when it has none."""
    if not code:
        return i18n.gettext_("unknown country")
    return str(_here().territories.get(code.upper(), code.upper()))
