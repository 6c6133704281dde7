"""A loaded contact list: every input row, in input order, with what became of it.

The frame holds the original cells as text plus reserved `_` columns; no row is ever
dropped, so rejected and duplicate rows can be shown, stored and exported with the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from campaign.contacts.rowvars import build_vars

ContactStatus = Literal["valid", "invalid", "duplicate"]
FoundBy = Literal["option", "header", "content"]

RESERVED_COLUMNS = (
    "_line",
    "_e164",
    "_status",
    "_reason",
    "_duplicate_of",
    "_vars",
    "_from_number",
    "_agent_id",
    "_timezone",
    "_region",
    "_warning",
)


@dataclass(frozen=True)
class ContactRow:
    """One input row: its place in the file, its cells, and its normalized fields."""

    line: int
    position: int  # 0-based row index in the list (header excluded)
    raw: dict[str, str]
    raw_phone: str
    e164: str | None
    status: ContactStatus
    reason: str | None
    duplicate_of: int | None  # line of the row that is dialed for this number
    vars: dict[str, str]
    from_number: str | None
    agent_id: str | None
    timezone: str | None
    region: str | None
    warning: str | None

    @property
    def dialable(self) -> bool:
        return self.status == "valid"


@dataclass(frozen=True)
class ContactCounts:
    total: int
    valid: int
    invalid: int
    duplicate: int

    def __getitem__(self, key: str) -> int:
        return int(getattr(self, key))

    def as_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "valid": self.valid,
            "invalid": self.invalid,
            "duplicate": self.duplicate,
        }


class ContactRows(Protocol):
    """What storing a list needs: a ContactList in memory, or a ContactStream read in chunks."""

    source_name: str
    columns: list[str]
    phone_column: str
    var_mapping: dict[str, str]

    @property
    def counts(self) -> ContactCounts: ...

    def rows(self, status: ContactStatus | None = None) -> Iterator[ContactRow]: ...

    def chunks(self) -> Iterator[ContactList]: ...


@dataclass
class ContactList:
    source_name: str
    columns: list[str]
    phone_column: str
    phone_column_found_by: FoundBy
    var_mapping: dict[str, str]
    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    region: str = "US"
    #: How the default region was chosen (option, from_numbers, list, fallback) and why.
    region_source: str = "option"
    region_reason: str = ""
    region_column: str | None = None
    from_column: str | None = None
    agent_column: str | None = None
    timezone_column: str | None = None
    #: The agent whose var contract was checked, if any.
    agent_id: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    #: Seconds spent per phase (reading, normalizing, vars, deduplicating, total).
    timings: dict[str, float] = field(default_factory=dict)
    #: Position of the frame's first row in the whole list (a chunk of a stream: > 0).
    first_position: int = 0
    #: The JSON text the store keeps of each row's cells and vars, when the chunk was
    #: prepared for storing (rowjson.py); None: the store encodes them itself.
    raw_json: np.ndarray | None = None
    vars_json: np.ndarray | None = None
    #: False when the rows' vars were not made with them (`open_contacts(with_vars=False)`):
    #: the `_vars` column is None throughout and `row_vars()` makes them from the cells.
    vars_made: bool = True

    def __len__(self) -> int:
        return len(self.frame)

    def chunks(self) -> Iterator[ContactList]:
        """The list as one chunk (a ContactStream gives many)."""
        yield self

    @property
    def counts(self) -> ContactCounts:
        status = self.frame["_status"].value_counts()
        return ContactCounts(
            total=len(self.frame),
            valid=int(status.get("valid", 0)),
            invalid=int(status.get("invalid", 0)),
            duplicate=int(status.get("duplicate", 0)),
        )

    @property
    def known_counts(self) -> ContactCounts:
        """The counts (in memory: always known, as a ContactStream's after a full pass)."""
        return self.counts

    def rows(self, status: ContactStatus | None = None) -> Iterator[ContactRow]:
        """Every row in input order (or only those with `status`)."""
        frame = self.frame
        start = self.first_position
        positions: Sequence[int] = range(start, start + len(frame))
        if status is not None:
            mask = (frame["_status"] == status).to_numpy()
            frame = frame[mask]
            positions = [start + int(p) for p in mask.nonzero()[0]]
        originals = [frame[c].tolist() for c in self.columns]
        reserved = {name: frame[name].tolist() for name in RESERVED_COLUMNS if name != "_vars"}
        reserved["_vars"] = self._vars_of(frame)
        phone_values = frame[self.phone_column].tolist()
        for index, position in enumerate(positions):
            yield ContactRow(
                line=int(reserved["_line"][index]),
                position=position,
                raw={c: values[index] for c, values in zip(self.columns, originals, strict=True)},
                raw_phone=phone_values[index],
                e164=reserved["_e164"][index],
                status=reserved["_status"][index],
                reason=reserved["_reason"][index],
                duplicate_of=_int_or_none(reserved["_duplicate_of"][index]),
                vars=reserved["_vars"][index],
                from_number=reserved["_from_number"][index],
                agent_id=reserved["_agent_id"][index],
                timezone=reserved["_timezone"][index],
                region=reserved["_region"][index],
                warning=reserved["_warning"][index],
            )

    def row_vars(self) -> list[dict[str, str]]:
        """Each row's vars, in order: as the chunk was prepared with them, or made now from
        the row's cells (a list opened `with_vars=False`)."""
        return self._vars_of(self.frame)

    def _vars_of(self, frame: pd.DataFrame) -> list[dict[str, str]]:
        if self.vars_made:
            return list(frame["_vars"].tolist())
        return build_vars(frame, self.var_mapping)

    def rejected_frame(self) -> pd.DataFrame:
        """The rows that will not be dialed for a reason of their own (not duplicates)."""
        rejected = self.frame[self.frame["_status"] == "invalid"]
        line = "line" if "line" not in self.columns else "_line"
        reason = "reason" if "reason" not in self.columns else "_reason"
        out = pd.DataFrame({line: rejected["_line"].to_numpy()})
        for column in self.columns:
            out[column] = rejected[column].to_numpy()
        out[reason] = rejected["_reason"].to_numpy()
        return out

    def write_rejected(self, path: str | Path) -> int:
        """Write the rejected rows as CSV (UTF-8 with BOM so Excel shows accents); the count."""
        rejected = self.rejected_frame()
        rejected.to_csv(Path(path), index=False, encoding="utf-8-sig")
        return len(rejected)


def _int_or_none(value: Any) -> int | None:
    if value is None or value is pd.NA:
        return None
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        return None
    return int(value)
