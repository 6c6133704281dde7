"""A contact's time zones: the row's timezone column, else the number, else the country."""

from __future__ import annotations

import pytest

from campaign.rules.zones import (
    canonical_timezone,
    contact_timezones,
    country_timezones,
    number_timezones,
    resolve_contact_zones,
    timezone_warning,
)


@pytest.mark.parametrize(
    ("number", "zones"),
    [
        ("+12125551234", ["America/New_York"]),
        ("+18085551234", ["Pacific/Honolulu"]),
        ("+19075551234", ["America/Adak", "America/Anchorage"]),
        ("+33612345678", ["Europe/Paris"]),
        ("+5511987654321", ["America/Sao_Paulo"]),
    ],
)
def test_number_timezones(number: str, zones: list[str]) -> None:
    assert number_timezones(number) == zones


def test_numbers_spanning_several_zones() -> None:
    assert len(number_timezones("+18005551234")) > 10  # US toll-free: the whole of NANP
    assert len(number_timezones("+61412345678")) > 3  # Australian mobile
    assert len(number_timezones("+79161234567")) > 5  # Russian mobile


@pytest.mark.parametrize("number", ["+15551234567", "+80012345678", "junk", ""])
def test_unknown_numbers_have_no_zone(number: str) -> None:
    assert number_timezones(number) == []


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("America/New_York", "America/New_York"),
        ("  america/new york ", "America/New_York"),
        ("europe/LONDON", "Europe/London"),
        ("UTC", "UTC"),
        ("Eastern", None),
        ("Mars/Olympus", None),
        ("", None),
        ("+02:00", None),
    ],
)
def test_canonical_timezone(value: str, name: str | None) -> None:
    assert canonical_timezone(value) == name


def test_column_wins() -> None:
    resolved = resolve_contact_zones("+12125551234", "Asia/Tokyo")
    assert resolved.zones == ("Asia/Tokyo",)
    assert resolved.source == "column"
    assert resolved.warning is None
    assert contact_timezones("+12125551234", "Asia/Tokyo") == ["Asia/Tokyo"]


@pytest.mark.parametrize("value", [None, "", "   ", float("nan")])
def test_blank_column_uses_the_number_silently(value: object) -> None:
    resolved = resolve_contact_zones("+12125551234", value)  # type: ignore[arg-type]
    assert resolved.zones == ("America/New_York",)
    assert resolved.source == "number"
    assert resolved.warning is None


def test_invalid_column_falls_back_to_the_number_and_says_so() -> None:
    assert contact_timezones("+12125551234", "EST5EDT-ish") == ["America/New_York"]
    warning = timezone_warning("+12125551234", "EST5EDT-ish")
    assert warning is not None
    assert "'EST5EDT-ish'" in warning and "IANA" in warning and "America/New_York" in warning


def test_unknown_range_uses_every_zone_of_the_country_code() -> None:
    resolved = resolve_contact_zones("+15551234567", None)
    assert resolved.source == "country"
    assert set(resolved.zones) == set(country_timezones("+15551234567"))
    assert {"America/New_York", "Pacific/Honolulu"} <= set(resolved.zones)
    assert resolved.warning is not None and "timezone column" in resolved.warning


def test_no_zone_at_all() -> None:
    resolved = resolve_contact_zones("+80012345678", "nonsense")
    assert resolved.zones == ()
    assert resolved.source == "none"
    assert resolved.warning is not None
    assert "'nonsense'" in resolved.warning and "--window any" in resolved.warning
