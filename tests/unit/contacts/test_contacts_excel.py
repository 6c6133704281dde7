"""An .xlsx read a chunk of rows at a time is the sheet pd.read_excel read whole: the same
cells, row numbers, contacts and messages, and never more than a chunk of rows held."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import Font
from openpyxl.worksheet._reader import WorkSheetParser

from campaign.contacts import ImportOptions, list_fingerprint, open_contacts, xlsx
from campaign.contacts import plan as plan_module
from campaign.contacts import xlsx as xlsx_module
from campaign.contacts.cells import excel_cell_text
from campaign.contacts.grid import Grid
from campaign.contacts.model import ContactList
from campaign.contacts.read import iter_grids
from campaign.contacts.source import SourceFile, read_source
from campaign.contacts.xlsx import PackedStrings
from campaign.errors import InputError


def _reference_grid(source: SourceFile, sheet: str | None) -> Grid:
    """What the whole-sheet read gave before the sheet was streamed: pd.read_excel, then
    excel_cell_text on every cell (`sheet`: a name or a number)."""
    with source.open() as handle, pd.ExcelFile(handle, engine="openpyxl") as book:
        names = [str(name) for name in book.sheet_names]
        if not names:
            raise InputError(f"{source.name} has no sheets: open it in Excel and save it again")
        name = names[int(sheet) - 1] if sheet and sheet.isdigit() else sheet or names[0]
        raw = pd.read_excel(
            book, sheet_name=name, header=None, dtype=object, keep_default_na=False,
            na_filter=False,
        )  # fmt: skip
    cells = raw.map(excel_cell_text).astype(object) if len(raw) else raw.astype(object)
    return Grid(cells, np.arange(1, len(cells) + 1, dtype=np.int64), sheet=name)


def _reference_grids(
    source: SourceFile, sheet: str | None = None, chunk_rows: int | None = None,
    *, first_rows: int = 0,
) -> Iterator[Grid]:  # fmt: skip
    """The old reader for the plan: the whole sheet, then cut into chunks."""
    whole = _reference_grid(source, sheet)
    size = max(first_rows, chunk_rows or 0) or len(whole.cells)
    start = 0
    while True:
        part = slice(start, start + size)
        yield Grid(whole.cells.iloc[part], whole.lines[part], sheet=whole.sheet)
        start += size
        if start >= len(whole.cells) or chunk_rows is None:
            return
        size = chunk_rows


def _book(path: Path, rows: int = 100, seed: int = 5) -> Path:
    """A first sheet that is not the list, then "Contacts " (trailing space): two empty rows
    above the header, number, date, time, bool and error cells, blank and ragged rows, a
    column without a header that starts late, styled empty cells at the right and below."""
    rng = random.Random(seed)
    book = openpyxl.Workbook()
    intro = book.active
    assert intro is not None
    intro.title = "Read me"
    intro.append(["this sheet is not the list"])
    sheet = book.create_sheet("Contacts ")
    sheet.cell(row=3, column=1, value="name")
    for column, header in enumerate(["phone", "when", "vip", "score"], start=2):
        sheet.cell(row=3, column=column, value=header)
    phones: list[Any] = []
    row = 4
    for index in range(rows):
        if index % 13 == 5:
            row += 1  # a blank row
        draw = rng.random()
        phone: Any
        if draw < 0.2 and phones:
            phone = rng.choice(phones)  # a duplicate, maybe in another chunk
        elif draw < 0.3:
            phone = rng.choice(["12", "n/a", "#N/A", 1e20, "1.55512E+10"])
        elif draw < 0.6:
            phone = 12125550000 + rng.randint(0, 9999)  # a number cell
            phone = float(phone) if rng.random() < 0.5 else phone
        else:
            phone = f"(212) 555-{rng.randint(0, 9999):04d}"
        phones.append(phone)
        when = rng.choice(
            [dt.datetime(2025, 7, 8, 9, 30), dt.date(2025, 1, 2), dt.time(14, 5), "soon", None]
        )
        values = [rng.choice(["Ana", "Bo", "Cy"]), phone, when, rng.choice([True, False, None])]
        if rng.random() < 0.8:  # else a ragged row: name, phone, when and vip only
            values.append(rng.choice([0.5, 3, -2.25, "", None]))
        if index > 60 and rng.random() < 0.3:
            values.append("late note")  # column 6: no header, first filled below row 60
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=row, column=column, value=value)
        if index % 17 == 3:
            sheet.cell(row=row, column=8).font = Font(bold=True)  # styled, empty
        if index % 31 == 30:
            sheet.cell(row=row, column=7, value="#DIV/0!")  # an error cell, last in its row
        if index == 7:
            sheet.cell(row=row, column=3, value="#N/A").data_type = "s"  # text, not an error
        row += 1
    for below in range(row + 2, row + 5):
        sheet.cell(row=below, column=2).font = Font(italic=True)  # empty rows at the end
    book.save(path)
    return path


def _one_read(path: Path, options: ImportOptions) -> ContactList:
    return open_contacts(path, options, chunk_rows=None, workers=1).collect()


@pytest.mark.parametrize("sheet", ["Contacts ", "contacts", "2"])
def test_chunks_of_a_sheet_are_the_cells_pandas_read(tmp_path: Path, sheet: str) -> None:
    source = read_source(_book(tmp_path / "list.xlsx"))
    reference = _reference_grid(source, "Contacts ")
    whole = list(iter_grids(source, sheet))
    assert len(whole) == 1 and whole[0].sheet == "Contacts "
    pd.testing.assert_frame_equal(whole[0].cells, reference.cells)
    assert whole[0].lines.tolist() == reference.lines.tolist()
    assert reference.cells.shape[1] == 7  # the error cells keep column 7; styled 8 is none
    assert (reference.cells.iloc[:2] == "").all(axis=None)  # the two empty rows on top

    chunks = list(iter_grids(source, sheet, 7))
    assert [len(chunk.cells) for chunk in chunks[:-1]] == [7] * (len(chunks) - 1)
    widths = [chunk.cells.shape[1] for chunk in chunks]
    assert widths == sorted(widths) and widths[0] < widths[-1]  # ragged: as wide as so far
    padded = pd.concat([chunk.cells for chunk in chunks]).fillna("")
    pd.testing.assert_frame_equal(padded, reference.cells)
    assert np.concatenate([chunk.lines for chunk in chunks]).tolist() == reference.lines.tolist()
    texts = set(reference.cells.to_numpy().ravel())
    assert {"12125550143", "100000000000000000000", "2025-07-08 09:30", "2025-01-02"} & texts
    assert {"14:05:00", "TRUE", "FALSE", "0.5", "-2.25", "#N/A"} <= texts  # "#N/A" as text


@pytest.mark.parametrize("chunk_rows", [1, 7, 64])
def test_contacts_of_a_sheet_in_chunks_are_those_of_one_read_and_of_pandas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_rows: int
) -> None:
    path = _book(tmp_path / "list.xlsx", rows=120)
    options = ImportOptions(sheet="2")
    whole = _one_read(path, options)
    stream = open_contacts(path, options, chunk_rows=chunk_rows)
    passes = [pd.concat([c.frame for c in stream.chunks()], ignore_index=True) for _ in "ab"]
    for frame in passes:  # each pass opens the workbook again
        pd.testing.assert_frame_equal(frame, whole.frame)
    assert stream.counts == whole.counts and stream.warnings == whole.warnings
    assert stream.fingerprint == list_fingerprint(whole)
    assert whole.counts.duplicate > 5 and whole.counts.invalid > 5
    assert whole.frame["_line"].tolist()[:3] == [4, 5, 6]  # Excel row numbers
    assert any("column 6 has no header" in warning for warning in whole.warnings)

    monkeypatch.setattr(plan_module, "iter_grids", _reference_grids)
    before = _one_read(path, options)  # the whole-sheet read this replaces
    pd.testing.assert_frame_equal(before.frame, whole.frame)
    assert before.counts == whole.counts and before.warnings == whole.warnings


def test_a_sheet_is_never_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk is made from as many rows of the sheet as it holds (openpyxl's parse_row
    watched: one row ahead at most), and pandas' whole-sheet reader is not used; a pass
    that stops early closes the workbook."""
    path = _book(tmp_path / "list.xlsx", rows=3000)

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an .xlsx is read by pandas whole")

    monkeypatch.setattr(pd, "read_excel", refused)
    monkeypatch.setattr(pd, "ExcelFile", refused)
    pulled: list[int] = []
    closed: list[int] = []
    real_parse, real_close = WorkSheetParser.parse_row, xlsx_module.Workbook.close

    def counted(self: WorkSheetParser, row: Any) -> Any:
        parsed = real_parse(self, row)
        pulled.append(parsed[0])  # the row's number
        return parsed

    def close(self: xlsx_module.Workbook) -> None:
        closed.append(1)
        real_close(self)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counted)
    monkeypatch.setattr(xlsx_module.Workbook, "close", close)
    grids = iter_grids(read_source(path), "Contacts ", 7)
    handed = 0
    for _ in range(40):
        grid = next(grids)
        handed += len(grid.cells)
        assert len(grid.cells) == 7 and grid.lines[-1] == handed
        assert handed <= pulled[-1] <= handed + 1 and len(pulled) <= handed + 1
    assert not closed
    grids.close()  # type: ignore[attr-defined]
    assert closed == [1]
    stream = open_contacts(path, ImportOptions(sheet="Contacts "), chunk_rows=500)
    assert max(len(chunk) for chunk in stream.chunks()) <= 2000  # the plan's head at most
    assert stream.counts.total > 2900 and closed == [1, 1, 1]  # the plan's read, one pass


