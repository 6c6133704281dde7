"""The recipient's time zone, for times that are about the person called.

The zone the calling rules use for the contact (a `timezone` column wins, else the number's
range). A number whose range spans several zones has no one local time: its local times are
left out rather than shown in a zone that may not be the person's.

`recipient_zones` answers the same for a whole column at once (an export of 400,000
contacts): the number's range is looked up as `campaign.contacts.phones.time_zones_for_e164`
does, without the layers between, and every case that is not a plain stored E.164 number
with its zones known (a `timezone` column, a number the library does not type, zones the
tz database lacks) goes through `recipient_zone` itself. A unit test holds the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from phonenumbers import timezone as phone_timezone
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from campaign.contacts.phonelib import lib
from campaign.rules.zones import contact_timezones, loadable_zone

_UNKNOWN_ZONE = phone_timezone.UNKNOWN_TIMEZONE
_UNKNOWN_TYPE = lib.PhoneNumberType.UNKNOWN
_E164 = lib.PhoneNumberFormat.E164
_PARSE_ERROR = lib.NumberParseException
#: A zone set the lean path cannot answer for (recipient_zone decides).
_UNDECIDED = object()
#: The lengths of the range prefixes that begin with each digit, longest first (the lookup
#: tries the longest prefix first, as phonenumbers does, but only lengths that exist).
_KEY_LENGTHS: dict[str, tuple[int, ...]] = {
    digit: tuple(
        sorted(
            {len(k) for k in TIMEZONE_DATA if k[:1] == digit and len(k) <= TIMEZONE_LONGEST_PREFIX},
            reverse=True,
        )
    )
    for digit in "0123456789"
}


@cache
def recipient_zone(to_number: str | None, timezone: str | None = None) -> str | None:
    """The IANA zone a contact's local times are shown in, or None when unknown or several."""
    if not to_number:
        return None
    zones = contact_timezones(to_number, timezone or None)
    return zones[0] if len(zones) == 1 else None


def recipient_zones(pairs: Iterable[tuple[str | None, str | None]]) -> list[str | None]:
    """`recipient_zone(number, timezone)` of each (number, timezone) pair, in order."""
    answers: list[str | None] = []
    append = answers.append
    for number, timezone in pairs:
        if not number:
            append(None)
            continue
        zone = _UNDECIDED if timezone else _number_zone(number)
        append(recipient_zone(number, timezone) if zone is _UNDECIDED else zone)  # type: ignore[arg-type]
    return answers


def _number_zone(
    e164: str,
    parse: Callable[[str, None], Any] = lib.parse,
    number_type: Callable[[Any], int] = lib.number_type,
    format_number: Callable[[Any, int], str] = lib.format_number,
) -> object:
    """The one zone of a stored E.164 number's range, None for several, or _UNDECIDED."""
    try:
        number = parse(e164, None)
    except _PARSE_ERROR:
        return _UNDECIDED
    kind = number_type(number)
    if kind == _UNKNOWN_TYPE:
        return _UNDECIDED
    if _geographical(kind, number.country_code):
        if format_number(number, _E164) != e164:
            return _UNDECIDED  # not the canonical form the prefixes are looked up in
        digits = e164[1:]
    else:
        digits = str(number.country_code)
    get = TIMEZONE_DATA.get
    for length in _KEY_LENGTHS.get(digits[:1], ()):
        found = get(digits[:length])
        if found is not None:
            return _single_zone(found)
    return _UNDECIDED


@cache
def _geographical(kind: int, country_code: int) -> bool:
    return bool(lib.is_number_type_geographical(kind, country_code))


@cache
def _single_zone(zones: tuple[str, ...]) -> object:
    """The one usable zone of a range's zones, None for several, _UNDECIDED for none."""
    usable = sorted({zone for zone in zones if zone != _UNKNOWN_ZONE and loadable_zone(zone)})
    if not usable:
        return _UNDECIDED  # the rules fall back to the country's zones
    return usable[0] if len(usable) == 1 else None
