"""One pass over a text list's bytes, a block at a time, before it is parsed.

What must be known of the whole file before its first row is read, learnt without holding
more than a block: that no line is absurdly long (a file that lost its newlines), whether a
quote occurs anywhere (quoted cells may span lines, see read.py), and the encoding (UTF-8
only if every block decodes; the code page from the lines with non-ASCII bytes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from campaign.contacts.encoding import Decoded, EncodingSniffer
from campaign.errors import InputError

#: No contact list has a line this long; a file that does is not a list (or lost its newlines).
MAX_LINE_BYTES = 1_000_000


@dataclass(frozen=True)
class TextScan:
    decoded: Decoded
    #: A `"` somewhere in the file.
    quoted: bool


def scan_text(name: str, head: bytes, blocks: Iterable[bytes], *, utf16: bool) -> TextScan:
    """The scan of the file whose bytes are `blocks` (`head`: its first ones); an InputError
    for a line no list has."""
    sniffer = EncodingSniffer()
    lines = LongestLine(head)
    quoted = False
    for block in blocks:
        sniffer.feed(block)
        lines.feed(block)
        quoted = quoted or b'"' in block
    longest, line = lines.finish()
    if longest > MAX_LINE_BYTES * (2 if utf16 else 1):
        raise InputError(
            f"{name}: line {line} is {longest / 1e6:.1f} MB long, which no contact list has: "
            "check that the file is a CSV with one contact per line"
        )
    return TextScan(sniffer.result(name), quoted)


class LongestLine:
    """Length in bytes and 1-based number of the longest line of blocks fed in order
    (numpy: fast on 100 MB). Lines end with LF, or with CR in a file whose `head` (first
    bytes) has CRs and no LF (old Mac exports)."""

    def __init__(self, head: bytes) -> None:
        self._newline = 10 if b"\n" in head or b"\r" not in head else 13
        self._offset = 0  # bytes fed before the current block
        self._line_start = 0  # byte where the current line starts; lines ended so far
        self._lines_before = 0
        self.longest, self.longest_line = 0, 1

    def feed(self, block: bytes) -> None:
        if not block:
            return
        array = np.frombuffer(block, dtype=np.uint8)
        breaks = np.flatnonzero(array == self._newline) + self._offset
        self._offset += len(block)
        if not len(breaks):
            return
        bounds = np.concatenate(([self._line_start - 1], breaks))
        lengths = np.diff(bounds) - 1
        index = int(np.argmax(lengths))
        if lengths[index] > self.longest:
            self.longest, self.longest_line = int(lengths[index]), self._lines_before + index + 1
        self._lines_before += len(breaks)
        self._line_start = int(breaks[-1]) + 1

    def finish(self) -> tuple[int, int]:
        if self._offset - self._line_start > self.longest:
            self.longest, self.longest_line = (
                self._offset - self._line_start,
                self._lines_before + 1,
            )
        return self.longest, self.longest_line
