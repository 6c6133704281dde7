"""Whether a table's content is right-to-left (Hebrew, Arabic), for the sheets made of it.

An Israeli clinic's list has Hebrew headers, names and transcripts: its export opens in
Excel right-to-left, as Excel shows a sheet typed in Hebrew. A table is right-to-left when
its headers hold a right-to-left letter, or when most of the sampled text cells that hold
letters hold right-to-left ones (an English-headed list of Hebrew names).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Text cells looked at; the first rows tell the content.
SAMPLE_ROWS = 200


def has_rtl_letter(text: str) -> bool:
    """True when `text` holds a right-to-left letter (Unicode bidi class R or AL)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def _has_letter(text: str) -> bool:
    return any(char.isalpha() for char in text)


def is_rtl_text(values: Iterable[object]) -> bool:
    """Most of the values with letters in them have right-to-left letters."""
    lettered = rtl = 0
    for value in values:
        if isinstance(value, str) and _has_letter(value):
            lettered += 1
            rtl += has_rtl_letter(value)
    return lettered > 0 and rtl * 2 > lettered


def is_rtl_table(frame: pd.DataFrame) -> bool:
    """The table reads right-to-left (see the module docstring)."""
    if any(has_rtl_letter(str(column)) for column in frame.columns):
        return True
    head = frame.head(SAMPLE_ROWS)  # non-text cells are skipped by is_rtl_text
    return is_rtl_text(value for column in head.columns for value in head[column].tolist())
