"""rphonenumbers against phonenumbers: the same normalize_phone results, differences listed.

`normalize_phone` uses the compiled rphonenumbers when it is installed (see
campaign/contacts/phonelib.py). Here every phone value the tests and sample lists use, the
benchmark's generated list, and a large seeded random set over every supported region go
through both libraries. Where they differ (metadata releases differ: rphonenumbers follows
libphonenumber's, phonenumbers may be newer) the difference is printed, and it must be a
metadata difference (one library knows a number range the other does not yet), never a
different number for the same input, and rare.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import phonenumbers
import pytest
from phonenumbers import timezone as phone_timezone

from campaign.contacts.phones import normalize_phone_tuple, time_zones_for_e164

rphonenumbers = pytest.importorskip("rphonenumbers")

ROOT = Path(__file__).resolve().parents[3]
#: At most this share of the random numbers may differ (each one printed), apart from the
#: countries below, whose numbering changed between the two libraries' metadata releases.
MAX_RANDOM_DIFFERENCE = 0.002
KNOWN_CHANGES = {
    "BJ": "Benin moved to 10-digit numbers (01 + the old 8 digits) in 2024",
}
_QUOTED = re.compile(r"""["']([^"'\n]{7,40})["']""")
_PHONE_LIKE = re.compile(r"^[\s+()\-./0-9０-９٠-٩a-zA-Z:]*\d{3}[\s\-./()]*\d")


def _test_values() -> set[str]:
    """Quoted strings that look like phone numbers in every test file and sample list."""
    found: set[str] = set()
    for path in [*ROOT.glob("tests/**/*.py"), *ROOT.glob("sample_lists/*.csv")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(v for v in _QUOTED.findall(text) if _PHONE_LIKE.match(v))
        if path.suffix == ".csv":
            for line in text.splitlines():
                found.update(cell.strip('"') for cell in re.split(r"[,;\t]", line))
    return {v for v in found if sum(c.isdigit() for c in v) >= 5}


def _bench_values(count: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import import_contacts  # the benchmark's generator of a messy US/EU list
    finally:
        sys.path.pop(0)
    rng = random.Random(11)
    values = []
    for _ in range(count):
        if rng.random() < 0.2:
            values.append(import_contacts.intl_number(rng))
        else:
            values.append(import_contacts.us_format(import_contacts.us_number(rng), rng))
    return values


def _random_numbers(per_region: int, seed: int = 5) -> Iterator[tuple[str, str, str]]:
    """(raw, default region, the number's own region): example numbers of each region and
    type with random digits, written nationally, internationally and with 00, parsed with
    their own or another region."""
    rng = random.Random(seed)
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    types = [
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
    ]
    for region in regions:
        examples = [phonenumbers.example_number_for_type(region, kind) for kind in types]
        examples = [e for e in examples if e is not None]
        for _ in range(per_region if examples else 0):
            example = rng.choice(examples)
            national = str(example.national_number)
            keep = rng.randint(max(1, len(national) - 6), len(national))
            digits = national[:keep] + "".join(
                rng.choice("0123456789")
                for _ in range(len(national) - keep + rng.choice([0, 0, 0, 1, -1]))
            )
            number = phonenumbers.PhoneNumber(
                country_code=example.country_code, national_number=int(digits or "0")
            )
            style = rng.random()
            if style < 0.4:
                raw = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
                yield raw, region, region
            elif style < 0.7:
                raw = phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
                )
                yield raw, rng.choice(regions), region
            elif style < 0.85:
                yield f"00{example.country_code}{digits}", rng.choice(["US", region]), region
            else:
                yield (
                    f"{example.country_code}{digits}",
                    rng.choice(["US", "GB", "IL", region]),
                    region,
                )


def _differences(pairs: list[tuple[str, str]]) -> list[str]:
    out = []
    for raw, region in pairs:
        fast = normalize_phone_tuple(raw, region, library=rphonenumbers)
        slow = normalize_phone_tuple(raw, region, library=phonenumbers)
        if fast != slow:
            out.append(f"{raw!r} in {region}: rphonenumbers {fast} / phonenumbers {slow}")
        elif slow[0] is not None:
            zones_fast = time_zones_for_e164(slow[0], library=rphonenumbers)
            zones_slow = time_zones_for_e164(slow[0], library=phonenumbers)
            if zones_fast != zones_slow:
                out.append(f"{slow[0]} time zones: {zones_fast} / {zones_slow}")
            own = phone_timezone.time_zones_for_number(phonenumbers.parse(slow[0], None))
            expected = tuple(z for z in own if z != phone_timezone.UNKNOWN_TIMEZONE)
            if zones_slow != expected:  # the prefix walk is phonenumbers' own
                out.append(f"{slow[0]} time zones: {zones_slow} / phonenumbers' {expected}")
    return out


def _only_metadata(differences: list[str]) -> None:
    """Both libraries may disagree on whether a range is valid, never on the number itself."""
    for line in differences:
        numbers = re.findall(r"'\+\d+'", line)
        assert len(set(numbers)) <= 1, f"different numbers for the same input: {line}"


def test_every_value_the_tests_and_sample_lists_use_agrees() -> None:
    values = sorted(_test_values())
    assert len(values) > 100  # the scan found the tests' numbers
    pairs = [(v, region) for v in values for region in ("US", "GB", "IL", "DE", "FR")]
    differences = _differences(pairs)
    print("\n".join(differences) or "no differences")
    assert differences == []


def test_the_benchmark_list_agrees() -> None:
    differences = _differences([(v, "US") for v in _bench_values(20_000)])
    print("\n".join(differences) or "no differences")
    assert differences == []


def test_random_numbers_of_every_region_agree_but_for_listed_metadata_differences() -> None:
    numbers = list(_random_numbers(per_region=80))
    assert len(numbers) > 19_000
    known = [(raw, region) for raw, region, own in numbers if own in KNOWN_CHANGES]
    others = [(raw, region) for raw, region, own in numbers if own not in KNOWN_CHANGES]
    known_differences, differences = _differences(known), _differences(others)
    print(f"{len(differences)} differences in {len(others):,} numbers:")
    print("\n".join(differences))
    print(f"{len(known_differences)} in {len(known):,} numbers of {', '.join(KNOWN_CHANGES)}")
    _only_metadata(differences + known_differences)
    assert len(differences) <= MAX_RANDOM_DIFFERENCE * len(others)
