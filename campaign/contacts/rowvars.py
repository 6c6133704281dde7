"""Each row's vars from its cells: the var columns' trimmed values, empty cells left out.

Pure (numpy and pandas only), so both the workers that prepare a chunk (`chunk.py`) and a
chunk read without them (`model.ContactList.row_vars`) make them the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def build_vars(frame: pd.DataFrame, mapping: dict[str, str]) -> list[dict[str, str]]:
    """One dict per row: trimmed values, empty cells left out."""
    return vars_from_stripped(mapping, stripped_columns(frame, mapping), len(frame))


def stripped_columns(frame: pd.DataFrame, mapping: dict[str, str]) -> list[np.ndarray]:
    """The trimmed cells of each var column (object arrays, in mapping order)."""
    return [
        np.array([cell.strip() for cell in frame[column].tolist()], dtype=object)
        for column in mapping
    ]


def vars_from_stripped(
    mapping: dict[str, str], stripped: list[np.ndarray], size: int
) -> list[dict[str, str]]:
    if not mapping:
        return [{} for _ in range(size)]
    names = list(mapping.values())
    # Most rows fill every var column: dict(zip()) is the fast path for them.
    complete = np.logical_and.reduce([values != "" for values in stripped]).tolist()
    return [
        dict(zip(names, row, strict=True))
        if full
        else {name: cell for name, cell in zip(names, row, strict=True) if cell}
        for row, full in zip(zip(*stripped, strict=True), complete, strict=True)
    ]
