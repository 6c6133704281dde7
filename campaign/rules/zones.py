"""Which time zones a contact lives in: the row's `timezone` column, else the number.

A per-row IANA name (`America/Chicago`) wins. Without one, phonenumbers' prefix data gives the
zones of the number's range: one for most landlines, several for a range that spans zones
(a US toll-free or non-geographic number, a Russian or Australian mobile). When even the range
is unknown, every zone of the country calling code is used: the calling window must then be
open in all of them, which is the conservative reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from phonenumbers import timezone as phone_timezone
from phonenumbers.tzdata import TIMEZONE_DATA

from campaign.contacts.phones import time_zones_for_e164

ZoneSource = Literal["column", "number", "country", "none"]

_UNKNOWN = phone_timezone.UNKNOWN_TIMEZONE  # "Etc/Unknown"


@dataclass(frozen=True)
class ContactZones:
    """The zones a contact is called in, where they came from, and a warning for the user."""

    zones: tuple[str, ...]
    source: ZoneSource
    warning: str | None = None


@cache
def _zones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def canonical_timezone(value: str) -> str | None:
    """The IANA name `value` spells (case and spaces forgiven), or None if it is not one.

    `america/new york` -> `America/New_York`; `EST`, `UTC` and `US/Eastern` are accepted as
    zoneinfo knows them.
    """
    text = value.strip().replace(" ", "_")
    if not text:
        return None
    name = _zones_by_lower_name().get(text.lower())
    if name is None:
        return None
    return name if loadable_zone(name) else None


@cache
def loadable_zone(name: str) -> bool:
    """Whether this machine's tz database has the zone `name`."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _parse(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None


def _usable(names: tuple[str, ...] | list[str]) -> list[str]:
    # phonenumbers may name a zone the local tz database lacks; such a zone cannot be reasoned
    # about, so it is left out rather than crashing the arithmetic.
    return sorted({n for n in names if n != _UNKNOWN and loadable_zone(n)})


def number_timezones(e164: str) -> list[str]:
    """IANA zones of the number's range (sorted); [] when phonenumbers does not know them.

    phonenumbers' time_zones_for_number with the number's type from the compiled library
    (contacts.phones.time_zones_for_e164, cached): a 400,000-contact campaign's zones in
    seconds, not minutes (the differential test holds the two equal)."""
    return _usable(time_zones_for_e164(e164))


def country_timezones(e164: str) -> list[str]:
    """Every IANA zone of the number's country calling code (e.g. all NANP zones for +1)."""
    number = _parse(e164)
    if number is None or number.country_code is None:
        return []
    return _usable(TIMEZONE_DATA.get(str(number.country_code), ()))


def resolve_contact_zones(e164: str, timezone_value: str | None) -> ContactZones:
    """The zones to call `e164` in, with the source and any warning to show the user."""
    warning: str | None = None
    # Spreadsheet cells may also arrive as pandas' NaN (a float): treated as no value.
    if isinstance(timezone_value, str) and timezone_value.strip():
        name = canonical_timezone(timezone_value)
        if name is not None:
            return ContactZones((name,), "column")
        warning = (
            f"timezone {timezone_value.strip()!r} for {e164} is not an IANA time zone name "
            "(e.g. America/New_York); using the zones of the number instead"
        )
    zones = number_timezones(e164)
    if zones:
        return ContactZones(tuple(zones), "number", warning)
    zones = country_timezones(e164)
    if zones:
        note = (
            f"no time zone is known for {e164}'s range; calling only when the window is open "
            f"in all {len(zones)} zones of its country code: add a timezone column to be precise"
        )
        return ContactZones(tuple(zones), "country", _join(warning, note))
    note = (
        f"no time zone is known for {e164}: add a timezone column (IANA name, e.g. "
        "America/New_York) or use --window any"
    )
    return ContactZones((), "none", _join(warning, note))


def contact_timezones(e164: str, timezone_value: str | None) -> list[str]:
    """The zones to call `e164` in: the row's valid IANA name, else those of the number."""
    return list(resolve_contact_zones(e164, timezone_value).zones)


def timezone_warning(e164: str, timezone_value: str | None) -> str | None:
    """What to tell the user about this contact's zones (bad column value, unknown range)."""
    return resolve_contact_zones(e164, timezone_value).warning


def _join(first: str | None, second: str) -> str:
    return second if first is None else f"{first}; {second}"
