"""What the user handed us: the bytes of a list file, its name, and what kind of file it is.

The kind comes from the content first (an .xlsx renamed .csv is still a workbook) and the
extension second. Files that cannot be a contact list are refused here with the fix.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import numpy as np

from campaign.contacts.encoding import utf16_without_bom
from campaign.errors import InputError

SourceKind = Literal["text", "xlsx", "xls"]
ContactSource = str | Path | bytes | bytearray | memoryview | IO[bytes] | IO[str]

#: No contact list has a line this long; a file that does is not a list (or lost its newlines).
MAX_LINE_BYTES = 1_000_000

_EXCEL_EXTENSIONS = {".xlsx", ".xlsm"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Other formats people pick by mistake, by their first bytes.
_FOREIGN_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"SQLite format 3": "a SQLite database",
    b"\x7fELF": "a program",
    b"MZ": "a program",
}


@dataclass(frozen=True)
class SourceFile:
    name: str
    data: bytes
    kind: SourceKind
    extension: str


def read_source(source: ContactSource, filename: str | None = None) -> SourceFile:
    """The bytes and kind of `source`; an InputError that says the fix for anything else."""
    name, data = _read_bytes(source, filename)
    extension = Path(name).suffix.lower()
    if not data.strip():
        raise InputError(f"{name} is empty: export the contact list again (with a header row)")
    return SourceFile(name=name, data=data, kind=_kind(name, data, extension), extension=extension)


def _read_bytes(source: ContactSource, filename: str | None) -> tuple[str, bytes]:
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise InputError(f"{path} does not exist: check the path of the contact list")
        if path.is_dir():
            raise InputError(f"{path} is a folder: give the path of the contact list file")
        try:
            return filename or path.name, path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if isinstance(source, bytes | bytearray | memoryview):
        return filename or "contacts", bytes(source)
    content = source.read()
    name = filename or Path(str(getattr(source, "name", "") or "contacts")).name
    if isinstance(content, str):
        return name, content.encode("utf-8")
    return name, bytes(content)


def _kind(name: str, data: bytes, extension: str) -> SourceKind:
    if data.startswith(_ZIP):
        return _zip_kind(name, data)
    if data.startswith(_OLE2):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise InputError(
                f"{name} is password-protected: open it in Excel, remove the password "
                "(File > Info > Protect Workbook) and save it again"
            )
        return "xls"
    for magic, what in _FOREIGN_MAGIC.items():
        if data.startswith(magic):
            raise InputError(
                f"{name} is {what}, not a contact list: export the list as CSV or XLSX"
            )
    if extension in _EXCEL_EXTENSIONS:
        raise InputError(
            f"{name} is not a valid Excel workbook: open it in Excel and save it again"
        )
    if extension == ".xls":
        raise InputError(f"{name} is not a valid .xls workbook: open it in Excel and save as .xlsx")
    _check_text(name, data)
    return "text"


def _zip_kind(name: str, data: bytes) -> SourceKind:
    """An .xlsx is a zip with an `xl/` folder; tell the other zips apart for the message."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"{name} is a damaged workbook or zip archive: open it in Excel and save it again"
        ) from exc
    if any(entry.startswith("xl/") for entry in entries):
        return "xlsx"
    if "content.xml" in entries:
        raise InputError(f"{name} is an OpenDocument file: save it as .xlsx or CSV")
    if any(entry.startswith(("word/", "ppt/")) for entry in entries):
        raise InputError(f"{name} is a Word or PowerPoint file: export the list as CSV or XLSX")
    raise InputError(f"{name} is a zip archive: unzip it and give the CSV or XLSX inside")


def _check_text(name: str, data: bytes) -> None:
    head = data[:65536]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head) is not None
    if not utf16 and b"\x00" in head:
        raise InputError(f"{name} is a binary file, not a contact list: export it as CSV or XLSX")
    longest, line = _longest_line(data)
    if longest > MAX_LINE_BYTES * (2 if utf16 else 1):
        raise InputError(
            f"{name}: line {line} is {longest / 1e6:.1f} MB long, which no contact list has: "
            "check that the file is a CSV with one contact per line"
        )


_BLOCK = 1 << 22


def _longest_line(data: bytes) -> tuple[int, int]:
    """Length in bytes and 1-based number of the longest line (numpy: fast on 100 MB, in
    4 MiB blocks so a large file needs no array of its own size)."""
    array = np.frombuffer(data, dtype=np.uint8)
    newline = 10 if b"\n" in data else 13  # old Mac exports end lines with CR only
    longest, longest_line = 0, 1
    line_start, lines_before = 0, 0  # byte where the current line starts; lines ended so far
    for block in range(0, len(array), _BLOCK):
        breaks = np.flatnonzero(array[block : block + _BLOCK] == newline) + block
        if not len(breaks):
            continue
        bounds = np.concatenate(([line_start - 1], breaks))
        lengths = np.diff(bounds) - 1
        index = int(np.argmax(lengths))
        if lengths[index] > longest:
            longest, longest_line = int(lengths[index]), lines_before + index + 1
        lines_before += len(breaks)
        line_start = int(breaks[-1]) + 1
    if len(array) - line_start > longest:
        longest, longest_line = len(array) - line_start, lines_before + 1
    return longest, longest_line
