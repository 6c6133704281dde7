"""A list file → grids of text cells with pandas, each row knowing its line in the file.

Every cell is read as text and nothing is guessed as missing: a person named "NA" or "None"
stays a name, and a phone number keeps its leading zeros and plus sign. The header row is
read as data here; headers.py decides which row it is. Text files are read here, Excel
workbooks in excel.py.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Generator
from contextlib import closing
from typing import BinaryIO

import numpy as np
import pandas as pd

from campaign.contacts.encoding import Decoded, decode_head
from campaign.contacts.grid import DELIMITER_NAMES, Grid
from campaign.contacts.source import SourceFile
from campaign.errors import InputError

_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 65536
_SNIFF_ROWS = 50
_TOKENIZE_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EOF_IN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def read_grid(source: SourceFile, sheet: str | None = None) -> Grid:
    """The whole file as one grid."""
    with closing(iter_grids(source, sheet)) as grids:
        return next(grids)


def iter_grids(
    source: SourceFile,
    sheet: str | None = None,
    chunk_rows: int | None = None,
    *,
    first_rows: int = 0,
) -> Generator[Grid]:
    """The file's rows as grids of `chunk_rows` rows (None: one grid), the first one at least
    `first_rows` long; each knows the file line of its rows. A text file and an .xlsx sheet
    are parsed as they are read, so only one chunk of cells exists at a time (an old .xls is
    read whole: excel.py)."""
    if source.kind == "text":
        if sheet:
            raise InputError(
                f"--sheet {sheet!r} only applies to Excel files, {source.name} is text"
            )
        return _text_grids(source, chunk_rows, first_rows)
    from campaign.contacts.excel import excel_grids  # openpyxl: not for a text file

    return excel_grids(source, sheet, chunk_rows, first_rows)


# --- text --------------------------------------------------------------------------------

#: Decoded text looked at for the delimiter and for garbage (the rest is parsed by pandas).
_HEAD_BYTES = 256 * 1024


def _text_grids(source: SourceFile, chunk_rows: int | None, first_rows: int) -> Generator[Grid]:
    assert source.text is not None, "read_source scans every text file"
    found, quoted = source.text.decoded, source.text.quoted
    with source.open() as handle:
        handle.seek(found.offset)
        head = decode_head(source.name, handle.read(_HEAD_BYTES), found.encoding)
        handle.seek(found.offset)
        yield from _parsed(source, handle, found, quoted, _delimiter(source, head), chunk_rows,
                           first_rows)  # fmt: skip


def _delimiter(source: SourceFile, head: str) -> str:
    if source.extension in (".tsv", ".tab"):
        return "\t"
    if source.extension == ".psv":
        return "|"
    return sniff_delimiter(head)


def _parsed(
    source: SourceFile, handle: BinaryIO, found: Decoded, quoted: bool, delimiter: str,
    chunk_rows: int | None, first_rows: int,
) -> Generator[Grid]:  # fmt: skip
    """pandas' C parser over the open file, from where the text starts: it reads and
    decodes the bytes itself, a buffer at a time (undefined bytes of a code page become
    U+FFFD, which decode_head's check counts as garbage)."""
    try:
        reader = pd.read_csv(
            handle,
            sep=delimiter,
            header=None,
            dtype=object,  # Python str cells; never numbers, never NaN (na_filter=False)
            encoding="utf-8-sig" if found.encoding.startswith("utf-8") else found.encoding,
            encoding_errors="strict" if found.encoding.startswith("utf") else "replace",
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            iterator=True,
        )
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{source.name} is empty: export the contact list again") from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source.name} is not valid {found.encoding.upper()} text: save it again as CSV UTF-8"
        ) from exc
    next_line = 1
    size = max(first_rows, chunk_rows or 0) or None
    with reader:
        while True:
            try:
                cells = reader.read(size)
            except StopIteration:
                return
            except pd.errors.EmptyDataError as exc:
                raise InputError(f"{source.name} is empty: export the contact list again") from exc
            except pd.errors.ParserError as exc:
                raise InputError(_parser_message(source.name, str(exc), delimiter)) from exc
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{source.name} is not valid {found.encoding.upper()} text: save it again "
                    "as CSV UTF-8"
                ) from exc
            if not len(cells):
                return
            cells = cells.fillna("")
            lines, next_line = _text_lines(cells, quoted, next_line)
            yield Grid(
                cells, lines, encoding=found.encoding, delimiter=delimiter,
                warnings=list(found.warnings),
            )  # fmt: skip
            if size is None:
                return
            size = chunk_rows


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into most fields, consistently over the first rows.

    csv.Sniffer guesses from character frequencies and is easily fooled by a comma inside
    names; counting fields with the csv reader itself for each candidate is sturdier.
    """
    sample = text[:_SNIFF_BYTES]
    if len(text) > _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (0.0, 0)
    for delimiter in _DELIMITERS:
        try:
            reader = csv.reader(io.StringIO(sample, newline=None), delimiter=delimiter)
            rows = [row for row in reader if row]
        except csv.Error:
            continue
        rows = rows[:_SNIFF_ROWS]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistency = sum(len(row) == width for row in rows) / len(rows)
        score = (consistency, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _parser_message(name: str, message: str, delimiter: str) -> str:
    shown = DELIMITER_NAMES.get(delimiter, delimiter)
    fields = _TOKENIZE_ERROR.search(message)
    if fields:
        expected, line, seen = fields.groups()
        return (
            f"{name}: line {line} has {seen} fields but the first line has {expected}: "
            f"put quotes around values that contain a {shown}, or fix that line"
        )
    quote = _EOF_IN_QUOTE.search(message)
    if quote:
        return (
            f"{name}: a quote opened near line {int(quote.group(1)) + 1} never closes: "
            'remove the stray " or close it'
        )
    return f"cannot read {name} as a {shown}-separated file ({message.strip()}): export it again"


def _text_lines(cells: pd.DataFrame, quoted: bool, first: int) -> tuple[np.ndarray, int]:
    """Line of each record from `first` on, and the line after the last; a quoted value
    spanning lines pushes the next records down."""
    lines = np.arange(first, first + len(cells), dtype=np.int64)
    after = first + len(cells)
    if not quoted or not len(cells):
        return lines, after
    embedded = np.zeros(len(cells), dtype=np.int64)
    for column in cells.columns:
        values = cells[column].astype(object)
        has_break = values.str.contains("\n", regex=False).to_numpy(dtype=bool)
        if has_break.any():
            embedded += values.str.count("\n").fillna(0).to_numpy(dtype=np.int64)
    if embedded.any():
        lines += np.concatenate(([0], np.cumsum(embedded)[:-1]))
        after += int(embedded.sum())
    return lines, after
