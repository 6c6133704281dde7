"""Normalizing a whole phone column: each distinct (raw, region) once, on every core.

Repeated values are parsed once (pandas.factorize). With the compiled rphonenumbers a number
costs a few µs and one process keeps up with reading the file; with the pure-Python
phonenumbers fallback (~30 µs a number) large inputs are split across a process pool
(threads would share one GIL). Workers get one chunk's distinct values, never the list.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TypeVar

import numpy as np
import pandas as pd

from campaign.contacts.phonelib import COMPILED
from campaign.contacts.phones import PhoneTuple, normalize_phone_tuple

#: Below this many distinct values a pool costs more to start than it saves.
POOL_THRESHOLD = 50_000
#: The same for phone numbers: with the compiled library a pool never pays off for a chunk.
PHONE_POOL_THRESHOLD = 2_000_000 if COMPILED else POOL_THRESHOLD
_CHUNK = 20_000

log = logging.getLogger("campaign.contacts")

_T = TypeVar("_T")
_R = TypeVar("_R")


def _normalize_pair(pair: tuple[str, str | None]) -> PhoneTuple:
    return normalize_phone_tuple(*pair)


def _apply_chunk(job: tuple[Callable[[_T], _R], list[_T]]) -> list[_R]:
    func, items = job
    return [func(item) for item in items]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def pool_context() -> multiprocessing.context.BaseContext:
    """fork when this process has one thread: workers start at once, sharing what is loaded.
    With other threads running (the web server), fork could copy a lock some thread holds,
    so workers then start from a clean forkserver process instead (slower to start)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def normalize_pairs(
    pairs: Sequence[tuple[str, str | None]], *, workers: int | None = None
) -> list[PhoneTuple]:
    """normalize_phone on each (raw, region) pair, in order; a process pool when it pays off."""
    return parallel_map(_normalize_pair, pairs, workers=workers, threshold=PHONE_POOL_THRESHOLD)


def parallel_map(
    func: Callable[[_T], _R],
    items: Sequence[_T],
    *,
    workers: int | None = None,
    threshold: int = POOL_THRESHOLD,
) -> list[_R]:
    """[func(item) for item in items] over a process pool when there are at least
    `threshold` items; `func` must be picklable (a module-level function, or a
    functools.partial of one)."""
    workers = default_workers() if workers is None else max(1, workers)
    if workers == 1 or len(items) < threshold:
        return [func(item) for item in items]
    jobs = [(func, list(items[i : i + _CHUNK])) for i in range(0, len(items), _CHUNK)]
    results: list[_R] = []
    context = pool_context()
    forking = context.get_start_method() == "fork"
    if forking:
        # Forked workers share the parent's heap copy-on-write; a frozen heap keeps their
        # garbage collector from walking (and so copying) a million inherited objects.
        gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for part in pool.map(_apply_chunk, jobs):
                results.extend(part)
    except BrokenProcessPool:
        # Workers that are not forked re-import the main module; a script without an
        # `if __name__ == "__main__":` guard kills them. Slower is better than failing.
        log.warning("process pool unavailable; normalizing %d values in one process", len(items))
        return [func(item) for item in items]
    finally:
        if forking:
            gc.unfreeze()
    return results


def normalize_column(
    raw: Sequence[str] | pd.Series,
    regions: Sequence[str | None] | np.ndarray | pd.Series | str | None,
    *,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Four object arrays aligned with `raw`: e164, reason, warning, region code.

    `regions` is one default region for every row or one per row (None/"" → no default).
    """
    raw_series = pd.Series(raw, dtype=object).fillna("")
    results: list[PhoneTuple]
    if regions is None or isinstance(regions, str):
        codes, uniques = pd.factorize(raw_series, use_na_sentinel=False)
        normalize = partial(normalize_phone_tuple, region=regions)
        results = parallel_map(
            normalize, uniques.tolist(), workers=workers, threshold=PHONE_POOL_THRESHOLD
        )
    else:
        region_series = pd.Series(regions, dtype=object).fillna("")
        keys = pd.MultiIndex.from_arrays([raw_series.to_numpy(), region_series.to_numpy()])
        codes, unique_keys = pd.factorize(keys, use_na_sentinel=False)
        pairs = [(value, region or None) for value, region in unique_keys]
        results = normalize_pairs(pairs, workers=workers)
    if not results:
        empty = np.empty(0, dtype=object)
        return empty, empty.copy(), empty.copy(), empty.copy()
    columns = []
    for values in zip(*results, strict=True):
        distinct = np.empty(len(values), dtype=object)
        distinct[:] = values
        columns.append(distinct[codes])
    return columns[0], columns[1], columns[2], columns[3]
