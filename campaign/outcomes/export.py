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
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from campaign.errors import InputError
from campaign.outcomes.columns import parse_only
from campaign.outcomes.csv_parts import write_results_csv
from campaign.outcomes.files import atomic_path
from campaign.outcomes.source import DatabaseLike, reading
from campaign.outcomes.stream import ResultsStream, can_stream, stream_results
from campaign.outcomes.xlsx import check_cell, write_xlsx_rows
from campaign.store.queries import find_campaign

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported where a DataFrame is made or written: the streamed results export
# (every `export` of a campaign's results) starts without it.

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


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
    `excel_csv` starts a CSV with the BOM Excel needs to read UTF-8 (the default).

    The results table is streamed from one SQL query a chunk at a time
    (`campaign.outcomes.stream`), a big one's CSV in parts over the machine's cores
    (`campaign.outcomes.csv_parts`); the calls table, and campaigns stored before the original
    headers were, go through the DataFrames of `campaign.outcomes.results`."""
    if path is not None:
        export_format(path)  # fail before reading anything
    wanted = parse_only(only)
    with reading(db) as database:
        with database.read_session() as session, session.begin():
            campaign = find_campaign(session, name)
            if not attempts and can_stream(campaign):
                target = _target(path, campaign.name, attempts=False)
                if export_format(target) == "csv":
                    written, columns = write_results_csv(
                        database, session, campaign, target, only=wanted, excel=excel_csv
                    )
                else:
                    stream = stream_results(session, campaign, only=wanted, local_as_text=False)
                    written = _write_xlsx_stream(stream, target)
                    columns = len(stream.headers)
                return ExportResult(
                    path=target,
                    format=export_format(target),
                    rows=written,
                    columns=columns,
                    campaign=campaign.name,
                )
        from campaign.outcomes.frames import read_campaign_rows
        from campaign.outcomes.results import attempts_frame, results_frame

        rows = read_campaign_rows(database, name, transcripts=attempts)
    frame = attempts_frame(rows, only=only) if attempts else results_frame(rows, only=only)
    target = _target(path, rows.campaign.name, attempts=attempts)
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


def _target(path: str | os.PathLike[str] | None, name: str, *, attempts: bool) -> Path:
    return Path(path) if path is not None else default_export_path(name, attempts=attempts)


def _write_xlsx_stream(stream: ResultsStream, target: Path) -> int:
    return write_xlsx_rows(
        stream.headers, stream.chunks, target, sheet="Results", date_columns=stream.date_columns
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
    """A DataFrame as an .xlsx (see `campaign.outcomes.xlsx`): UTC instants as text, local
    times as date cells."""
    import pandas as pd

    dates = [
        str(column)
        for column in frame.columns
        if pd.api.types.is_datetime64_dtype(frame[column].dtype)
    ]
    table = _text_times(frame, local_as_text=False)
    headers = [str(column) for column in table.columns]
    write_xlsx_rows(headers, [_frame_rows(table, headers)], target, sheet=sheet, date_columns=dates)


def _frame_rows(table: pd.DataFrame, headers: list[str]) -> list[list[Any]]:
    """A DataFrame's values as the Python values workbook cells are written from (a value
    of another type is refused with its column named)."""
    import numpy as np
    import pandas as pd

    def cell(value: Any) -> Any:
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, float | np.floating):
            return None if math.isnan(value) else float(value)
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
        return value

    return [
        [check_cell(cell(value), column) for value, column in zip(values, headers, strict=True)]
        for values in table.itertuples(index=False, name=None)
    ]


def _text_times(frame: pd.DataFrame, *, local_as_text: bool) -> pd.DataFrame:
    """UTC instants as ISO 8601 text with offset (`2026-01-05T15:07:03+00:00`); local times
    (zone-less) as `2026-01-05 17:07:03` text, or as datetimes for date cells."""
    import pandas as pd

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
