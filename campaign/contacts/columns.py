"""Which column plays which part: the phone number, per-row region, from_number, agent, time zone.

Names given as options win; otherwise headers are matched case-, space- and
accent-insensitively ("Mobile Phone" ~ mobile_phone, "מספר טלפון" ~ מספרטלפון), in the
languages of the users' markets (English, Hebrew, Arabic, Russian and the Western European
ones), and the phone column falls back to content: the column whose values mostly parse as
phone numbers. A column of dates is never the phone column (`2025-06-19 10:30` has the
digits of an Egyptian number). Two plausible phone columns are an error listing both,
never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NoReturn

import pandas as pd

from campaign.contacts.default_region import best_region
from campaign.contacts.model import FoundBy
from campaign.contacts.options import ImportOptions
from campaign.contacts.phones import normalize_phone
from campaign.errors import InputError, PhoneColumnUnknown

PHONE_HEADERS = frozenset(
    {
        "phone", "phonenumber", "phoneno", "phonenum", "phone1", "number", "tel", "telno",
        "telephone", "telephonenumber", "mobile", "mobilephone", "mobilenumber", "mobileno",
        "cell", "cellphone", "cellnumber", "tonumber", "to", "whatsapp", "whatsappnumber",
        "msisdn", "contactnumber", "contactphone", "primaryphone", "telefon", "telefono",
        "telefone", "telephone1", "handy", "portable", "numero", "numerotelephone",
        # Hebrew: phone, mobile, "pelephone" (what Israelis call a mobile), cellular, tel.
        "טלפון", "נייד", "פלאפון", "פלאפון1", "סלולרי", "סלולר", "טל", "מספרטלפון",
        "מסטלפון", "מספרנייד", "טלפוןנייד", "מספרפלאפון", "טלנייד",
        # Arabic and Russian, spoken by many Israeli customers.
        "هاتف", "جوال", "موبايل", "رقمالهاتف", "телефон", "мобильный", "номертелефона",
    }
)  # fmt: skip
# Headers that merely contain one of these are candidates too ("home_phone", "Work Mobile",
# "טלפון בבית").
_PHONE_WORDS = (
    "phone", "mobile", "whatsapp", "cellular", "telefon",
    "טלפון", "נייד", "פלאפון", "סלולר", "هاتف", "جوال", "телефон",
)  # fmt: skip
FROM_HEADERS = frozenset({"fromnumber", "from", "fromphone", "callerid", "callernumber"})
AGENT_HEADERS = frozenset({"agentid", "agent", "overrideagentid"})
TIMEZONE_HEADERS = frozenset({"timezone", "tz", "timezonename", "ianatimezone"})

#: Share of sampled values that must be valid numbers for content detection.
CONTENT_THRESHOLD = 0.5
_CONTENT_SAMPLE = 200


@dataclass(frozen=True)
class ColumnRoles:
    phone: str
    phone_found_by: FoundBy
    region: str | None = None
    from_number: str | None = None
    agent: str | None = None
    timezone: str | None = None

    @property
    def special(self) -> set[str]:
        """The columns that steer the call rather than fill the agent's prompt."""
        return {c for c in (self.region, self.from_number, self.agent, self.timezone) if c}


