"""Finding a person's name among the columns of any spreadsheet."""

from __future__ import annotations

import pytest

from campaign.web.lookup import display_name, name_columns


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["first_name", "last_name", "phone", "clinic_name"], ("first_name", "last_name")),
        (["Last Name", "First Name", "Phone"], ("First Name", "Last Name")),
        (["Name", "Phone", "City"], ("Name",)),
        (["Patient", "Phone"], ()),
        (["Kunde Name", "Telefon"], ("Kunde Name",)),
        (["שם", "טלפון"], ("שם",)),
        (["phone", "name"], ("name",)),
    ],
)
def test_name_columns(columns: list[str], expected: tuple[str, ...]) -> None:
    assert name_columns(columns, "phone" if "phone" in columns else None) == expected


def test_the_phone_column_is_never_a_name() -> None:
    assert name_columns(["name"], "name") == ()


def test_display_name() -> None:
    raw = {"first_name": " Ana ", "last_name": None, "phone": "1"}
    assert display_name(raw, ("first_name", "last_name")) == "Ana"
    assert display_name(None, ("first_name",)) == ""
    assert display_name({"Name": 42}, ("Name",)) == "42"
