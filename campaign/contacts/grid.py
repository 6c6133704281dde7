"""A grid of text cells read from a list file, each row knowing its line in the file."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass
class Grid:
    """Cells as text, positional columns, the header row (if any) still in it."""

    cells: pd.DataFrame
    #: Line in the CSV file (1-based) or Excel row number of each grid row.
    lines: np.ndarray
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    #: How the file reads (a garbled encoding), for the list's warnings.
    warnings: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str | None:
        return DELIMITER_NAMES.get(self.delimiter or "", self.delimiter)
