"""A list is read from its path a block at a time: its bytes are never held whole, and what
is learnt block by block (encoding, longest line, quotes) is what the whole file says."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from campaign.contacts import ImportOptions, open_contacts
from campaign.contacts import source as source_module
from campaign.contacts.encoding import EncodingSniffer
from campaign.contacts.read import iter_grids
from campaign.contacts.scan import LongestLine
from campaign.contacts.source import SourceFile, read_source
from campaign.errors import InputError

WriteFile = Callable[..., Path]


class _CountedRaw(io.RawIOBase):
    """A file handle that notes the size of every read from the disk."""

    def __init__(self, handle: io.BufferedIOBase, reads: list[int]) -> None:
        self._handle = handle
        self._reads = reads

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._handle.readinto(buffer)
        self._reads.append(count)
        return count

    def close(self) -> None:
        self._handle.close()
        super().close()


def test_a_list_file_is_never_read_whole(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(f'Ana {i},"(212) 555-{i % 10000:04d}",vip\n' for i in range(300_000))
    path = write_file("big.csv", "name,phone,note\n" + rows)
    size = path.stat().st_size
    block = 1 << 18
    monkeypatch.setattr(source_module, "BLOCK_BYTES", block)
    reads: list[int] = []
    opened = SourceFile.open

    def counted(self: SourceFile) -> io.BufferedReader:
        return io.BufferedReader(_CountedRaw(opened(self), reads))  # type: ignore[arg-type]

    monkeypatch.setattr(SourceFile, "open", counted)
    source = read_source(path)
    assert source.data == b""  # the bytes stay on the disk
    assert sum(reads) >= size  # the scan read all of it...
    assert max(reads) <= block < size / 32  # ...a block at a time
    reads.clear()
    first = next(iter_grids(source, chunk_rows=1000))
    assert len(first.cells) == 1000
    # The first chunk of a pass is parsed from the file's first bytes, not from all of it.
    assert sum(reads) <= 2 * 1024 * 1024 < size / 4


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("cp1255", b"\xef\xbb\xbf"), ("utf-16", b"")],
)
def test_a_list_read_from_its_path_is_the_list_read_from_its_bytes(
    write_file: WriteFile, encoding: str, bom: bytes
) -> None:
    two_lines = "שתי\nשורות"
    lines = ["שם,טלפון,הערה"] + [
        f'{"דנה" if i % 3 else "Ana"},052-555-{i:04d},"{two_lines if i % 50 == 0 else "x"}"'
        for i in range(1500)
    ]
    data = bom + ("\n".join(lines) + "\n").encode(encoding)
    path = write_file("list.csv", data)
    israel = ImportOptions(region="IL")
    from_path = open_contacts(path, israel, chunk_rows=700, workers=1).collect()
    from_bytes = open_contacts(
        data, israel, filename="list.csv", chunk_rows=None, workers=1
    ).collect()
    pd.testing.assert_frame_equal(from_path.frame, from_bytes.frame)
    assert from_path.encoding == from_bytes.encoding
    assert from_path.columns == ["שם", "טלפון", "הערה"]  # a BOM is not text, whatever follows
    assert from_path.frame["_line"].iloc[-1] == len(lines) + 1500 // 50  # the quoted breaks


def _hebrew_far_down() -> bytes:
    """Windows-1255 Hebrew only after 300 KB of ASCII rows (the sample is 256 KB)."""
    ascii_rows = "".join(f"Ana,+1212555{i % 10000:04d}\n" for i in range(14_000))
    names = ["דנה כהן", "יוסי לוי", "מיכל אברהם", "רון שפירא", "נועה פרידמן", "אבי מזרחי"]
    hebrew = "".join(f"{names[i % len(names)]},05255512{i:02d}\n" for i in range(60))
    return ("name,phone\n" + ascii_rows + hebrew).encode("cp1255")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("name,phone\nJosé,1\nZoë,2\n".encode(), id="utf-8"),
        pytest.param(b"\xef\xbb\xbfname,phone\nJos\xc3\xa9,1\n", id="utf-8-bom"),
        pytest.param(b"\xef\xbb\xbf" + "שם,טלפון\nדנה,1\n".encode("cp1255"), id="bom-cp1255"),
        pytest.param("name,phone\nJosé,1\n".encode("cp1252"), id="cp1252"),
        pytest.param("name,phone\nJosé,1\n".encode() + b"Zo\xeb,2\n", id="utf-8-till-last"),
        pytest.param("שם,טלפון\nדנה,1\nרון,2".encode("cp1255"), id="no-final-newline"),
        pytest.param("éåñé ëäï,1\n".encode() * 3, id="mojibake"),
        pytest.param(_hebrew_far_down(), id="hebrew-far-down"),
    ],
)
@pytest.mark.parametrize("block", [7, 4093, 1 << 22])
def test_the_encoding_found_block_by_block_is_the_whole_files(data: bytes, block: int) -> None:
    whole = EncodingSniffer()
    whole.feed(data)
    parts = EncodingSniffer()
    for start in range(0, len(data), block):
        parts.feed(data[start : start + block])
    assert parts.result("list.csv") == whole.result("list.csv")


def test_hebrew_far_down_the_file_is_still_found() -> None:
    sniffer = EncodingSniffer()
    sniffer.feed(_hebrew_far_down())
    assert sniffer.result("list.csv").encoding == "cp1255"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\nbb\nccc\n", (3, 3)),
        (b"a\nbbbbbb\nccc", (6, 2)),
        (b"aaaa\nb\ncccccccc", (8, 3)),  # the last line has no newline
        (b"a\rbbbbb\rcc\r", (5, 2)),  # old Mac line endings
        (b"aaaaaaaaaaaa", (12, 1)),
    ],
)
@pytest.mark.parametrize("block", [1, 3, 100])
def test_the_longest_line_found_block_by_block(
    data: bytes, expected: tuple[int, int], block: int
) -> None:
    longest = LongestLine(data)
    for start in range(0, len(data), block):
        longest.feed(data[start : start + block])
    assert longest.finish() == expected


def test_a_file_changed_between_passes_is_refused(write_file: WriteFile) -> None:
    path = write_file("list.csv", "name,phone\nAna,2125550143\nBo,2125550144\n")
    stream = open_contacts(path)
    assert stream.counts.valid == 2
    path.write_text("name,phone\nAna,2125550143\nBo,2125550144\nCy,2125550145\n")
    with pytest.raises(InputError, match="changed while it was being read"):
        list(stream.chunks())