def header_key(name: str) -> str:
    """`Mobile Phone #` → `mobilephone`, `מס' טלפון` → `מסטלפון`: case, spaces, punctuation,
    accents and Hebrew vowel points ignored; letters of any script kept."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


def find_column(columns: list[str], wanted: str, *, option: str, source: str) -> str:
    """The column the user named: exact header first, then the same header key."""
    if wanted in columns:
        return wanted
    stripped = wanted.strip()
    if stripped in columns:
        return stripped
    matches = [c for c in columns if header_key(c) == header_key(wanted)]
    if len(matches) == 1:
        return matches[0]
    raise InputError(
        f"{option} {wanted!r} is not a column of {source}: use one of {_listed(columns)}"
    )


def detect_roles(
    frame: pd.DataFrame,
    columns: list[str],
    options: ImportOptions,
    source: str,
    region: str | None,
) -> ColumnRoles:
    """Resolve every role; `region` is the default country used to score phone content
    (None: not known yet, each column is scored with the country its numbers fit best)."""

    def named(value: str | None, option: str) -> str | None:
        return None if value is None else find_column(columns, value, option=option, source=source)

    region_column = named(options.region_column, "--region-column")
    from_number = named(options.from_column, "--from-column")
    agent = named(options.agent_column, "--agent-column")
    timezone = named(options.timezone_column, "--timezone-column")
    phone = named(options.phone_column, "--phone-column")
    taken = {c for c in (region_column, from_number, agent, timezone, phone) if c}
    if from_number is None:
        from_number = _by_header(columns, FROM_HEADERS, taken)
    if agent is None:
        agent = _by_header(columns, AGENT_HEADERS, taken | _named(from_number))
    if timezone is None:
        timezone = _by_header(columns, TIMEZONE_HEADERS, taken | _named(from_number, agent))
    others = _named(region_column, from_number, agent, timezone)
    found_by: FoundBy = "option"
    if phone is None:
        candidates = [c for c in columns if c not in others]
        phone, found_by = _detect_phone(frame, candidates, region, source, columns)
    elif phone in others:
        raise InputError(
            f"column {phone!r} cannot be both the phone number and another per-row option: "
            "choose a different column for one of them"
        )
    return ColumnRoles(phone, found_by, region_column, from_number, agent, timezone)


def _named(*columns: str | None) -> set[str]:
    return {c for c in columns if c}


def _by_header(columns: list[str], keys: frozenset[str], taken: set[str]) -> str | None:
    matches = [c for c in columns if c not in taken and header_key(c) in keys]
    return matches[0] if len(matches) == 1 else None


def _detect_phone(
    frame: pd.DataFrame,
    candidates: list[str],
    region: str | None,
    source: str,
    columns: list[str],
) -> tuple[str, FoundBy]:
    candidates = [c for c in candidates if not is_date_column(frame[c])]
    by_header = [c for c in candidates if _looks_like_phone_header(c)]
    if len(by_header) == 1:
        return by_header[0], "header"
    if len(by_header) > 1:
        scores = {c: _score(frame[c], region) for c in by_header}
        phone_like = [c for c in by_header if scores[c] >= CONTENT_THRESHOLD]
        if len(phone_like) == 1:
            return phone_like[0], "header"
        _ambiguous(phone_like or by_header, source, columns)
    scores = {c: _score(frame[c], region) for c in candidates}
    phone_like = [c for c in candidates if scores[c] >= CONTENT_THRESHOLD]
    if len(phone_like) == 1:
        return phone_like[0], "content"
    if len(phone_like) > 1:
        _ambiguous(phone_like, source, columns)
    problem = f"no phone column in {source} (columns: {_listed(columns)})"
    raise PhoneColumnUnknown(
        f"{problem}: name it 'phone' or pass --phone-column NAME", problem, list(columns), []
    )


def _looks_like_phone_header(name: str) -> bool:
    key = header_key(name)
    return key in PHONE_HEADERS or any(word in key for word in _PHONE_WORDS)


def _score(values: pd.Series, region: str | None) -> float:
    return content_score(values, region or best_region(_sample(values)))


def content_score(values: pd.Series, region: str | None) -> float:
    """Share of the first non-empty values that are valid phone numbers (never a date)."""
    sample = _sample(values)
    if not sample:
        return 0.0
    return sum(not looks_like_date(v) and normalize_phone(v, region).ok for v in sample) / len(
        sample
    )


def _sample(values: pd.Series) -> list[str]:
    sample: list[str] = []
    for value in values:
        if isinstance(value, str) and value.strip():
            sample.append(value)
            if len(sample) == _CONTENT_SAMPLE:
                break
    return sample


# 2025-06-19, 19/06/2025, 19.6.25, 6-19-2025, each with an optional time (10:30, 10:30:00).
_DATE = re.compile(
    r"^\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


def looks_like_date(value: str) -> bool:
    """A calendar date (with or without a time), as spreadsheets write them."""
    return bool(_DATE.match(value))


def is_date_column(values: pd.Series) -> bool:
    """Most of the column's first non-empty values are dates."""
    sample = _sample(values)
    return bool(sample) and sum(looks_like_date(v) for v in sample) > len(sample) / 2


def _ambiguous(candidates: Iterable[str], source: str, columns: Sequence[str]) -> NoReturn:
    found = list(candidates)
    problem = f"several columns of {source} could be the phone number ({_listed(found)})"
    raise PhoneColumnUnknown(f"{problem}: pass --phone-column NAME", problem, list(columns), found)


def _listed(columns: Iterable[str]) -> str:
    return ", ".join(repr(c) for c in columns)