def _damaged_sheet(tmp_path: Path) -> Path:
    """A workbook whose sheet XML stops half way: found only as the rows are read."""
    good = _book(tmp_path / "good.xlsx", rows=50)
    return _rewritten(
        good, tmp_path / "damaged.xlsx", "xl/worksheets/sheet2.xml", lambda d: d[: len(d) // 2]
    )


def _rewritten(book: Path, path: Path, entry: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of the workbook `book` at `path` with one of its parts changed."""
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, change(data) if name == entry else data)
    return path


def _old_message(path: Path) -> str:
    """The message the whole-sheet read gave (pd.ExcelFile and pd.read_excel's errors)."""
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            for name in book.sheet_names:
                pd.read_excel(book, sheet_name=name, header=None, dtype=object)
    except Exception as exc:
        return (
            f"cannot open {path.name} as a workbook ({exc}): open it in Excel and save it as .xlsx"
        )
    raise AssertionError(f"{path.name} reads")


def test_damaged_workbooks_say_what_they_said(tmp_path: Path) -> None:
    broken_xml = tmp_path / "broken.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets>")
    broken_xml.write_bytes(buffer.getvalue())
    for path in (broken_xml, _damaged_sheet(tmp_path)):
        expected = _old_message(path)
        assert expected.startswith(f"cannot open {path.name} as a workbook (")
        with pytest.raises(InputError) as caught:
            _one_read(path, ImportOptions(sheet="2" if path.name == "damaged.xlsx" else None))
        assert str(caught.value) == expected


def test_a_workbook_without_sheets_and_a_missing_sheet(tmp_path: Path) -> None:
    listed = _book(tmp_path / "list.xlsx", rows=5)
    path = _rewritten(
        listed, tmp_path / "nosheets.xlsx", "xl/workbook.xml",
        lambda data: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data),
    )  # fmt: skip
    for reader in (_reference_grid, lambda src, sheet: next(iter_grids(src, sheet))):
        with pytest.raises(InputError, match=r"nosheets\.xlsx has no sheets: open it in Excel"):
            reader(read_source(path), None)
    with pytest.raises(
        InputError, match=r"list\.xlsx has no sheet 'Nope': use --sheet with one of 'Read me', "
    ):
        _one_read(listed, ImportOptions(sheet="Nope"))


def test_packed_shared_strings_index_like_a_list() -> None:
    texts = ["Ana", "", "Zoë Müller", "שלום", "\U0001f600", "\udc80 lone", "+1 212 555 0143"]
    packed = PackedStrings(iter(texts))
    assert len(packed) == len(texts) and list(packed) == texts
    assert packed[-1] == texts[-1] and packed[2:4] == texts[2:4]
    with pytest.raises(IndexError):
        packed[len(texts)]


def test_the_shared_strings_are_parsed_only_as_far_as_the_rows_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan reads a list's first rows: it parses the start of the strings table, not all
    of it (a 1M-row list's table took 6 s), and a whole read parses it once."""
    import rustpy_xlsxwriter

    path = tmp_path / "long.xlsx"  # a shared strings table, as Excel writes (openpyxl does not)
    records = [{"name": f"name {i}", "phone": f"+1212555{i:04d}"} for i in range(3000)]
    rustpy_xlsxwriter.write_worksheet(records, str(path), sheet_name="list", dedupe_strings=True)
    parsed: list[str] = []
    table = xlsx.string_table

    def counted(*args: Any) -> Iterator[str]:
        for text in table(*args):
            parsed.append(text)
            yield text

    monkeypatch.setattr(xlsx, "string_table", counted)
    with path.open("rb") as handle, xlsx.Workbook("long.xlsx", handle) as workbook:
        rows = workbook.rows("list")
        head = [next(rows) for _ in range(11)]
    assert head[0] == ["name", "phone"] and head[10] == ["name 9", "+12125550009"]
    assert 20 <= len(parsed) < 1000
    parsed.clear()
    with path.open("rb") as handle, xlsx.Workbook("long.xlsx", handle) as workbook:
        whole = list(workbook.rows("list"))
    assert len(parsed) == 6002  # every string once, the headers too
    expected = pd.read_excel(path, header=None, dtype=object).map(excel_cell_text)
    assert whole == expected.values.tolist()
