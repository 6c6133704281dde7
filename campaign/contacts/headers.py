"""The header row: which row it is, and column names that are clean and unique.

Exports carry trailing delimiters (empty, unnamed columns), repeated headers ("Email",
"Email"), and sometimes no header at all (a bare list of numbers). Each case gets a name
the user can recognise and a warning rather than an error, so no data is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from campaign.contacts.columns import looks_like_date
from campaign.contacts.default_region import rank_countries
from campaign.contacts.model import RESERVED_COLUMNS
from campaign.contacts.phones import normalize_phone
from campaign.contacts.read import Grid
from campaign.errors import InputError
from campaign.i18n import gettext_


@dataclass
class Table:
    """Data rows only, under unique trimmed column names, in file order."""

    frame: pd.DataFrame
    lines: np.ndarray
    columns: list[str]
    warnings: list[str] = field(default_factory=list)
    #: False when the first row held data and columns were named column_1, column_2, ...
    has_header: bool = True


@dataclass(frozen=True)
class Layout:
    """Where the header is and which columns are kept, decided once from the first grid
    and applied to every chunk of the file."""

    header_line: int  # file line of the header (or of the first data row without one)
    keep: list[int]
    columns: list[str]
    has_header: bool
    warnings: list[str]

    def table(self, grid: Grid) -> Table:
        """The data rows of `grid`, any chunk of the file: blank rows and the header left out.
        A chunk narrower than the kept columns (an Excel sheet's rows up to there were
        shorter) has empty cells in the others, as the sheet read whole had."""
        cells = grid.cells
        if self.keep and cells.shape[1] <= self.keep[-1]:
            cells = cells.reindex(columns=range(self.keep[-1] + 1), fill_value="")
        filled = cells.to_numpy(dtype=object) != ""
        rows = np.flatnonzero(filled.any(axis=1))
        lines = grid.lines[rows]
        rows = (
            rows[lines > self.header_line] if self.has_header else rows[lines >= self.header_line]
        )
        frame = cells.iloc[rows, self.keep]
        frame.columns = pd.Index(self.columns)
        frame = frame.reset_index(drop=True)
        return Table(frame, grid.lines[rows], self.columns, list(self.warnings), self.has_header)


def build_table(name: str, grid: Grid, region: str | None) -> Table:
    """The data rows of a whole grid under clean names."""
    return plan_layout(name, grid, region).table(grid)


def plan_layout(name: str, grid: Grid, region: str | None, head_rows: int | None = None) -> Layout:
    """The header and columns, from the first `head_rows` rows of `grid` (None: all)."""
    cells = grid.cells if head_rows is None else grid.cells.iloc[:head_rows]
    if cells.shape[0] == 0 or cells.shape[1] == 0:
        raise InputError(f"{name} is empty: export the contact list again (with a header row)")
    # Every cell is a str by now (read.py), so "filled" is just "not the empty string".
    filled = cells.to_numpy(dtype=object) != ""
    row_filled = filled.any(axis=1)
    nonblank = np.flatnonzero(row_filled)
    if not len(nonblank):
        raise InputError(f"{name} is empty: export the contact list again (with a header row)")
    header_at = int(nonblank[0])
    header_cells = [_clean_name(value) for value in cells.iloc[header_at].tolist()]
    warnings: list[str] = list(grid.warnings)
    has_header = not _is_data_row(header_cells, region)
    if has_header:
        data_rows = nonblank[1:]
    else:
        data_rows = nonblank
        header_cells = [""] * len(header_cells)
        warnings.append(
            gettext_(
                "no header row in %(name)s: line %(line)s holds data, so the columns are named "
                "column_1, column_2, ..."
            )
            % {"name": name, "line": grid.lines[header_at]}
        )
    if not len(data_rows):
        raise InputError(
            f"{name} has a header row but no contacts: add one contact per line below it"
        )
    column_has_data = filled[data_rows].any(axis=0)
    keep: list[int] = []
    names: list[str] = []
    for position, header in enumerate(header_cells):
        if not header and not column_has_data[position]:
            continue  # a trailing delimiter or an empty spreadsheet column
        keep.append(position)
        names.append(header)
    names = _unique_names(names, [p + 1 for p in keep], warnings, has_header)
    return Layout(int(grid.lines[header_at]), keep, names, has_header, warnings)


def _clean_name(value: object) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.replace("\ufeff", "").split())


def _is_data_row(cells: list[str], region: str | None) -> bool:
    """A first row with a dialable number in it is data, not a header (`region` None: a
    number of any country)."""
    if region is None:
        return any(
            cell and not looks_like_date(cell) and rank_countries([cell]) for cell in cells
        ) or any(cell and normalize_phone(cell, None).ok for cell in cells)
    return any(cell and normalize_phone(cell, region).ok for cell in cells)


def _unique_names(
    names: list[str], positions: list[int], warnings: list[str], has_header: bool
) -> list[str]:
    taken: set[str] = set()
    out: list[str] = []
    for name, position in zip(names, positions, strict=True):
        if not name:
            candidate = _free(f"column_{position}", taken, names)
            if has_header:
                warnings.append(
                    gettext_(
                        "column %(position)s has no header: it is called %(name)s; give it a "
                        "header in the file to choose the name"
                    )
                    % {"position": position, "name": repr(candidate)}
                )
        elif name in taken or name in RESERVED_COLUMNS:
            candidate = _free(name, taken, names)
            words = {"header": repr(name), "position": position, "name": repr(candidate)}
            warnings.append(
                gettext_(
                    "header %(header)s is a reserved name: column %(position)s is called "
                    "%(name)s; rename it in the file to choose the name"
                )
                % words
                if name in RESERVED_COLUMNS
                else gettext_(
                    "header %(header)s appears twice: column %(position)s is called %(name)s; "
                    "rename it in the file to choose the name"
                )
                % words
            )
        else:
            candidate = name
        taken.add(candidate)
        out.append(candidate)
    return out


def _free(base: str, taken: set[str], names: list[str]) -> str:
    if base not in taken and base not in names and base not in RESERVED_COLUMNS:
        return base
    suffix = 2
    while f"{base}_{suffix}" in taken or f"{base}_{suffix}" in names:
        suffix += 1
    return f"{base}_{suffix}"
