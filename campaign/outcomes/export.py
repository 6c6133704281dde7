"""Writing the results table to CSV or Excel, ready for people who live in spreadsheets.

CSV is UTF-8 with a byte-order mark by default, so Excel (the reader most users have) shows
Hebrew and accents intact; `excel_csv=False` (`--no-bom`) for tools that mind. XLSX keeps
every phone number,
id and original cell as text, never writes a formula (a caller's words that begin with `=`
stay words), and opens with a filterable, frozen header and readable column widths. UTC
instants are ISO 8601 with their offset in both; the recipient's local times (`*_local`)
are real date cells in XLSX and `2026-01-05 17:07:03` in CSV, which Excel reads as a date.
Files are written whole or not at all.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from campaign.errors import InputError
from campaign.outcomes.direction import is_rtl_table
from campaign.outcomes.files import atomic_path
from campaign.outcomes.frames import read_campaign_rows
from campaign.outcomes.results import attempts_frame, results_frame
from campaign.outcomes.source import DatabaseLike, reading

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
#: Excel reads a cell beginning with one of these as a formula when it is typed or edited.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_CELL_LIMIT = 32_767
_TRUNCATED = " …[truncated]"
_WIDTH_SAMPLE = 500
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="305496")
_DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    rows: int
    columns: int
    campaign: str


def default_export_path(campaign_name: str, *, attempts: bool = False) -> Path:
    """`<campaign-name>-results.csv` (or `-calls.csv`), safe as a file name."""
    stem = re.sub(r"[^\w.-]+", "-", campaign_name).strip("-.") or "campaign"
    return Path(f"{stem}-{'calls' if attempts else 'results'}.csv")


def export_format(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"cannot export to {Path(path).name}: the file name must end in .csv or .xlsx"
        )
    return FORMATS[suffix]


def export(
    db: DatabaseLike,
    name: str | None = None,
    path: str | os.PathLike[str] | None = None,
    *,
    attempts: bool = False,
    only: Iterable[str] | None = None,
    excel_csv: bool = True,
) -> ExportResult:
    """Write campaign `name` (default: the newest) to `path` (.csv or .xlsx by suffix);
    `excel_csv` starts a CSV with the BOM Excel needs to read UTF-8 (the default)."""
    if path is not None:
        export_format(path)  # fail before reading anything
    with reading(db) as database:
        rows = read_campaign_rows(database, name, transcripts=attempts)
    frame = attempts_frame(rows, only=only) if attempts else results_frame(rows, only=only)
    target = (
        Path(path)
        if path is not None
        else default_export_path(rows.campaign.name, attempts=attempts)
    )
    fmt = export_format(target)
    if fmt == "xlsx":
        write_xlsx(frame, target, sheet="Calls" if attempts else "Results")
    else:
        write_csv(frame, target, excel=excel_csv)
    return ExportResult(
        path=target,
        format=fmt,
        rows=len(frame),
        columns=len(frame.columns),
        campaign=rows.campaign.name,
    )


def write_csv(
    frame: pd.DataFrame, target: str | os.PathLike[str] | IO[str], *, excel: bool = False
) -> None:
    """UTF-8 CSV; `excel` adds the byte-order mark Excel needs to read UTF-8."""
    table = _text_times(frame, local_as_text=True)
    if not isinstance(target, str | os.PathLike):
        table.to_csv(target, index=False, lineterminator="\n")
        return
    with atomic_path(Path(target)) as temporary:
        table.to_csv(
            temporary, index=False, encoding="utf-8-sig" if excel else "utf-8", lineterminator="\n"
        )


def write_xlsx(
    frame: pd.DataFrame, target: str | os.PathLike[str], *, sheet: str = "Results"
) -> None:
    """An .xlsx with text cells for text, date cells for local times, a filterable frozen
    header and sized columns; right-to-left when the content is Hebrew (or Arabic)."""
    table = _text_times(frame, local_as_text=False)
    workbook = Workbook(write_only=True)
    # Any: the stubs of the write-only sheet lack column_dimensions and auto_filter.
    worksheet: Any = workbook.create_sheet(sheet)
    if is_rtl_table(frame):
        worksheet.sheet_view.rightToLeft = True
    headers = [str(column) for column in table.columns]
    for index, width in enumerate(_column_widths(table, headers), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    worksheet.append([_header_cell(worksheet, header) for header in headers])
    for values in table.itertuples(index=False, name=None):
        worksheet.append([_cell(worksheet, value) for value in values])
    last = f"{get_column_letter(max(1, len(headers)))}{len(table) + 1}"
    worksheet.auto_filter.ref = f"A1:{last}"
    with atomic_path(Path(target)) as temporary:
        workbook.save(temporary)


def _header_cell(worksheet: WriteOnlyWorksheet, header: str) -> Cell:
    cell = _text_cell(worksheet, header)
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(vertical="center")
    return cell


def _cell(worksheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A plain value, or a styled text cell for text Excel would read as a formula."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = _DATE_FORMAT
        return cell
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) > _EXCEL_CELL_LIMIT:
        text = text[: _EXCEL_CELL_LIMIT - len(_TRUNCATED)] + _TRUNCATED
    if not text.startswith(_FORMULA_START):
        return text
    return _text_cell(worksheet, text)


def _text_cell(worksheet: WriteOnlyWorksheet, text: str) -> Cell:
    cell = WriteOnlyCell(worksheet, value=text)
    if text.startswith(_FORMULA_START):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def _text_times(frame: pd.DataFrame, *, local_as_text: bool) -> pd.DataFrame:
    """UTC instants as ISO 8601 text with offset (`2026-01-05T15:07:03+00:00`); local times
    (zone-less) as `2026-01-05 17:07:03` text, or as datetimes for date cells."""
    table = frame.copy()
    for column in table.columns:
        series = table[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            text = series.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
            table[column] = text.astype(object).where(series.notna(), None)
        elif pd.api.types.is_datetime64_dtype(series.dtype):
            if local_as_text:
                values = series.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)
            else:
                values = pd.Series(
                    series.dt.floor("s").dt.to_pydatetime(), index=series.index, dtype=object
                )
            table[column] = values.where(series.notna(), None)
    return table


def _column_widths(table: pd.DataFrame, headers: list[str]) -> list[float]:
    sample = table.head(_WIDTH_SAMPLE)
    widths = []
    for position, header in enumerate(headers):
        longest = max(
            (len(str(value)) for value in sample.iloc[:, position] if _present(value)),
            default=0,
        )
        widths.append(float(min(60, max(8, len(header) + 4, longest + 2))))
    return widths


def _present(value: Any) -> bool:
    return not (value is None or (not isinstance(value, list | dict) and pd.isna(value)))
