"""One raw phone value → E.164 (rphonenumbers or phonenumbers), or the reason it cannot be dialed.

Used for contact lists and DNC lists alike. Spreadsheet damage is handled before parsing:
invisible characters, `tel:` prefixes, `0044…` international prefixes, Excel floats
(`15551234567.0`), and scientific notation (`1.55512E+10`), which has lost digits for good.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from phonenumbers import timezone as phone_timezone
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from campaign.contacts.phonelib import lib

# The chosen library's own classes: its parse raises its NumberParseException. The enum
# values (error types, validation results, formats) are the same ints in both libraries.
NumberParseException = lib.NumberParseException
PhoneNumberFormat = lib.PhoneNumberFormat
ValidationResult = lib.ValidationResult
_UNKNOWN_TYPE = lib.PhoneNumberType.UNKNOWN

# Reasons a row is rejected. They are fixed phrases so `validate` can group rows by reason
# (stored in English; the pages translate them as words, see REASONS).
EMPTY = "empty phone number"
SCIENTIFIC = (
    "number in scientific notation, digits were lost: format the phone column as Text "
    "in the spreadsheet and export again"
)
NOT_A_NUMBER = "not a phone number"
NO_COUNTRY = "no country code: write it as +<country code> or set --region"
BAD_COUNTRY = "unknown country code"
TOO_SHORT = "too short"
TOO_LONG = "too long"
WRONG_LENGTH = "wrong number of digits for its country"
INVALID = "not a valid number for its country"
LOCAL_ONLY = "local number without area code: add the area code (or +country code)"
# Row warnings: the row is dialed, but something in the cell was not used.
EXTENSION_DROPPED = "extension dropped: the agent cannot dial extensions"
NO_PLUS = "no + sign and not a number of the default country: read as international"

#: Every reason and row warning above, for the pages' catalog (campaign.web.i18n).
REASONS = (EMPTY, SCIENTIFIC, NOT_A_NUMBER, NO_COUNTRY, BAD_COUNTRY, TOO_SHORT, TOO_LONG,
           WRONG_LENGTH, INVALID, LOCAL_ONLY, EXTENSION_DROPPED, NO_PLUS)  # fmt: skip

PhoneTuple = tuple[str | None, str | None, str | None, str | None]
#: Shortest digit string retried as international when it is not valid in the default region.
_MIN_INTERNATIONAL = 10

# Zero-width and direction marks pasted from web pages and CRMs; str.strip() keeps them.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"), None
)
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_EXCEL_FLOAT = re.compile(r"^(\+?\d+)\.0+$")
_URI_SCHEME = re.compile(r"^(?:tel|callto|whatsapp):", re.IGNORECASE)

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: BAD_COUNTRY,
    NumberParseException.NOT_A_NUMBER: NOT_A_NUMBER,
    NumberParseException.TOO_SHORT_AFTER_IDD: TOO_SHORT,
    NumberParseException.TOO_SHORT_NSN: TOO_SHORT,
    NumberParseException.TOO_LONG: TOO_LONG,
}
_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: TOO_SHORT,
    ValidationResult.TOO_LONG: TOO_LONG,
    ValidationResult.INVALID_LENGTH: WRONG_LENGTH,
    ValidationResult.INVALID_COUNTRY_CODE: BAD_COUNTRY,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: LOCAL_ONLY,
}


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """E.164 and the country of a dialable number, else the reason it is not dialable."""

    e164: str | None
    reason: str | None = None
    warning: str | None = None
    region_code: str | None = None

    @property
    def ok(self) -> bool:
        return self.e164 is not None


def normalize_phone(raw: str | None, region: str | None = "US") -> PhoneResult:
    """Parse `raw` with `region` as the country of national numbers; validate; format E.164."""
    return PhoneResult(*normalize_phone_tuple(raw, region))


def normalize_phone_tuple(
    raw: str | None, region: str | None = "US", *, library: ModuleType = lib
) -> PhoneTuple:
    """`normalize_phone` as a plain tuple: cheap to send between processes in bulk.

    `library` is the phonenumbers-API module to use (the differential test passes both).
    """
    if raw is None:
        return None, EMPTY, None, None
    text = raw if isinstance(raw, str) else str(raw)
    if not text.isascii():
        text = text.translate(_INVISIBLE)
    text = text.strip()
    if not text:
        return None, EMPTY, None, None
    # Cheap membership tests first: most numbers need none of the regular expressions.
    if ("E" in text or "e" in text) and _SCIENTIFIC.match(text):
        return None, SCIENTIFIC, None, None
    if "." in text:
        excel_float = _EXCEL_FLOAT.match(text)
        if excel_float:
            text = excel_float.group(1)
    if ":" in text:
        text = _URI_SCHEME.sub("", text, count=1).lstrip()
    if text.startswith("00"):
        # The international prefix of most of the world; phonenumbers only knows the one of
        # the default region (011 for US), so `0044 20…` would become a US number.
        text = "+" + text[2:]
    result = _parse_valid(text, region.upper() if region else None, library)
    if result[0] is None and text.isdigit() and len(text) >= _MIN_INTERNATIONAL and text[0] != "0":
        # A numeric spreadsheet cell cannot hold the "+": 442079460958 is +44 20 7946 0958.
        international = _parse_valid("+" + text, None, library)
        if international[0] is not None:
            return international[0], None, NO_PLUS, international[3]
    return result


def _parse_valid(text: str, region: str | None, library: ModuleType) -> PhoneTuple:
    try:
        number = library.parse(text, region)
    except library.NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE and not text.startswith("+"):
            return None, NO_COUNTRY, None, None
        return None, _PARSE_REASONS.get(exc.error_type, NOT_A_NUMBER), None, None
    # is_valid_number is exactly region_code_for_number + is_valid_number_for_region; calling
    # the two keeps the region without computing it twice.
    region_code = library.region_code_for_number(number)
    if region_code is None or not library.is_valid_number_for_region(number, region_code):
        length = library.is_possible_number_with_reason(number)
        return None, _LENGTH_REASONS.get(length, INVALID), None, None
    warning = EXTENSION_DROPPED if number.extension else None
    e164 = library.format_number(number, PhoneNumberFormat.E164)
    return e164, None, warning, region_code


@lru_cache(maxsize=65536)
def time_zones_for_e164(e164: str, *, library: ModuleType = lib) -> tuple[str, ...]:
    """The IANA time zones phonenumbers knows for a number (several for some prefixes).

    phonenumbers.timezone.time_zones_for_number, with the number's type from the chosen
    (fast) library and the prefix table from phonenumbers, which only it ships.
    """
    try:
        number = library.parse(e164, None)
    except library.NumberParseException:
        return ()
    kind = library.number_type(number)
    if kind == _UNKNOWN_TYPE:
        return ()
    longest = TIMEZONE_LONGEST_PREFIX
    if library.is_number_type_geographical(kind, number.country_code):
        digits = library.format_number(number, PhoneNumberFormat.E164)[1:]
        prefixes = [digits[:length] for length in range(longest, 0, -1)]
    else:  # country-level zones, with phonenumbers' own prefix lengths
        code = str(number.country_code)
        prefixes = [code[: 1 + length] for length in range(longest, 0, -1)]
    zones: tuple[str, ...] = ()
    for prefix in prefixes:
        found = TIMEZONE_DATA.get(prefix)
        if found is not None:
            zones = tuple(found)
            break
    return tuple(z for z in zones if z != phone_timezone.UNKNOWN_TIMEZONE)
