"""Writing a table to .xlsx: text cells for text, date cells for local times, a filterable
frozen header and sized columns; right-to-left when the content is Hebrew (or Arabic).

Written by XlsxWriter in constant-memory mode: each row goes to the file as it is made, so a
1,000,000-row campaign is written at flat memory (openpyxl's writer needed ~40 µs a cell
here). Text stays text: no formulas, numbers or links guessed from strings; a caller's words
that begin with `=` are written with Excel's quote prefix, so they stay words when edited.
Each cell is written by the writer its Python type picks (one dictionary look-up), with
the sheet's formats prepared once.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from campaign.outcomes.direction import has_rtl_letter, is_rtl_text
from campaign.outcomes.files import atomic_path

#: Control characters an .xlsx cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE; tab, line
#: feed and carriage return are allowed).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
#: Excel reads a cell beginning with one of these as a formula when it is typed or edited.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32_767
_TRUNCATED = " …[truncated]"
#: Rows looked at for the column widths and the sheet's direction.
WIDTH_SAMPLE = 500
RTL_SAMPLE = 200
_DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"

Row = list[Any]


def write_xlsx_rows(
    headers: list[str],
    chunks: Iterable[list[Row]],
    target: str | os.PathLike[str],
    *,
    sheet: str = "Results",
) -> int:
    """Write `headers` and the rows of `chunks` (cells: str, int, float, bool, datetime or
    None) as one sheet; the first chunk sizes the columns and sets the direction. Returns
    the number of rows written."""
    chunk_iter = iter(chunks)
    first = next(chunk_iter, [])
    rtl = any(has_rtl_letter(str(header)) for header in headers) or is_rtl_text(
        value for row in first[:RTL_SAMPLE] for value in row
    )
    widths = column_widths(headers, first[:WIDTH_SAMPLE])
    with atomic_path(Path(target)) as temporary:
        workbook = xlsxwriter.Workbook(
            str(temporary),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        try:
            worksheet = workbook.add_worksheet(sheet)
            if rtl:
                worksheet.right_to_left()
            for index, width in enumerate(widths):
                worksheet.set_column(index, index, width)
            worksheet.freeze_panes(1, 0)
            header = workbook.add_format(
                {"bold": True, "font_color": "#FFFFFF", "bg_color": "#305496", "valign": "vcenter"}
            )
            for index, text in enumerate(headers):
                worksheet.write_string(0, index, clean(str(text)), header)
            write = _cell_writers(workbook, worksheet, headers)
            count = 0
            for rows in _chained(first, chunk_iter):
                for values in rows:
                    count += 1
                    for col, value in enumerate(values):
                        if value is not None:
                            write[type(value)](count, col, value)
            worksheet.autofilter(0, 0, count, max(0, len(headers) - 1))
        finally:
            workbook.close()
    return count


def _chained(first: list[Row], rest: Iterable[list[Row]]) -> Iterable[list[Row]]:
    yield first
    yield from rest


def _cell_writers(
    workbook: xlsxwriter.Workbook, worksheet: Any, headers: list[str]
) -> dict[type, Callable[[int, int, Any], Any]]:
    dates = workbook.add_format({"num_format": _DATE_FORMAT})
    quoted = workbook.add_format({"quote_prefix": True})
    write_string, write_number = worksheet.write_string, worksheet.write_number
    write_boolean, write_datetime = worksheet.write_boolean, worksheet.write_datetime

    def text(row: int, col: int, value: str) -> None:
        # isprintable() is false for every control character: the regex only runs then.
        if len(value) > EXCEL_CELL_LIMIT or (not value.isprintable() and _ILLEGAL(value)):
            value = clean(value)
        if value.startswith(FORMULA_START):
            write_string(row, col, value, quoted)  # Excel keeps it text when edited
        else:
            write_string(row, col, value)

    def number(row: int, col: int, value: float) -> None:
        if not math.isnan(value):
            write_number(row, col, value)

    def refuse(row: int, col: int, value: Any) -> None:
        raise ValueError(
            f"cannot write {type(value).__name__} to column {headers[col]!r} of a workbook"
        )

    writers: dict[type, Callable[[int, int, Any], Any]] = {
        str: text,
        int: write_number,
        float: number,
        bool: write_boolean,
        datetime: lambda row, col, value: write_datetime(row, col, value, dates),
    }
    return _Writers(writers, refuse)


class _Writers(dict[type, Callable[[int, int, Any], Any]]):
    """The writer of each cell type; a type not listed is refused with the column named."""

    def __init__(
        self,
        writers: dict[type, Callable[[int, int, Any], Any]],
        refuse: Callable[[int, int, Any], Any],
    ) -> None:
        super().__init__(writers)
        self.refuse = refuse

    def __missing__(self, kind: type) -> Callable[[int, int, Any], Any]:
        return self.refuse


_ILLEGAL = ILLEGAL_CHARACTERS_RE.search


def clean(value: str) -> str:
    """Text Excel can hold: no control characters, at most 32,767 characters."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(_TRUNCATED)] + _TRUNCATED
    return text


def column_widths(headers: list[str], sample: list[Row]) -> list[float]:
    """Each column as wide as its header or its longest sampled cell (8 to 60)."""
    widths = []
    for position, header in enumerate(headers):
        longest = max(
            (len(str(row[position])) for row in sample if _present(row[position])), default=0
        )
        widths.append(float(min(60, max(8, len(header) + 4, longest + 2))))
    return widths


def _present(value: Any) -> bool:
    return not (value is None or (isinstance(value, float) and math.isnan(value)))
