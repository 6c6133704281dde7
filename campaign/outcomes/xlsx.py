"""Writing a table to .xlsx: text cells for text, date cells for local times, a filterable
frozen header and sized columns; right-to-left when the content is Hebrew (or Arabic).

Written by rustpy-xlsxwriter (Python bindings of rust_xlsxwriter, the Rust port by
XlsxWriter's author) in its constant-memory mode: each row goes to the file as it comes, so
a 1,000,000-row campaign is written at flat memory, about eight times faster than
XlsxWriter's per-cell Python calls (~2 µs a cell here; openpyxl's writer needed ~40 µs).

Text stays text: a string is always an inline string cell, never a formula, number or link
guessed from it. Every column that holds text (all its sampled cells are text or empty, and
it is not a date column) carries Excel's quote prefix, so a phone, an id or a caller's words
that begin with `=` stay text when a cell is edited. What an .xlsx cannot hold (control
characters, more than 32,767 characters in a cell) is cleaned in Python first.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import rustpy_xlsxwriter as rx

from campaign.outcomes.direction import has_rtl_letter, is_rtl_text
from campaign.outcomes.files import atomic_path

#: Control characters an .xlsx cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE; tab, line
#: feed and carriage return are allowed).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
#: Excel reads a cell beginning with one of these as a formula when it is typed or edited.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32_767
_TRUNCATED = " …[truncated]"
#: Rows looked at for the column widths, the text columns and the sheet's direction.
WIDTH_SAMPLE = 500
RTL_SAMPLE = 200
_DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
#: The cell types a sheet is written from (the results stream gives no others; the frames
#: path checks its cells with `check_cell`).
CELL_TYPES = frozenset({str, int, float, bool, datetime, type(None)})

Row = list[Any]


def write_xlsx_rows(
    headers: list[str],
    chunks: Iterable[list[Row]],
    target: str | os.PathLike[str],
    *,
    sheet: str = "Results",
    date_columns: Collection[str] = (),
) -> int:
    """Write `headers` and the rows of `chunks` (cells: `CELL_TYPES` only) as one sheet;
    the first chunk sizes the columns, picks the text columns (not those of `date_columns`,
    which may hold datetimes) and sets the direction. Returns the number of rows written."""
    names = [clean(str(header)) for header in headers]
    _refuse_repeated(names)
    chunk_iter = iter(chunks)
    first = next(chunk_iter, [])
    rtl = any(has_rtl_letter(name) for name in names) or is_rtl_text(
        value for row in first[:RTL_SAMPLE] for value in row
    )
    widths = column_widths(names, first[:WIDTH_SAMPLE])
    records = _Records(names, _chained(first, chunk_iter))
    header = (
        rx.Format().set_bold().set_font_color("#FFFFFF").set_background_color("#305496")
    ).set_align("vcenter")
    with atomic_path(Path(target)) as temporary:
        rx.write_worksheet(
            records,
            str(temporary),
            sheet_name=sheet,
            freeze_row=1,
            freeze_col=0,
            datetime_format=_DATE_FORMAT,
            column_widths=widths,
            column_formats=_text_formats(names, first[:WIDTH_SAMPLE], date_columns),
            header_format=header,
            autofilter=True,
            sheet_view={"right_to_left": rtl},
        )
    return records.count


class _Records(Iterator[dict[str, Any]]):
    """The rows as the writer takes them (one dict a row, keyed by header), cleaned; counts
    them. An empty table gives one empty row, so the header is written."""

    def __init__(self, names: list[str], chunks: Iterable[list[Row]]) -> None:
        self.names = names
        self.rows = (values for rows in chunks for values in _cleaned_chunk(rows))
        self.count = 0
        self.ended = False

    def __iter__(self) -> _Records:
        return self

    def __next__(self) -> dict[str, Any]:
        values = next(self.rows, None)
        if values is None:
            if self.count or self.ended:
                raise StopIteration
            self.ended = True
            return dict.fromkeys(self.names)
        self.count += 1
        return dict(zip(self.names, values, strict=True))


def _cleaned_chunk(rows: list[Row]) -> list[Row]:
    """`rows` with text an .xlsx can hold. One look at all the chunk's text at once (C
    loops): only a chunk with a control character or a giant cell is cleaned cell by cell."""
    texts = [value for values in rows for value in values if type(value) is str]
    if max(map(len, texts), default=0) <= EXCEL_CELL_LIMIT and not _ILLEGAL(" ".join(texts)):
        return rows
    return [[_cleaned(value) for value in values] for values in rows]


def _cleaned(value: Any) -> Any:
    if isinstance(value, str) and (len(value) > EXCEL_CELL_LIMIT or _ILLEGAL(value)):
        return clean(value)
    return value


_ILLEGAL = ILLEGAL_CHARACTERS_RE.search


def check_cell(value: Any, column: str) -> Any:
    """`value` when a sheet has a cell for its type; else ValueError naming the column."""
    if type(value) not in CELL_TYPES:
        raise ValueError(f"cannot write {type(value).__name__} to column {column!r} of a workbook")
    return value


def _refuse_repeated(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"column {name!r} appears twice: a sheet needs distinct headers")
        seen.add(name)


def _text_formats(
    names: list[str], sample: list[Row], date_columns: Collection[str]
) -> dict[str, Any]:
    """Excel's quote prefix on every column whose sampled cells are all text or empty,
    but the date columns."""
    quoted = rx.Format().set_quote_prefix()
    formats = {}
    for position, name in enumerate(names):
        kinds = {type(row[position]) for row in sample} - {type(None)}
        if kinds <= {str} and name not in date_columns:
            formats[name] = quoted
    return formats


def _chained(first: list[Row], rest: Iterable[list[Row]]) -> Iterable[list[Row]]:
    yield first
    yield from rest


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
