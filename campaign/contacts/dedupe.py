"""Rows whose numbers normalize to the same E.164 are one person: dial the first row only.

The other rows stay in the list, marked as duplicates of the first row's line, so the export
can give them its outcome; a duplicate whose vars differ from the first row's (another
appointment for the same number) is flagged, since only the first row's values are sent.

A list read in chunks keeps what it has seen in `SeenNumbers`: each number as an int64
(E.164 digits), its first line (int32) and a hash of its vars, in sorted runs merged as they
grow (20 bytes a distinct number, and a lookup per chunk that costs a binary search a run).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class SeenNumbers:
    """The numbers of earlier chunks: sorted runs of (number, first line, vars hash)."""

    runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(keys) for keys, _, _ in self.runs)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(found, first line, vars hash) for each key; line and hash are 0 where not found."""
        found = np.zeros(len(keys), dtype=bool)
        lines = np.zeros(len(keys), dtype=np.int64)
        hashes = np.zeros(len(keys), dtype=np.uint64)
        if not self.runs:
            return found, lines, hashes
        # The keys searched in sorted order walk each run front to back (a third of the
        # time of searching them in list order, where each search starts a cold descent).
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        for run_keys, run_lines, run_hashes in self.runs:
            at = np.searchsorted(run_keys, ordered)
            inside = at < len(run_keys)
            hit = np.zeros(len(keys), dtype=bool)
            hit[inside] = run_keys[at[inside]] == ordered[inside]
            rows = order[hit]
            found[rows] = True
            lines[rows] = run_lines[at[hit]]
            hashes[rows] = run_hashes[at[hit]]
        return found, lines, hashes

    def add(self, keys: np.ndarray, lines: np.ndarray, hashes: np.ndarray) -> None:
        """Record numbers not seen before (each key once)."""
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self.runs.append((keys[order], lines[order].astype(np.int32), hashes[order]))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            newer = self.runs.pop()
            self.runs.append(_merged(list(self.runs.pop()), newer))


def _merged(
    older: list[np.ndarray], newer: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two sorted runs of distinct keys as one, an array at a time, each of the older run's
    arrays let go once merged: at most the runs and one merged array are held (no argsort of
    the whole, which held three copies of every number)."""
    size = len(older[0]) + len(newer[0])
    into = np.searchsorted(older[0], newer[0]) + np.arange(len(newer[0]))
    kept = np.ones(size, dtype=bool)
    kept[into] = False
    merged = []
    for index, values in enumerate(newer):
        out = np.empty(size, dtype=values.dtype)
        out[into] = values
        out[kept] = older[index]
        older[index] = out[:0]  # the older array is freed here
        merged.append(out)
    return merged[0], merged[1], merged[2]


def e164_keys(e164: np.ndarray) -> np.ndarray:
    """`+12125550143` → 12125550143 (E.164 has at most 15 digits: an int64)."""
    return np.fromiter((int(n[1:]) for n in e164), dtype=np.int64, count=len(e164))


def find_duplicates(
    e164: np.ndarray,
    dialable: np.ndarray,
    lines: np.ndarray,
    var_hashes: np.ndarray | None = None,
    seen: SeenNumbers | None = None,
    *,
    keys: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is_duplicate, line of the first row with the number or None, vars differ) per row.

    Only `dialable` rows take part: a row rejected for its own reason never hides a later
    row with the same number. `var_hashes` (uint64 per row) tells differing vars apart;
    `seen` carries the numbers of earlier chunks and learns this chunk's new ones; `keys`
    are the rows' `e164_keys` when already known (a worker computed them).
    """
    is_duplicate = np.zeros(len(e164), dtype=bool)
    duplicate_of = np.full(len(e164), None, dtype=object)
    differs = np.zeros(len(e164), dtype=bool)
    positions = np.flatnonzero(dialable)
    if not len(positions):
        return is_duplicate, duplicate_of, differs
    hashes = (np.zeros(len(e164), dtype=np.uint64) if var_hashes is None else var_hashes)[positions]
    keys = e164_keys(e164[positions]) if keys is None else keys[positions]
    seen = seen if seen is not None else SeenNumbers()
    before, before_lines, before_hashes = seen.lookup(keys)
    first_lines = lines[positions].astype(np.int64)
    first_hashes = hashes.copy()
    # factorize numbers codes in order of first appearance: np.unique's first index per code
    # is the primary row of each number within this chunk.
    codes, _ = pd.factorize(keys)
    _, first = np.unique(codes, return_index=True)
    primary = first[codes]
    repeated = (primary != np.arange(len(positions))) | before
    first_lines = np.where(before, before_lines, first_lines[primary])
    first_hashes = np.where(before, before_hashes, first_hashes[primary])
    is_duplicate[positions[repeated]] = True
    duplicate_of[positions[repeated]] = first_lines[repeated].astype(object)
    differs[positions[repeated]] = hashes[repeated] != first_hashes[repeated]
    new = ~repeated & ~before
    seen.add(keys[new], lines[positions[new]].astype(np.int64), hashes[new])
    return is_duplicate, duplicate_of, differs
