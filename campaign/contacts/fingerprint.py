"""A fingerprint of what a list would dial: the same people with the same vars, any order.

Used to tell "the same list again" (resume the campaign) from "a different list" (refuse or
ask), even when rows were re-sorted or the numbers formatted differently in the spreadsheet.
Each valid row (E.164 and its vars) is hashed by pandas (a fixed-key SipHash, the same in
every process); the fingerprint combines the row hashes as a multiset (their count, sum and
xor), so a list read in chunks, in any order, gets the same fingerprint as in one read.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from campaign.contacts.model import ContactList

_MASK = (1 << 64) - 1


def fingerprint_order(var_mapping: dict[str, str]) -> list[int]:
    """Positions in `var_mapping` (column → var name) of the vars, by var name: the order
    in which a row's trimmed var cells enter its hash."""
    names = list(var_mapping.values())
    return sorted(range(len(names)), key=names.__getitem__)


def row_hashes(e164: np.ndarray, stripped: list[np.ndarray]) -> np.ndarray:
    """The hash of each row's (E.164, trimmed var cells in `fingerprint_order`), uint64.
    Computed where the cells are (a worker process, see chunk.py) or by `Fingerprint.add`:
    pandas' fixed-key hash is the same in every process."""
    # Empty cells are never in a row's vars, so "" stands for "absent" without ambiguity.
    table = pd.DataFrame({"_e164": e164} | {f"v{i}": values for i, values in enumerate(stripped)})
    return pd.util.hash_pandas_object(table, index=False).to_numpy(dtype=np.uint64)


class Fingerprint:
    """Accumulates the valid rows of each chunk; `hexdigest()` at the end."""

    def __init__(self, var_mapping: dict[str, str]) -> None:
        by_name = {name: column for column, name in var_mapping.items()}
        self.names = sorted(by_name)
        self._columns = [by_name[name] for name in self.names]
        self.count = 0
        self._sum = 0
        self._xor = 0

    def add(self, chunk: ContactList) -> None:
        frame = chunk.frame
        valid = (frame["_status"] == "valid").to_numpy(dtype=bool)
        if not valid.any():
            return
        stripped = [
            np.array([cell.strip() for cell in frame[column].to_numpy(dtype=object)[valid]],
                     dtype=object)
            for column in self._columns
        ]  # fmt: skip
        self.add_hashes(row_hashes(frame["_e164"].to_numpy(dtype=object)[valid], stripped))

    def add_hashes(self, hashes: np.ndarray) -> None:
        """The `row_hashes` of some valid rows."""
        if not len(hashes):
            return
        self.count += len(hashes)
        self._sum = (self._sum + int(hashes.sum(dtype=np.uint64))) & _MASK
        self._xor ^= int(np.bitwise_xor.reduce(hashes))

    def hexdigest(self) -> str:
        payload: list[Any] = [self.names, self.count, self._sum, self._xor]
        return hashlib.sha256(json.dumps(payload).encode("ascii")).hexdigest()


def list_fingerprint(contact_list: Any) -> str:
    """sha256 hex of the valid rows' (E.164, vars), in any order (a ContactList, or a
    stream, which computes it while it is read)."""
    if not isinstance(contact_list, ContactList):
        return str(contact_list.fingerprint)
    accumulator = Fingerprint(contact_list.var_mapping)
    accumulator.add(contact_list)
    return accumulator.hexdigest()
