"""CSV and XLSX files: text stays text, formulas never run, files are whole."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from campaign.errors import InputError
from campaign.outcomes.export import default_export_path, export, write_csv, write_xlsx
from campaign.outcomes.frames import CampaignRows
from campaign.outcomes.results import results_frame
from campaign.store.db import Database
from tests.outcomes_factory import FORMULA_SUMMARY, HEBREW_LINE, StoredCampaign


def test_csv_is_utf8_without_bom_on_request_and_reads_back_the_same(
    db: Database, finished: StoredCampaign, rows: CampaignRows, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    result = export(db, finished.name, target, excel_csv=False)
    assert (result.rows, result.format) == (8, "csv")
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(target, dtype=str, keep_default_na=False)
    expected = results_frame(rows)
    assert back.columns.tolist() == expected.columns.tolist()
    assert back["Phone"].tolist() == expected["Phone"].tolist()
    assert back["call_id"].tolist() == expected["call_id"].fillna("").tolist()
    assert back.loc[0, "started_at"] == "2026-01-05T15:07:03+00:00"
    assert back.loc[0, "summary"] == FORMULA_SUMMARY
    assert back.loc[3, "duplicate_of"] == "2"
    assert "תל אביב" in back["City"].tolist()


def test_csv_starts_with_a_bom_by_default_so_excel_shows_hebrew(
    db: Database, finished: StoredCampaign, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    export(db, finished.name, target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfName,Phone")
    assert "תל אביב".encode() in raw  # UTF-8 behind the BOM: what Excel reads as UTF-8


def test_xlsx_keeps_numbers_and_ids_as_text_and_never_writes_a_formula(
    db: Database, finished: StoredCampaign, tmp_path: Path
) -> None:
    target = tmp_path / "results.xlsx"
    result = export(db, finished.name, target)
    assert result.format == "xlsx"
    sheet = load_workbook(target)["Results"]
    header = [cell.value for cell in sheet[1]]
    column = {name: index + 1 for index, name in enumerate(header)}
    duplicate = sheet.cell(row=5, column=column["to_number"])
    assert duplicate.value == "+15551234567" and duplicate.data_type == "s"
    assert sheet.cell(row=5, column=column["Phone"]).value == "+15551234567"
    summary = sheet.cell(row=2, column=column["summary"])
    assert summary.value == FORMULA_SUMMARY
    assert summary.data_type == "s"
    assert summary.quotePrefix
    call_id = sheet.cell(row=2, column=column["call_id"])
    assert call_id.data_type == "s" and str(call_id.value).startswith("c0ffee01-")
    assert sheet.cell(row=2, column=column["attempts"]).value == 1  # counts stay numbers
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}9"
    assert sheet.column_dimensions["A"].width >= 8
    assert sheet.column_dimensions[get_column_letter(column["summary"])].width > 30
    assert sheet.cell(row=1, column=1).font.bold


def test_xlsx_strips_control_characters_and_truncates_giant_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["bell\x07 here", "x" * 40_000], "b": ["@mention", "-5"]})
    write_xlsx(frame, tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None
    assert sheet["A2"].value == "bell here"
    assert len(sheet["A3"].value) == 32_767 and sheet["A3"].value.endswith("[truncated]")
    assert sheet["B2"].value == "@mention" and sheet["B3"].value == "-5"
    assert sheet["B3"].data_type == "s" and sheet["B3"].quotePrefix


def test_attempts_export_holds_the_hebrew_transcript(
    db: Database, finished: StoredCampaign, tmp_path: Path
) -> None:
    target = tmp_path / "calls.xlsx"
    result = export(db, finished.name, target, attempts=True)
    assert result.rows == len(finished.calls)
    sheet = load_workbook(target)["Calls"]
    texts = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert any(HEBREW_LINE in text for text in texts)


def test_csv_to_a_stream(rows: CampaignRows) -> None:
    stream = io.StringIO()
    write_csv(results_frame(rows, only=["invalid"]), stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith("Bob,12345,Boston")


def test_default_path_and_format_errors(
    db: Database, finished: StoredCampaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert default_export_path("spring/recall 2") == Path("spring-recall-2-results.csv")
    assert default_export_path("x", attempts=True) == Path("x-calls.csv")
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    result = export(db, finished.name)
    assert result.path == Path("spring-recall-results.csv") and result.path.is_file()
    with pytest.raises(InputError, match=r"must end in \.csv or \.xlsx"):
        export(db, finished.name, "results.txt")
    with pytest.raises(InputError, match="does not exist"):
        export(db, finished.name, out / "missing" / "r.csv")
    assert sorted(p.name for p in out.iterdir()) == ["spring-recall-results.csv"]


def test_a_failed_write_leaves_no_partial_file(rows: CampaignRows, tmp_path: Path) -> None:
    frame = results_frame(rows)
    frame["bad"] = pd.Series([object()] * len(frame), dtype=object)  # openpyxl cannot store it
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValueError):
        write_xlsx(frame, out / "r.xlsx")
    assert list(out.iterdir()) == []


def test_local_times_are_the_recipients_and_read_as_dates(
    db: Database, finished: StoredCampaign, tmp_path: Path
) -> None:
    """The UTC columns stay; each call time also comes in the recipient's local time, as a
    date cell in XLSX and as `YYYY-MM-DD HH:MM:SS` (which Excel parses) in CSV."""
    export(db, finished.name, tmp_path / "results.csv")
    export(db, finished.name, tmp_path / "results.xlsx")
    export(db, finished.name, tmp_path / "calls.xlsx", attempts=True)
    back = pd.read_csv(tmp_path / "results.csv", dtype=str, keep_default_na=False).set_index("Name")
    # Alice: America/Chicago (UTC-6 in January); דוד: Asia/Jerusalem (UTC+2).
    assert back.loc["Alice", "started_at"] == "2026-01-05T15:07:03+00:00"
    assert back.loc["Alice", ["local_timezone", "started_at_local"]].tolist() == [
        "America/Chicago",
        "2026-01-05 09:07:03",
    ]
    assert back.loc["דוד", ["local_timezone", "started_at_local"]].tolist() == [
        "Asia/Jerusalem",
        "2026-01-05 17:49:03",
    ]
    assert back.loc["Alice again", "started_at_local"] == "2026-01-05 09:07:03"  # the same call
    assert back.loc["Bob", "started_at_local"] == ""  # never called
    for name, sheet_name, column in (
        ("results.xlsx", "Results", "started_at_local"),
        ("calls.xlsx", "Calls", "requested_at_local"),
    ):
        sheet = load_workbook(tmp_path / name)[sheet_name]
        header = [cell.value for cell in sheet[1]]
        cell = sheet.cell(row=2, column=header.index(column) + 1)
        assert cell.data_type == "d" and cell.is_date, (name, cell.value)
        assert cell.number_format == "yyyy-mm-dd hh:mm:ss"
        utc = sheet.cell(row=2, column=header.index(column.removesuffix("_local")) + 1)
        assert utc.data_type == "s" and str(utc.value).endswith("+00:00")
    results = load_workbook(tmp_path / "results.xlsx")["Results"]
    header = [cell.value for cell in results[1]]
    alice = results.cell(row=2, column=header.index("started_at_local") + 1).value
    assert alice.isoformat() == "2026-01-05T09:07:03"


@pytest.mark.parametrize(
    ("frame", "rtl"),
    [
        (pd.DataFrame({"שם": ["Dana"], "phone": ["+972527654321"]}), True),  # Hebrew header
        (pd.DataFrame({"name": ["יוסי כהן", "דנה לוי", "Bob"], "n": [1, 2, 3]}), True),
        (pd.DataFrame({"name": ["Olivia", "Bob", "יוסי"], "n": [1, 2, 3]}), False),
        (pd.DataFrame({"name": ["سارة", "محمد"]}), True),  # Arabic reads right-to-left too
        (pd.DataFrame({"phone": ["+972527654321"]}), False),  # digits are no direction
    ],
)
def test_xlsx_sheets_are_right_to_left_when_the_content_is_hebrew(
    tmp_path: Path, frame: pd.DataFrame, rtl: bool
) -> None:
    target = tmp_path / "t.xlsx"
    write_xlsx(frame, target)
    assert bool(load_workbook(target).active.sheet_view.rightToLeft) is rtl
