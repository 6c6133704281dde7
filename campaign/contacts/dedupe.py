"""Rows whose numbers normalize to the same E.164 are one person: dial the first row only.

The other rows stay in the list, marked as duplicates of the first row's line, so the export
can give them its outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def find_duplicates(
    e164: np.ndarray, dialable: np.ndarray, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(is_duplicate bool array, line of the first row with the number or None per row).

    Only `dialable` rows take part: a row rejected for its own reason never hides a later
    row with the same number.
    """
    is_duplicate = np.zeros(len(e164), dtype=bool)
    duplicate_of = np.full(len(e164), None, dtype=object)
    positions = np.flatnonzero(dialable)
    if not len(positions):
        return is_duplicate, duplicate_of
    codes, _ = pd.factorize(e164[positions])
    # factorize numbers codes in order of first appearance: np.unique's first index per code
    # is the primary row of each number.
    _, first = np.unique(codes, return_index=True)
    primary = positions[first[codes]]
    repeated = primary != positions
    is_duplicate[positions[repeated]] = True
    duplicate_of[positions[repeated]] = lines[primary[repeated]].astype(object)
    return is_duplicate, duplicate_of
