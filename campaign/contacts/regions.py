"""Country (region) codes as users write them: `US`, `uk`, `Germany`, `+44`.

phonenumbers wants an ISO 3166 alpha-2 code as the default region of a national number;
spreadsheets hold whatever the CRM exported, so a per-row region column is read leniently.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers

from campaign.errors import InputError

# Common spellings phonenumbers does not know as ISO codes.
_ALIASES = {
    "UK": "GB",
    "USA": "US",
    "UNITED STATES OF AMERICA": "US",
    "UNITED KINGDOM": "GB",
    "GREAT BRITAIN": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "NORTHERN IRELAND": "GB",
}
_CALLING_CODE = re.compile(r"^\+?(\d{1,3})$")


@cache
def _names_to_codes() -> dict[str, str]:
    """English country name → ISO code, built from phonenumbers' own example numbers (the
    geocoder's data takes seconds and ~100 MiB to load: only a region column of names does)."""
    from phonenumbers import geocoder

    names: dict[str, str] = {}
    for code in phonenumbers.SUPPORTED_REGIONS:
        example = phonenumbers.example_number(code)
        if example is None:
            continue
        name = geocoder.country_name_for_number(example, "en")
        if name:
            names.setdefault(name.upper(), code)
    return names


@cache
def resolve_region(value: str | None) -> str | None:
    """The ISO code for `value`, or None when it is empty or not a known country."""
    if value is None:
        return None
    text = " ".join(str(value).split()).upper()
    if not text:
        return None
    if text in phonenumbers.SUPPORTED_REGIONS:
        return text
    if text in _ALIASES:
        return _ALIASES[text]
    calling = _CALLING_CODE.match(text)
    if calling:
        code = phonenumbers.region_code_for_country_code(int(calling.group(1)))
        return None if code == "ZZ" else code
    return _names_to_codes().get(text)


def require_region(value: str, *, what: str = "--region") -> str:
    """Like `resolve_region` for an option: an unknown value is an InputError."""
    code = resolve_region(value)
    if code is None:
        raise InputError(
            f"{what} {value!r} is not a country: use a two-letter country code such as US or GB"
        )
    return code
