"""Do-not-call files in the shapes people keep them, the suppression list, opt-out values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from campaign.errors import InputError
from campaign.rules.dnc import (
    DncRejected,
    Suppression,
    SuppressionList,
    is_opt_out,
    load_dnc_file,
    normalize_dnc_numbers,
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_one_number_per_line_in_messy_formats(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dnc.txt",
        "+1 (212) 555-0100\n"
        "212.555.0101\n"
        "\n"
        "   2125550102   \n"
        "# added by Ann after the complaint\n"
        "tel:+12125550103\n"
        "0044 20 7946 0000\n"
        "call me maybe\n"
        "1-212-555-0100\n"
        "1.21255E+10\n"
        "\n",
    )
    result = load_dnc_file(path)
    assert result.numbers == {
        "+12125550100",
        "+12125550101",
        "+12125550102",
        "+12125550103",
        "+442079460000",
    }
    assert [(r.line, r.raw) for r in result.rejected] == [(8, "call me maybe"), (10, "1.21255E+10")]
    assert "scientific notation" in result.rejected[1].reason
    assert result.summary() == "5 numbers from dnc.txt (2 lines rejected)"


def test_single_column_with_a_header(tmp_path: Path) -> None:
    path = write(tmp_path, "dnc.csv", "Phone\n2125550100\n\n2125550101\n")
    result = load_dnc_file(path)
    assert result.numbers == {"+12125550100", "+12125550101"}
    assert result.rejected == []


def test_a_stray_word_on_the_first_line_is_reported_not_taken_for_a_header(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "dnc.txt", "hello\n2125550100\n")
    result = load_dnc_file(path)
    assert result.numbers == {"+12125550100"}
    assert result.rejected == [DncRejected(1, "hello", "not a phone number")]


def test_csv_with_a_phone_column_among_others(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export.csv",
        "# exported from the CRM, 2026-01-05\n"
        "Name,Mobile Number,Notes\n"
        'Ann,(212) 555-0100,"said ""stop"", twice"\n'
        "\n"
        "Bob,+1 212 555 0101,\n"
        "Cid,n/a,no phone\n"
        "Dee,212-555-0102,extra,cells,here\n",
    )
    result = load_dnc_file(path)
    assert result.numbers == {"+12125550100", "+12125550101", "+12125550102"}
    assert result.rejected == [DncRejected(6, "n/a", "not a phone number")]


def test_semicolon_csv_from_european_excel(tmp_path: Path) -> None:
    path = write(
        tmp_path, "liste.csv", "nom;téléphone;ville\nJosé;06 12 34 56 78;Paris\n", "latin-1"
    )
    # Latin-1 bytes and a French header: "téléphone" still reads as a phone column.
    assert load_dnc_file(path, region="FR").numbers == {"+33612345678"}


def test_csv_without_header_finds_the_phone_column(tmp_path: Path) -> None:
    path = write(tmp_path, "dnc.csv", "Ann,2125550100,NY\nBob,2125550101,NY\n")
    assert load_dnc_file(path).numbers == {"+12125550100", "+12125550101"}


def test_registry_area_code_pairs(tmp_path: Path) -> None:
    path = write(tmp_path, "201.txt", "201,2000000\n201,2000001\n")
    assert load_dnc_file(path).numbers == {"+12012000000", "+12012000001"}


def test_region_reads_national_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "uk.txt", "020 7946 0000\n07911 123456\n")
    assert load_dnc_file(path, region="GB").numbers == {"+442079460000", "+447911123456"}


def test_excel_sheet_with_a_phone_column(tmp_path: Path) -> None:
    path = tmp_path / "dnc.xlsx"
    frame = pd.DataFrame({"name": ["Ann", "Bob"], "phone": ["(212) 555-0100", "+12125550101"]})
    frame.to_excel(path, index=False)
    assert load_dnc_file(path).numbers == {"+12125550100", "+12125550101"}


def test_duplicates_collapse(tmp_path: Path) -> None:
    path = write(tmp_path, "dnc.txt", "2125550100\n+1 212 555 0100\n(212) 555-0100\n")
    assert load_dnc_file(path).numbers == {"+12125550100"}


def test_empty_file(tmp_path: Path) -> None:
    for text in ["", "\n\n", "# nothing yet\n"]:
        result = load_dnc_file(write(tmp_path, "empty.txt", text))
        assert result.numbers == set()
        assert result.rejected == []


def test_missing_file_says_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--dnc"):
        load_dnc_file(tmp_path / "nope.csv")


def test_csv_without_any_phone_column(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", "name,city\nAnn,Paris\nBob,Rome\n")
    with pytest.raises(InputError, match="name the column 'phone'"):
        load_dnc_file(path)


def test_normalize_numbers_given_on_the_command_line() -> None:
    result = normalize_dnc_numbers(enumerate(["(212) 555-0100", "", "nope"], start=1))
    assert result.numbers == {"+12125550100"}
    assert result.rejected == [DncRejected(3, "nope", "not a phone number")]


def test_suppression_list() -> None:
    suppressed = SuppressionList(["+12125550100"], reason="dnc.csv")
    assert suppressed.contains("+12125550100")
    assert not suppressed.contains("+12125550101")
    suppressed.add("+12125550101", reason="opt-out in call 42")
    suppressed.add("+12125550101", reason="dnc add")
    assert "+12125550101" in suppressed
    assert suppressed.reason("+12125550101") == "opt-out in call 42"  # the first reason stays
    assert suppressed.reason("+12125550100") == "dnc.csv"
    assert len(suppressed) == 2
    assert sorted(suppressed) == ["+12125550100", "+12125550101"]

    def blocked(source: Suppression, number: str) -> bool:
        return source.contains(number)

    assert blocked(suppressed, "+12125550100")


@pytest.mark.parametrize(
    "value", [True, "true", "True", " TRUE ", "yes", "Yes", "y", "Y", "1", 1, 1.0]
)
def test_opt_out_values(value: object) -> None:
    assert is_opt_out(value)


@pytest.mark.parametrize(
    "value",
    [False, None, "false", "no", "0", 0, 2, "", "maybe", "yes please", {"opt_out": True},
     ["yes"], float("nan")],
)  # fmt: skip
def test_not_opt_out_values(value: object) -> None:
    assert not is_opt_out(value)
