"""An .xlsx or .xlsm workbook's sheet as rows of text, parsed as they are read.

openpyxl does the reading: its workbook reader (read-only, data only: cached values, not
formulas) and its sheet parser (openpyxl's parse_row and parse_cell on the XML, so numbers,
dates, booleans, errors and inline strings are read as openpyxl reads them). Two of its
read-only habits grow with the list, so they are replaced:

- the shared-strings table (each distinct text of the workbook, once) is kept packed in one
  buffer (PackedStrings) instead of a list of Python strings, and parsed only as far as the
  cells read so far refer to it (the plan's first rows need the first few; the table of a
  1M-row list took 6 s to parse, once for the plan and again for the pass);
- the sheet parser's ElementTree keeps an empty element per parsed row (~85 MB for 1M rows):
  here each row leaves the tree once parsed.

The rows are those openpyxl's ReadOnlyWorksheet.iter_rows gave pd.read_excel: a missing row
is an empty one, each row as long as its last cell, a row out of order left out.
"""

from __future__ import annotations

from array import array
from collections.abc import Generator, Iterable, Iterator, Sequence
from typing import Any, BinaryIO, overload
from zipfile import ZipFile

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import ARC_STYLE, SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import fromstring, iterparse

from campaign.contacts.cells import excel_cell_text, excel_open_message
from campaign.errors import InputError

_SI = f"{{{SHEET_MAIN_NS}}}si"
_ROW = f"{{{SHEET_MAIN_NS}}}row"
_SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"

Cell = dict[str, Any]
#: Distinct texts remembered to share one str object between cells (then forgotten: about
#: a chunk's worth).
_SAME_TEXTS = 10_000


class Workbook:
    """An open workbook (the file stays open until close()): its sheets' names, in order,
    and the rows of one, as text."""

    def __init__(self, name: str, handle: BinaryIO) -> None:
        self.name = name
        try:
            self._reader = _Reader(handle)
            self._reader.read()
        except Exception as exc:  # a damaged zip or XML raises whatever its parser raises
            raise InputError(excel_open_message(name, exc)) from exc
        self.sheets = [title for title, _ in self._reader.sheet_paths]
        self._formats = _number_formats(self._reader)

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        strings = self._reader.shared_strings
        if isinstance(strings, PackedStrings):
            strings.close()
        self._reader.archive.close()

    def rows(self, sheet: str) -> Iterator[list[str]]:
        """Each row of `sheet` from row 1, its cells as text, without its trailing empty
        cells ([] for an empty row): pandas' rule, a cell without a value or with "" is no
        cell, an error (#N/A) is, though its text is "" as pandas' NaN was."""
        path = dict(self._reader.sheet_paths)[sheet]
        dates, durations = self._formats
        with self._reader.archive.open(path) as source:
            parser = _RowParser(
                source, self._reader.shared_strings, data_only=True,
                epoch=self._reader.wb.epoch, date_formats=dates, timedelta_formats=durations,
            )  # fmt: skip
            parsed = parser.parse()
            counter = 1  # the next row number, as ReadOnlyWorksheet counts
            # One str for the texts that repeat (names, places, dates), as pandas' CSV parser
            # gives: a chunk half the size to pickle to a worker and to hold there.
            same: dict[str, str] = {}
            while True:
                try:
                    number, cells = next(parsed)
                except StopIteration:
                    return
                except Exception as exc:  # a damaged sheet, found as it is parsed
                    raise InputError(excel_open_message(self.name, exc)) from exc
                while counter < number:
                    counter += 1
                    yield []
                if counter == number:
                    counter += 1
                    if len(same) > _SAME_TEXTS:
                        same.clear()
                    yield _row_text(cells, same)


def _row_text(cells: list[Cell], same: dict[str, str]) -> list[str]:
    if not cells:
        return []
    width = cells[-1]["column"]
    placed: list[Cell | None] = [None] * width
    for cell in cells:
        if 1 <= cell["column"] <= width:
            placed[cell["column"] - 1] = cell
    while width:
        last = placed[width - 1]
        if last is not None and last["value"] is not None and last["value"] != "":
            break
        width -= 1
    texts = [_cell_text(cell) if cell is not None else "" for cell in placed[:width]]
    return [same.setdefault(text, text) for text in texts]


