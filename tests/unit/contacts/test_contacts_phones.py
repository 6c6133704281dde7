"""normalize_phone: the formats people write, and a reason for everything else."""

from __future__ import annotations

import pytest

from campaign.contacts import PhoneResult, normalize_phone, resolve_region, time_zones_for_e164
from campaign.contacts import phones as reasons
from campaign.contacts.regions import require_region
from campaign.errors import InputError


@pytest.mark.parametrize(
    "raw",
    [
        "(212) 555-0143",
        "212-555-0143",
        "212.555.0143",
        "2125550143",
        "1-212-555-0143",
        "+1 212 555 0143",
        "+1 (212) 555-0143",
        "  212 555 0143  ",
        "212\u00a0555\u00a00143",  # non-breaking spaces from a web page
        "\u200e+1 212 555 0143\u200f",  # direction marks pasted from a CRM
        "tel:+1-212-555-0143",
        "TEL:+12125550143",
        "１２１２５５５０１４３",  # full-width digits
        "٢١٢٥٥٥٠١٤٣",  # Arabic-Indic digits
        "12125550143.0",  # a numeric spreadsheet cell exported as float
        "011 1 212 555 0143",  # US international prefix
    ],
)
def test_us_formats_normalize_to_the_same_e164(raw: str) -> None:
    assert normalize_phone(raw, "US") == PhoneResult("+12125550143", None, None, "US")


@pytest.mark.parametrize(
    ("raw", "e164", "region"),
    [
        ("+44 20 7946 0958", "+442079460958", "GB"),
        ("0044 20 7946 0958", "+442079460958", "GB"),
        ("0044 (0)161 496 0152", "+441614960152", "GB"),
        ("+49 30 12345678", "+493012345678", "DE"),
        ("0033 1 23 45 67 89", "+33123456789", "FR"),
    ],
)
def test_international_numbers_keep_their_country(raw: str, e164: str, region: str) -> None:
    result = normalize_phone(raw, "US")
    assert (result.e164, result.region_code, result.reason) == (e164, region, None)


def test_national_numbers_use_the_given_region() -> None:
    assert normalize_phone("020 7946 0958", "GB").e164 == "+442079460958"
    assert normalize_phone("020 7946 0958", "gb").e164 == "+442079460958"
    assert normalize_phone("030 12345678", "DE").e164 == "+493012345678"
    assert normalize_phone("020 7946 0958", "US").e164 is None


def test_extension_is_dropped_with_a_warning() -> None:
    for raw in ("212-555-0143 x123", "(212) 555-0143 ext. 123", "212 555 0143 ext 9"):
        result = normalize_phone(raw)
        assert result.e164 == "+12125550143"
        assert result.warning == reasons.EXTENSION_DROPPED
        assert result.reason is None


@pytest.mark.parametrize("raw", ["1.55512E+10", "4.41E+11", "1,55512E+10", "1.5551234567e10"])
def test_scientific_notation_is_rejected_with_the_fix(raw: str) -> None:
    result = normalize_phone(raw)
    assert result.e164 is None
    assert result.reason == reasons.SCIENTIFIC
    assert "format the phone column as Text" in result.reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", reasons.EMPTY),
        ("   ", reasons.EMPTY),
        (None, reasons.EMPTY),
        ("\u00a0", reasons.EMPTY),
        ("call me", reasons.NOT_A_NUMBER),
        ("n/a", reasons.NOT_A_NUMBER),
        ("12", reasons.TOO_SHORT),
        ("12345", reasons.TOO_SHORT),
        ("1234567890123456789", reasons.TOO_LONG),
        ("+999 123 456", reasons.BAD_COUNTRY),
        ("(555) 123-4567", reasons.INVALID),
        ("555-0199", reasons.LOCAL_ONLY),
    ],
)
def test_rejections_have_a_reason(raw: str | None, reason: str) -> None:
    result = normalize_phone(raw)
    assert (result.e164, result.reason, result.ok) == (None, reason, False)


def test_no_region_needs_a_country_code() -> None:
    assert normalize_phone("212 555 0143", None).reason == reasons.NO_COUNTRY
    assert normalize_phone("+1 212 555 0143", None).e164 == "+12125550143"


def test_digits_without_plus_are_read_as_international_when_national_fails() -> None:
    # An Excel number cell cannot keep the "+" of +44 20 7946 0958.
    result = normalize_phone("442079460958", "US")
    assert (result.e164, result.region_code, result.warning) == (
        "+442079460958",
        "GB",
        reasons.NO_PLUS,
    )
    # A valid national number is never reinterpreted.
    assert normalize_phone("2125550143", "US").warning is None
    # A national trunk prefix is never read as a country code.
    assert normalize_phone("02079460958", "US").e164 is None


def test_regions_are_read_leniently() -> None:
    assert resolve_region("us") == "US"
    assert resolve_region(" UK ") == "GB"
    assert resolve_region("United Kingdom") == "GB"
    assert resolve_region("Germany") == "DE"
    assert resolve_region("+44") == "GB"
    assert resolve_region("1") == "US"
    assert resolve_region("Narnia") is None
    assert resolve_region("") is None
    assert require_region("uk") == "GB"
    with pytest.raises(InputError, match="two-letter country code"):
        require_region("XX")


def test_time_zones_come_from_the_number() -> None:
    assert time_zones_for_e164("+12125550143") == ("America/New_York",)
    assert time_zones_for_e164("+442079460958") == ("Europe/London",)
    assert time_zones_for_e164("not a number") == ()
