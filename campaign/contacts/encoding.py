"""Bytes of a text export → str, whatever the spreadsheet program chose to write.

A BOM says UTF-8/16/32 (but Excel on Windows may write a UTF-8 BOM in front of code-page
text, so that case is detected too); UTF-16 without a BOM is spotted by its zero bytes; text
that is valid UTF-8 is UTF-8. Anything else is a single-byte code page, and which one is the
job of charset-normalizer: Excel saves Hebrew as Windows-1255, Western European text as
Windows-1252, Russian as Windows-1251, Arabic as Windows-1256. Where several code pages read
the bytes equally well (a few accented letters fit cp1250 and cp1252 alike), the one of the
users' markets wins (MARKET_CODE_PAGES). Text that still reads as garbage in the chosen
encoding ("éåñé ëäï" for Hebrew read as cp1252) is a warning, never silence.

A file is fed to EncodingSniffer a block at a time (contacts/scan.py), so its bytes are
never held whole: what it finds is what detect_encoding finds on all the bytes at once.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field

from campaign.errors import InputError

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
#: Share of control characters above which decoded text is garbage, not a list.
_MAX_CONTROL_SHARE = 0.01
#: Code pages preferred, in this order, when the detector finds several equally good.
MARKET_CODE_PAGES = ("cp1255", "cp1252", "cp1251", "cp1256", "cp1250", "cp1253", "cp1254")
#: Bytes of non-ASCII lines given to the detector (the rest of the file is ASCII).
_SAMPLE_BYTES = 256 * 1024
#: charset-normalizer's mess ratio above which decoded text is called garbled.
MOJIBAKE_RATIO = 0.2
_SHOWN_CHARS = 40


@dataclass(frozen=True)
class Decoded:
    """How to read the bytes: the codec, where the text starts (after a BOM), and warnings."""

    encoding: str
    offset: int = 0
    warnings: list[str] = field(default_factory=list)


def decode_head(name: str, head: bytes, encoding: str) -> str:
    """The first bytes of a file as text (a character cut at the end is dropped); an
    InputError when they read as garbage."""
    codec = encoding.replace("-sig", "")
    decoder = codecs.getincrementaldecoder(codec)(
        errors="strict" if codec.startswith("utf") else "replace"
    )
    try:
        text = decoder.decode(head).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid {encoding.upper()} text: save it again as CSV UTF-8"
        ) from exc
    _check_readable(name, text)
    return text


def detect_encoding(name: str, data: bytes) -> Decoded:
    """The encoding of `data` (the whole file: UTF-8 is only UTF-8 if all of it is)."""
    sniffer = EncodingSniffer()
    for start in range(0, len(data), _STEP):
        sniffer.feed(data[start : start + _STEP])
    return sniffer.result(name)


_STEP = 1 << 22


class EncodingSniffer:
    """detect_encoding over a file fed block by block, so no more than a block is held.

    A BOM or UTF-16 is told by the first block; UTF-8 is checked by an incremental decoder
    over every block; the lines that hold non-ASCII bytes are kept, up to a sample for the
    code-page detector, as they go by."""

    def __init__(self) -> None:
        self._head = b""
        self._utf8: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder("utf-8")()
        self._lines = NonAsciiLines()

    def feed(self, block: bytes) -> None:
        if not block:
            return
        if not self._head:
            self._head = block
        if self._utf8 is not None:
            try:
                self._utf8.decode(block)
            except UnicodeDecodeError:
                self._utf8 = None
        self._lines.feed(block)

    def result(self, name: str) -> Decoded:
        data = self._head
        if data.startswith(_UTF32_BOMS):
            return Decoded("utf-32")
        if data.startswith(_UTF16_BOMS):
            return Decoded("utf-16")
        offset = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
        if not offset:
            utf16 = utf16_without_bom(data)
            if utf16:
                return Decoded(utf16)
        lines = self._lines.finish()
        if self._utf8 is not None and _ends_utf8(self._utf8):
            encoding = "utf-8-sig" if offset else "utf-8"
            return Decoded(encoding, 0, _mojibake_warnings(name, lines, encoding))
        if offset:  # the BOM is not text: the first line counts for what follows it
            lines = lines.removeprefix(_UTF8_BOM)
        sample = non_ascii_sample(lines)
        encoding = _code_page(sample)
        return Decoded(encoding, offset, _mojibake_warnings(name, sample, encoding))


def _ends_utf8(decoder: codecs.IncrementalDecoder) -> bool:
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class NonAsciiLines:
    """The lines with non-ASCII bytes of a file fed block by block, in order, until a
    sample's worth (and the first line) is kept: non_ascii_sample of what it keeps is
    non_ascii_sample of the whole file."""

    def __init__(self, limit: int = _SAMPLE_BYTES) -> None:
        self.limit = limit
        self._kept: list[bytes] = []
        self._size = 0
        self._first = -1  # size of the first line, once seen
        self._carry = b""  # the line the last block cut

    def feed(self, block: bytes) -> None:
        if self._full():
            return
        data = self._carry + block
        end = data.rfind(b"\n") + 1
        self._carry = data[end:]
        if len(self._carry) > MAX_SAMPLE_LINE:  # a line that long is kept in part
            data, end, self._carry = data + b"\n", len(data) + 1, b""
        if end:
            self._keep(data[:end])

    def finish(self) -> bytes:
        if self._carry and not self._full():
            self._keep(self._carry)
        self._carry = b""
        return b"".join(self._kept)

    def _full(self) -> bool:
        return self._first >= 0 and self._size - self._first >= self.limit

    def _keep(self, lines: bytes) -> None:
        if self._first < 0:
            first = lines.find(b"\n") + 1 or len(lines)
            self._first = first
            self._kept.append(lines[:first])
            self._size = first
            lines = lines[first:]
        sample = non_ascii_sample(lines, self.limit + self._first - self._size)
        self._kept.append(sample)
        self._size += len(sample)


#: A "line" longer than this (a file without newlines) is cut for the sample.
MAX_SAMPLE_LINE = 1 << 22


def non_ascii_sample(data: bytes, limit: int = _SAMPLE_BYTES) -> bytes:
    """The lines of `data` that hold non-ASCII bytes, up to `limit` bytes (the detector
    learns nothing from ASCII, and a list's accents may all be far down the file)."""
    import numpy as np

    array = np.frombuffer(data, dtype=np.uint8)
    lines: list[bytes] = []
    size = 0
    end = 0
    step = 1 << 20
    for block in range(0, len(data), step):
        if size >= limit:
            break
        high = np.flatnonzero(array[block : block + step] >= 0x80) + block
        at = int(np.searchsorted(high, end))
        while at < len(high) and size < limit:
            index = int(high[at])
            start = data.rfind(b"\n", 0, index) + 1
            end = data.find(b"\n", index)
            end = len(data) if end < 0 else end + 1
            lines.append(data[start:end])
            size += end - start
            at = int(np.searchsorted(high, end))
    return b"".join(lines)


def _code_page(sample: bytes) -> str:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample))
    if not matches:
        return "cp1252" if _decodes(sample, "cp1252") else "latin-1"
    best = matches[0]
    ties = [
        m for m in matches if m.chaos <= best.chaos + 0.01 and m.coherence >= best.coherence - 0.01
    ]
    for code_page in MARKET_CODE_PAGES:
        for match in ties:
            if code_page in match.could_be_from_charset:
                return code_page
    return str(best.encoding)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _mojibake_warnings(name: str, data: bytes, encoding: str) -> list[str]:
    """A warning when the non-ASCII text, decoded as `encoding`, reads as garbage."""
    sample = non_ascii_sample(data, limit=64 * 1024)
    if not sample:
        return []
    text = sample.decode(encoding.replace("-sig", ""), errors="replace")
    try:
        from charset_normalizer.md import mess_ratio
    except ImportError:  # an older charset-normalizer: no opinion
        return []
    if mess_ratio(text, maximum_threshold=1.0) < MOJIBAKE_RATIO:
        return []
    shown = next((line.strip() for line in text.splitlines() if not line.isascii()), text)[
        :_SHOWN_CHARS
    ]
    return [
        f"the text of {name} looks garbled when read as {encoding} ({shown!r}): names may "
        "reach the agent broken; save the list again as CSV UTF-8 (in Excel: Save As, "
        "CSV UTF-8)"
    ]


def _strict(name: str, data: bytes, encoding: str) -> str:
    """UTF-8/16/32 must decode; a code page may leave a byte undefined (replaced, and
    counted as garbage by _check_readable)."""
    unicode = encoding.startswith("utf")
    try:
        text = data.decode(encoding, errors="strict" if unicode else "replace")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid {encoding.upper()} text: save it again as CSV UTF-8"
        ) from exc
    return text.removeprefix("\ufeff")


def utf16_without_bom(data: bytes) -> str | None:
    sample = data[:2000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.8 * len(odd):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even):
        return "utf-16-be"
    return None


def _check_readable(name: str, text: str) -> None:
    sample = text[:65536]
    if not sample:
        return
    garbage = sum(
        1
        for char in sample
        if char == "\ufffd" or (char not in "\t\r\n" and unicodedata.category(char) == "Cc")
    )
    if garbage > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(
            f"cannot read the text of {name} (unknown encoding or not a text file): "
            "save it again as CSV UTF-8"
        )