def _cell_text(cell: Cell) -> str:
    """The text the whole-sheet read gave (pandas' openpyxl conversion, then
    excel_cell_text)."""
    value = cell["value"]
    if value is None:
        return ""
    kind = cell["data_type"]
    if kind == "s":
        return str(value)
    if kind == "n":  # pandas makes a whole number an int, so 1e20 keeps all its digits
        whole = int(value)
        return str(whole) if whole == value else excel_cell_text(float(value))
    if kind == "e":  # pandas reads an error cell as NaN
        return ""
    return excel_cell_text(value)


class _Reader(ExcelReader):
    """openpyxl.load_workbook(read_only=True, data_only=True, keep_links=False), as pandas
    opened it, keeping where each worksheet is and its shared strings packed."""

    def __init__(self, handle: BinaryIO) -> None:
        super().__init__(handle, read_only=True, data_only=True, keep_links=False)
        self.sheet_paths: list[tuple[str, str]] = []

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)
        if found is None:
            self.shared_strings = PackedStrings(())  # type: ignore[assignment]
            return
        # The sheet parser only indexes it (shared_strings[int(value)]).
        table = string_table(self.archive, found.PartName[1:])
        self.shared_strings = PackedStrings(table)  # type: ignore[assignment]

    def read_worksheets(self) -> None:
        # The worksheets of wb.worksheets, in order (chart sheets and missing parts left out).
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.sheet_paths.append((sheet.name, rel.target))
        super().read_worksheets()


def string_table(archive: ZipFile, name: str) -> Iterator[str]:
    """openpyxl's read_string_table one string at a time, each element dropped once read
    (the part stays open until the last string or close())."""
    with archive.open(name) as source:
        parsed = iterparse(source, events=("start", "end"))
        first = next(parsed, None)
        if first is None:
            return
        root = first[1]
        for event, node in parsed:
            if event == "end" and node.tag == _SI:
                text: Any = Text.from_tree(node)  # never None for an element
                yield text.content.replace("x005F_", "")
                root.clear()


def _number_formats(reader: ExcelReader) -> tuple[set[int], set[int]]:
    """The styles that make a number a date and a duration (as apply_stylesheet finds them
    for the workbook)."""
    if ARC_STYLE not in reader.valid_files:
        return set(), set()
    node: Any = fromstring(reader.archive.read(ARC_STYLE))
    stylesheet: Any = Stylesheet.from_tree(node)  # its stubs lack the formats
    if not stylesheet.cell_styles:
        return set(), set()
    return set(stylesheet.date_formats), set(stylesheet.timedelta_formats)


class _RowParser(WorkSheetParser):
    """openpyxl's sheet parser for the rows only, each row's elements dropped once parsed."""

    def parse(self) -> Generator[tuple[int, list[Cell]]]:
        data = None
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                if element.tag == _SHEET_DATA:
                    data = element
            elif element.tag == _ROW:
                row = self.parse_row(element)
                if data is not None:
                    data.clear()  # the row (its only child by now) and its cells
                yield row


class PackedStrings(Sequence[str]):
    """A workbook's shared strings as one UTF-8 buffer and the offset where each ends.

    openpyxl's list of Python strings costs ~150 bytes a string (the object, the list slot,
    the parsed elements left behind); packed, a phone number costs ~18. And the buffer is
    only appended to: a str in a list has its reference count written each time a cell
    refers to it, so the pages forked workers share were copied again in this process.
    `strings` is consumed as far as the indexes asked for (all of it for len() or a
    negative index); close() stops it there.
    """

    def __init__(self, strings: Iterable[str]) -> None:
        self._pending: Iterator[str] | None = iter(strings)
        self._bytes = bytearray()
        self._ends = array("I")  # 4 bytes an offset, 8 past 4 GiB of text

    def _fill(self, index: int | None) -> None:
        """Parse the strings up to `index` (None: all of them)."""
        pending, packed, ends = self._pending, self._bytes, self._ends
        if pending is None:
            return
        while index is None or len(ends) <= index:
            text = next(pending, None)
            if text is None:
                self._pending = None
                return
            packed += text.encode("utf-8", "surrogatepass")
            try:
                ends.append(len(packed))
            except OverflowError:
                self._ends = ends = array("q", ends)
                ends.append(len(packed))

    def close(self) -> None:
        """Parse no further (the source is closed)."""
        if self._pending is not None:
            close = getattr(self._pending, "close", None)
            if close is not None:
                close()
            self._pending = None

    def __len__(self) -> int:
        self._fill(None)
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        elif index >= len(self._ends):
            self._fill(index)
        end = self._ends[index]  # an IndexError like a list's for a damaged cell
        start = self._ends[index - 1] if index > 0 else 0
        return self._bytes[start:end].decode("utf-8", "surrogatepass")
