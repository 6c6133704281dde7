"""Which column is the phone number (option, header, content), and clean unique headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from campaign.contacts import ImportOptions, load_contacts
from campaign.contacts.columns import header_key
from campaign.errors import InputError

WriteFile = Callable[..., Path]


@pytest.mark.parametrize(
    "header",
    ["phone", "Phone Number", "MOBILE", "Cell", "to_number", "Tel.", "Telephone", "WhatsApp",
     "Mobile Phone #", "Téléphone", "number", "home_phone"],
)  # fmt: skip
def test_phone_column_found_by_header(write_file: WriteFile, header: str) -> None:
    text = f"name,{header},notes\nAna,2125550143,hello\n"
    contacts = load_contacts(write_file("list.csv", text))
    assert (contacts.phone_column, contacts.phone_column_found_by) == (header, "header")


def test_phone_column_found_by_content(write_file: WriteFile) -> None:
    text = "name,contact,notes\nAna,(212) 555-0143,hi\nBo,212.555.0144,\nCy,bad,x\n"
    contacts = load_contacts(write_file("list.csv", text))
    assert (contacts.phone_column, contacts.phone_column_found_by) == ("contact", "content")
    assert contacts.counts.as_dict() == {"total": 3, "valid": 2, "invalid": 1, "duplicate": 0}


def test_phone_column_option_matches_loosely(write_file: WriteFile) -> None:
    path = write_file("list.csv", "Name,Work Phone,Home Phone\nAna,2125550143,2125550199\n")
    contacts = load_contacts(path, ImportOptions(phone_column="home_phone"))
    assert (contacts.phone_column, contacts.phone_column_found_by) == ("Home Phone", "option")
    assert contacts.frame["_e164"].tolist() == ["+12125550199"]
    assert contacts.var_mapping == {"Name": "Name", "Work Phone": "Work Phone"}


def test_unknown_phone_column_option_lists_the_columns(write_file: WriteFile) -> None:
    path = write_file("list.csv", "name,phone\nAna,2125550143\n")
    with pytest.raises(InputError) as info:
        load_contacts(path, ImportOptions(phone_column="mobile"))
    assert info.value.message == (
        "--phone-column 'mobile' is not a column of list.csv: use one of 'name', 'phone'"
    )


def test_two_phone_headers_with_numbers_are_ambiguous(write_file: WriteFile) -> None:
    path = write_file("list.csv", "name,mobile,home_phone\nAna,2125550143,2125550144\n")
    with pytest.raises(InputError) as info:
        load_contacts(path)
    assert "('mobile', 'home_phone')" in info.value.message
    assert "--phone-column NAME" in info.value.message


def test_a_phone_header_without_numbers_does_not_make_ambiguity(write_file: WriteFile) -> None:
    path = write_file("list.csv", "phone,phone_type\n2125550143,mobile\n2125550144,home\n")
    assert load_contacts(path).phone_column == "phone"


def test_two_columns_of_numbers_without_phone_headers_are_ambiguous(
    write_file: WriteFile,
) -> None:
    path = write_file("list.csv", "a,b\n2125550143,2125550144\n")
    with pytest.raises(InputError, match=r"could be the phone number \('a', 'b'\)"):
        load_contacts(path)


def test_no_phone_column(write_file: WriteFile) -> None:
    path = write_file("list.csv", "name,city\nAna,Paris\n")
    with pytest.raises(InputError, match=r"no phone column in list\.csv .*--phone-column NAME"):
        load_contacts(path)


def test_from_number_column_is_not_taken_for_the_phone(write_file: WriteFile) -> None:
    path = write_file("list.csv", "from_number,contact\n+12125550100,2125550143\n")
    contacts = load_contacts(path)
    assert (contacts.phone_column, contacts.from_column) == ("contact", "from_number")
    assert contacts.var_mapping == {}


def test_duplicate_and_empty_headers_get_unique_names(write_file: WriteFile) -> None:
    text = "phone,email,email,,_line,\n2125550143,a@x.org,b@x.org,kept,7,\n"
    contacts = load_contacts(write_file("list.csv", text))
    # The trailing unnamed, empty column is dropped; the unnamed one with data is kept.
    assert contacts.columns == ["phone", "email", "email_2", "column_4", "_line_2"]
    assert next(contacts.rows()).raw["email_2"] == "b@x.org"
    assert next(contacts.rows()).line == 2
    assert len(contacts.warnings) == 3
    assert any("'email' appears twice" in w for w in contacts.warnings)
    assert any("column 4 has no header" in w for w in contacts.warnings)
    assert any("'_line' is a reserved name" in w for w in contacts.warnings)


def test_a_list_without_header_is_read_as_data(write_file: WriteFile) -> None:
    contacts = load_contacts(write_file("list.txt", "2125550143\n+44 20 7946 0958\n"))
    assert contacts.columns == ["column_1"]
    assert contacts.frame["_line"].tolist() == [1, 2]
    assert contacts.counts.valid == 2
    assert "no header row" in contacts.warnings[0]


def test_header_key_ignores_case_space_punctuation_and_accents() -> None:
    assert header_key("Mobile Phone #") == "mobilephone"
    assert header_key("Téléphone") == "telephone"
    assert header_key("to_number") == header_key("To Number")
