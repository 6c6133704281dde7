"""Excel workbooks → grids of text cells, an .xlsx sheet a chunk of rows at a time.

An .xlsx or .xlsm sheet is streamed (xlsx.py: openpyxl's reader and sheet parser), so a
pass holds one chunk of rows, whatever the length of the list, and the workbook's shared
strings, packed. Every pass opens the file again and closes it when it ends or stops early.

The cells, their row numbers and the messages are those of pd.read_excel, the whole-sheet
read this replaces (a test compares them): grid row i is Excel row i + 1, leading and
inner empty rows kept, trailing ones dropped; each row is as wide as the widest row so far
(in one read: the widest of the sheet), empty cells "", an error cell (#N/A) "".

An old binary .xls (calamine or xlrd, through pandas) is still read whole, then cut into
chunks: a list that long is an .xlsx or a CSV nowadays.
"""

from __future__ import annotations

import importlib.util
import itertools
import warnings
from collections.abc import Generator, Iterable
from typing import Literal

import numpy as np
import pandas as pd

from campaign.contacts.cells import excel_cell_text, excel_open_message
from campaign.contacts.grid import Grid
from campaign.contacts.source import SourceFile
from campaign.contacts.xlsx import Workbook
from campaign.errors import InputError


def excel_grids(
    source: SourceFile, sheet: str | None, chunk_rows: int | None, first_rows: int
) -> Generator[Grid]:
    """The sheet's rows as grids of `chunk_rows` rows (None: one grid), the first one at
    least `first_rows` long (see read.iter_grids)."""
    if source.kind == "xlsx":
        return _xlsx_grids(source, sheet, chunk_rows, first_rows)
    return _sliced(_read_xls(source, sheet), chunk_rows, first_rows)


# --- .xlsx / .xlsm: streamed -----------------------------------------------------------------


def _xlsx_grids(
    source: SourceFile, sheet: str | None, chunk_rows: int | None, first_rows: int
) -> Generator[Grid]:
    with source.open() as handle, Workbook(source.name, handle) as book:
        name = _pick_sheet(source.name, book.sheets, sheet)
        yield from _chunked(book.rows(name), name, chunk_rows, first_rows)


def _chunked(
    rows: Iterable[list[str]], sheet: str, chunk_rows: int | None, first_rows: int
) -> Generator[Grid]:
    """Grids of `size` rows (the first) then `chunk_rows` (None: all in one grid). Empty
    rows are counted, not kept, until a row with a value follows: trailing ones are no rows
    (pandas), so a sheet formatted down to row 1,048,576 costs nothing."""
    size = None if chunk_rows is None else max(first_rows, chunk_rows)
    batch: list[list[str]] = []
    start = 1  # Excel row of batch[0]
    width = 0
    blanks = 0
    given = False
    for texts in rows:
        if not texts:
            blanks += 1
            continue
        width = max(width, len(texts))
        # The empty rows before this one are rows after all (a value follows them).
        for row in itertools.chain(itertools.repeat([], blanks), (texts,)):
            batch.append(row)  # an empty row's list is shared: _grid copies every row
            if size is not None and len(batch) >= size:
                yield _grid(batch, start, width, sheet)
                given = True
                start += len(batch)
                batch = []
                size = chunk_rows
        blanks = 0
    if batch or not given:
        yield _grid(batch, start, width, sheet)


def _grid(batch: list[list[str]], start: int, width: int, sheet: str) -> Grid:
    padded = [texts + [""] * (width - len(texts)) for texts in batch]
    index = pd.RangeIndex(start - 1, start - 1 + len(batch))
    cells = pd.DataFrame(padded, index=index, columns=pd.RangeIndex(width), dtype=object)
    return Grid(cells, np.arange(start, start + len(batch), dtype=np.int64), sheet=sheet)


# --- old .xls: read whole --------------------------------------------------------------------


def _read_xls(source: SourceFile, sheet: str | None) -> Grid:
    engine = _xls_engine(source.name)
    with source.open() as handle:
        try:
            with warnings.catch_warnings():
                # pandas deprecates xlrd in favour of calamine; xlrd still reads .xls fine.
                warnings.simplefilter("ignore", category=FutureWarning)
                warnings.filterwarnings("ignore", message=".*xlrd.*")
                book = pd.ExcelFile(handle, engine=engine)
        except Exception as exc:  # each engine raises its own types for damaged files
            raise InputError(excel_open_message(source.name, exc)) from exc
        with book:
            sheet_name = _pick_sheet(source.name, [str(s) for s in book.sheet_names], sheet)
            try:
                raw = pd.read_excel(
                    book, sheet_name=sheet_name, header=None, dtype=object,
                    keep_default_na=False, na_filter=False,
                )  # fmt: skip
            except Exception as exc:
                raise InputError(excel_open_message(source.name, exc)) from exc
    cells = raw.map(excel_cell_text).astype(object) if len(raw) else raw.astype(object)
    # pandas keeps leading empty rows, so grid row i is Excel row i + 1.
    lines = np.arange(1, len(cells) + 1, dtype=np.int64)
    return Grid(cells, lines, sheet=sheet_name)


def _sliced(grid: Grid, chunk_rows: int | None, first_rows: int) -> Generator[Grid]:
    """A whole grid in chunks."""
    size = max(first_rows, chunk_rows or 0) or len(grid.cells)
    start = 0
    while True:
        cells = grid.cells.iloc[start : start + size]
        yield Grid(
            cells, grid.lines[start : start + size], grid.encoding, grid.delimiter,
            grid.sheet, list(grid.warnings),
        )  # fmt: skip
        start += size
        if start >= len(grid.cells) or chunk_rows is None:
            return
        size = chunk_rows


def _xls_engine(name: str) -> Literal["calamine", "xlrd"]:
    """Old binary .xls needs an optional reader: calamine or xlrd, whichever is installed."""
    if importlib.util.find_spec("python_calamine") is not None:
        return "calamine"
    if importlib.util.find_spec("xlrd") is not None:
        return "xlrd"
    raise InputError(
        f"{name} is an old .xls workbook: open it in Excel and save it as .xlsx "
        "(or install xlrd: pip install 'campaign[xls]')"
    )


# --- shared ------------------------------------------------------------------------------------


def _pick_sheet(name: str, sheets: list[str], wanted: str | None) -> str:
    if not sheets:
        raise InputError(f"{name} has no sheets: open it in Excel and save it again")
    if wanted is None:
        return sheets[0]
    if wanted in sheets:
        return wanted
    folded = [s for s in sheets if s.strip().casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    if wanted.strip().isdigit() and 1 <= int(wanted) <= len(sheets):
        return sheets[int(wanted) - 1]
    listed = ", ".join(repr(s) for s in sheets)
    raise InputError(f"{name} has no sheet {wanted!r}: use --sheet with one of {listed}")
