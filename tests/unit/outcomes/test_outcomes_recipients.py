"""`recipient_zones` (a column at once, for the streamed export) answers as `recipient_zone`."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from campaign.outcomes.recipients import recipient_zone, recipient_zones


def _numbers(seed: int = 20) -> list[str]:
    """Example numbers of every region and type, and random neighbours of each (most valid,
    some not: the lean path must hand those back to recipient_zone)."""
    rng = random.Random(seed)
    found: set[str] = set()
    kinds = [value for name, value in vars(phonenumbers.PhoneNumberType).items() if name.isupper()]
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in kinds:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            found.add(e164)
            for _ in range(2):
                digits = list(e164[1:])
                position = rng.randrange(len(digits) // 2, len(digits))
                digits[position] = str(rng.randrange(10))
                found.add("+" + "".join(digits))
    return sorted(found)


def test_the_column_answer_is_recipient_zone_for_every_region_and_type() -> None:
    numbers = _numbers()
    assert len(numbers) > 3000
    pairs = [(number, None) for number in numbers]
    assert recipient_zones(pairs) == [recipient_zone(number, None) for number in numbers]


@pytest.mark.parametrize(
    ("number", "timezone"),
    [
        ("+972521234567", None),  # Israel: one zone
        ("+12125551234", "America/Chicago"),  # a timezone column wins
        ("+12125551234", "Mars/Olympus"),  # not a zone: the number's
        ("+18005551234", None),  # toll-free: the country's zones
        ("+4407911123456", None),  # not canonical E.164
        ("+15555555555", None),  # not a number the library types
        (None, None),
        ("", "Asia/Jerusalem"),
    ],
)
def test_edge_cases_answer_as_recipient_zone(number: str | None, timezone: str | None) -> None:
    assert recipient_zones([(number, timezone)]) == [recipient_zone(number, timezone)]
