"""What the user handed us: a list file (its path, or its bytes), its name, and its kind.

The kind comes from the content first (an .xlsx renamed .csv is still a workbook) and the
extension second. Files that cannot be a contact list are refused here with the fix.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, BinaryIO, Literal

from campaign.contacts.encoding import utf16_without_bom
from campaign.contacts.scan import TextScan, scan_text
from campaign.errors import InputError

SourceKind = Literal["text", "xlsx", "xls"]
ContactSource = str | Path | bytes | bytearray | memoryview | IO[bytes] | IO[str]

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


#: Bytes read at a time: no pass over a list holds more of its file than a few blocks.
BLOCK_BYTES = 1 << 22
#: Bytes looked at for the kind of file (magic numbers, zero bytes of UTF-16).
_HEAD_BYTES = 65536


@dataclass(frozen=True)
class SourceFile:
    """A list file, by its path (read again from the disk for each pass, a block at a time)
    or, for bytes and file objects, by its bytes."""

    name: str
    data: bytes
    kind: SourceKind
    extension: str
    path: Path | None = None
    #: The file's size and modification time when it was first read (a path only).
    stamp: tuple[int, int] | None = None
    #: What the pass over a text file's bytes found (its encoding, whether it has quotes).
    text: TextScan | None = None

    def open(self) -> BinaryIO:
        """The file's bytes from the start; an InputError if it changed since it was read."""
        if self.path is None:
            return io.BytesIO(self.data)
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        if _stamp(os.fstat(handle.fileno())) != self.stamp:
            handle.close()
            raise InputError(
                f"{self.name} changed while it was being read: wait until it is saved, "
                "then start again"
            )
        return handle

    def blocks(self) -> Iterator[bytes]:
        """The file's bytes, BLOCK_BYTES at a time."""
        with self.open() as handle:
            while block := handle.read(BLOCK_BYTES):
                yield block

    def without_bytes(self) -> SourceFile:
        """The same file without the bytes held in memory (what a worker process needs)."""
        return replace(self, data=b"")


def read_source(source: ContactSource, filename: str | None = None) -> SourceFile:
    """The kind of `source` (a text file scanned once, block by block); an InputError that
    says the fix for anything that is not a contact list. A path is not read into memory."""
    name, data, path = _read_bytes(source, filename)
    stamp = _stamp(path.stat()) if path is not None else None
    src = SourceFile(name, data, "text", Path(name).suffix.lower(), path, stamp)
    head = data[:_HEAD_BYTES] if path is None else _head(src)
    if not head.strip() and not any(block.strip() for block in src.blocks()):
        raise InputError(f"{name} is empty: export the contact list again (with a header row)")
    kind = _kind(src, head)
    if kind != "text":
        return replace(src, kind=kind)
    return replace(src, text=_check_text(src, head))


def _stamp(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_size, stat.st_mtime_ns


def _head(source: SourceFile) -> bytes:
    with source.open() as handle:
        return handle.read(_HEAD_BYTES)


def _read_bytes(source: ContactSource, filename: str | None) -> tuple[str, bytes, Path | None]:
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise InputError(f"{path} does not exist: check the path of the contact list")
        if path.is_dir():
            raise InputError(f"{path} is a folder: give the path of the contact list file")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
        return filename or path.name, b"", path
    if isinstance(source, bytes | bytearray | memoryview):
        return filename or "contacts", bytes(source), None
    content = source.read()
    name = filename or Path(str(getattr(source, "name", "") or "contacts")).name
    if isinstance(content, str):
        return name, content.encode("utf-8"), None
    return name, bytes(content), None


def _kind(source: SourceFile, head: bytes) -> SourceKind:
    name, extension = source.name, source.extension
    if head.startswith(_ZIP):
        return _zip_kind(source)
    if head.startswith(_OLE2):
        if "EncryptionInfo".encode("utf-16-le") in b"".join(source.blocks()):
            raise InputError(
                f"{name} is password-protected: open it in Excel, remove the password "
                "(File > Info > Protect Workbook) and save it again"
            )
        return "xls"
    for magic, what in _FOREIGN_MAGIC.items():
        if head.startswith(magic):
            raise InputError(
                f"{name} is {what}, not a contact list: export the list as CSV or XLSX"
            )
    if extension in _EXCEL_EXTENSIONS:
        raise InputError(
            f"{name} is not a valid Excel workbook: open it in Excel and save it again"
        )
    if extension == ".xls":
        raise InputError(f"{name} is not a valid .xls workbook: open it in Excel and save as .xlsx")
    return "text"


def _zip_kind(source: SourceFile) -> SourceKind:
    """An .xlsx is a zip with an `xl/` folder; tell the other zips apart for the message."""
    name = source.name
    try:
        with source.open() as handle:
            entries = zipfile.ZipFile(handle).namelist()
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


def _check_text(source: SourceFile, head: bytes) -> TextScan:
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head) is not None
    if not utf16 and b"\x00" in head:
        name = source.name
        raise InputError(f"{name} is a binary file, not a contact list: export it as CSV or XLSX")
    return scan_text(source.name, head, source.blocks(), utf16=utf16)
