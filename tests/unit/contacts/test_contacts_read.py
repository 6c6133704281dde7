"""Reading: CSV dialects, encodings, Excel cells; everything as text, line numbers kept."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from campaign.contacts import ImportOptions, load_contacts
from campaign.contacts import phones as reasons
from campaign.contacts.cells import excel_cell_text
from campaign.contacts.read import sniff_delimiter
from campaign.errors import InputError

WriteFile = Callable[..., Path]

ROWS = [
    ["first_name", "last_name", "phone"],
    ["José", "Müller", "(212) 555-0143"],
    ["NA", "None", "+44 20 7946 0958"],
]


def _text(delimiter: str) -> str:
    return "".join(delimiter.join(row) + "\n" for row in ROWS)


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")],
)
def test_each_csv_dialect(write_file: WriteFile, delimiter: str, name: str) -> None:
    contacts = load_contacts(write_file("list.csv", _text(delimiter)))
    assert contacts.delimiter == name
    assert contacts.columns == ["first_name", "last_name", "phone"]
    assert contacts.frame["_e164"].tolist() == ["+12125550143", "+442079460958"]


def test_tsv_extension_means_tab(write_file: WriteFile) -> None:
    contacts = load_contacts(write_file("list.tsv", _text("\t")))
    assert contacts.delimiter == "tab"


def test_delimiter_sniffing_ignores_commas_inside_quotes() -> None:
    text = 'name;phone;note\n"Smith, John";2125550143;"a, b, c"\nAna;2125550144;x\n'
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter("phone\n2125550143\n") == ","


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (_text(",").encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + _text(",").encode("utf-8"), "utf-8-sig"),
        (_text(",").encode("utf-16"), "utf-16"),  # with BOM
        (_text(",").encode("utf-16-le"), "utf-16-le"),  # without BOM
        (_text(",").encode("utf-16-be"), "utf-16-be"),
        (_text(",").encode("cp1252"), "cp1252"),
        (b"\xef\xbb\xbf" + _text(",").encode("cp1252"), "cp1252"),  # old Excel: BOM + cp1252
    ],
)
def test_encodings_keep_accents(write_file: WriteFile, data: bytes, encoding: str) -> None:
    contacts = load_contacts(write_file("list.csv", data))
    assert contacts.encoding == encoding
    assert contacts.columns == ["first_name", "last_name", "phone"]  # no BOM in the header
    assert contacts.frame["first_name"].tolist() == ["José", "NA"]
    assert contacts.frame["last_name"].tolist() == ["Müller", "None"]


def test_na_and_none_stay_names(write_file: WriteFile) -> None:
    contacts = load_contacts(write_file("list.csv", _text(",")))
    row = list(contacts.rows())[1]
    assert row.raw == {"first_name": "NA", "last_name": "None", "phone": "+44 20 7946 0958"}
    assert row.vars == {"first_name": "NA", "last_name": "None"}


def test_line_numbers_follow_the_file(write_file: WriteFile) -> None:
    text = (
        "name,phone,note\n"  # line 1
        "\n"  # 2: blank, skipped
        'Ana,2125550143,"two\nlines"\n'  # 3-4
        "Bo,2125550144,\r\n"  # 5
        "\n"  # 6
        "Cy,2125550145,x\n"  # 7
    )
    contacts = load_contacts(write_file("list.csv", text))
    assert contacts.frame["_line"].tolist() == [3, 5, 7]
    assert contacts.frame["note"].tolist() == ["two\nlines", "", "x"]


def test_old_mac_line_endings(write_file: WriteFile) -> None:
    rows = "phone,name\r2125550143,Ana\r2125550144,Bo\r" + "2125550145,Cy\r" * 30_000
    contacts = load_contacts(write_file("list.csv", rows))
    assert contacts.frame["_line"].tolist()[:2] == [2, 3]
    assert contacts.counts.total == 30_002


def test_header_and_cells_are_trimmed_but_raw_cells_kept(write_file: WriteFile) -> None:
    contacts = load_contacts(write_file("list.csv", " First Name , phone \n  Ana  ,2125550143\n"))
    assert contacts.columns == ["First Name", "phone"]
    row = next(contacts.rows())
    assert row.raw["First Name"] == "  Ana  "
    assert row.vars == {"First Name": "Ana"}


def test_leading_zeros_and_plus_signs_survive(write_file: WriteFile) -> None:
    contacts = load_contacts(
        write_file("list.csv", "phone,zip\n+442079460958,02134\n"), ImportOptions()
    )
    assert contacts.frame["phone"].tolist() == ["+442079460958"]
    assert contacts.frame["zip"].tolist() == ["02134"]


def _workbook(rows: list[list[object]], title: str = "Contacts") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    other = book.create_sheet("Other")
    other.append(["phone"])
    other.append(["+44 20 7946 0958"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_numeric_phone_cells_become_digit_strings(write_file: WriteFile) -> None:
    data = _workbook(
        [
            ["first_name", "phone", "appointment_date"],
            ["Ana", 12125550143.0, dt.datetime(2025, 7, 8, 9, 30)],
            ["Bo", 12125550144, dt.datetime(2025, 7, 8)],
            ["Cy", 15551234567.0, None],
            ["Di", "1.55512E+10", "soon"],
        ]
    )
    contacts = load_contacts(write_file("list.xlsx", data))
    frame = contacts.frame
    assert frame["phone"].tolist() == ["12125550143", "12125550144", "15551234567", "1.55512E+10"]
    assert frame["_e164"].tolist()[:2] == ["+12125550143", "+12125550144"]
    assert frame["_reason"].tolist()[3] == reasons.SCIENTIFIC
    assert frame["appointment_date"].tolist() == ["2025-07-08 09:30", "2025-07-08", "", "soon"]
    assert frame["_line"].tolist() == [2, 3, 4, 5]  # Excel row numbers
    assert contacts.sheet == "Contacts"


def test_excel_sheet_by_name_or_position(write_file: WriteFile) -> None:
    path = write_file("list.xlsx", _workbook([["phone"], ["2125550143"]]))
    assert load_contacts(path, ImportOptions(sheet="other")).sheet == "Other"
    assert load_contacts(path, ImportOptions(sheet="2")).frame["_region"].tolist() == ["GB"]
    with pytest.raises(InputError, match="no sheet 'Nope': use --sheet with one of 'Contacts'"):
        load_contacts(path, ImportOptions(sheet="Nope"))


def test_excel_rows_keep_their_row_numbers_below_a_title(write_file: WriteFile) -> None:
    data = _workbook([[None], ["phone", "name"], ["2125550143", "Ana"], [None], ["2125550144"]])
    contacts = load_contacts(write_file("list.xlsx", data))
    assert contacts.frame["_line"].tolist() == [3, 5]


def test_bytes_and_file_objects_are_accepted(tmp_path: Path) -> None:
    data = _text(",").encode("utf-8")
    assert len(load_contacts(data, filename="upload.csv")) == 2
    assert load_contacts(io.BytesIO(data), filename="upload.csv").source_name == "upload.csv"
    xlsx = _workbook([["phone"], ["2125550143"]])
    assert load_contacts(xlsx, filename="upload.xlsx").sheet == "Contacts"
    # The kind comes from the content: a workbook renamed .csv is still read as one.
    assert load_contacts(xlsx, filename="renamed.csv").sheet == "Contacts"


def test_excel_cell_text() -> None:
    assert excel_cell_text(None) == ""
    assert excel_cell_text(float("nan")) == ""
    assert excel_cell_text(15551234567.0) == "15551234567"
    assert excel_cell_text(15551234567) == "15551234567"
    assert excel_cell_text(0.5) == "0.5"
    assert excel_cell_text(True) == "TRUE"
    assert excel_cell_text(dt.date(2025, 1, 2)) == "2025-01-02"
    assert excel_cell_text(dt.datetime(2025, 1, 2, 3, 4, 5)) == "2025-01-02 03:04:05"
    assert excel_cell_text("NA") == "NA"
