"""Preparing a list's chunks on every core, in file order, a few chunks ahead of the reader.

The parent process reads the file and keeps what spans chunks (duplicates, counts); worker
processes get one chunk's cells at a time, never the list, and send back its normalized
numbers, vars and reasons (`chunk.prepare_chunk`). At most `workers + 1` chunks are in
flight, so memory stays flat however long the list is. A pool that cannot start or breaks
(a script without a `__main__` guard under spawn) is not an error: the remaining chunks are
prepared in this process.
"""

from __future__ import annotations

import gc
import logging
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from campaign.contacts.bulk import default_workers, pool_context
from campaign.contacts.chunk import PreparedChunk, prepare_chunk
from campaign.contacts.headers import Table
from campaign.contacts.heap import release

if TYPE_CHECKING:
    import pandas as pd

    from campaign.contacts.plan import ListPlan

#: Chunks smaller than this are prepared in this process (a pool would cost more than it
#: saves); the tests lower it to run small lists through the pool.
POOL_MIN_CHUNK_ROWS = 5_000

log = logging.getLogger("campaign.contacts")


@dataclass(frozen=True)
class _Preparing:
    """How each chunk of one pass is prepared (chunk.prepare_chunk): picklable, so a worker
    gets it once, at its start."""

    plan: ListPlan
    with_json: bool
    with_vars: bool

    def __call__(self, frame: pd.DataFrame, workers: int | None = 1) -> PreparedChunk:
        return prepare_chunk(
            self.plan, frame, workers=workers, with_json=self.with_json, with_vars=self.with_vars
        )


_preparing: _Preparing | None = None


def _start_worker(preparing: _Preparing) -> None:
    global _preparing
    _preparing = preparing


def _prepare_in_worker(frame: pd.DataFrame) -> PreparedChunk:
    assert _preparing is not None, "worker started without its plan"
    prepared = _preparing(frame)
    del frame
    release()
    return prepared


def _without_file(plan: ListPlan) -> ListPlan:
    """The plan as a worker needs it: everything but the file's bytes."""
    return replace(plan, source=plan.source.without_bytes())


def prepared_chunks(
    plan: ListPlan, tables: Iterator[Table], *, workers: int | None = None,
    chunk_rows: int | None = None, with_json: bool = False, with_vars: bool = True,
) -> Iterator[tuple[Table, PreparedChunk]]:  # fmt: skip
    """Each table with its PreparedChunk, in order: in worker processes from the second
    chunk on when the list has several chunks of at least POOL_MIN_CHUNK_ROWS rows.
    `with_json`: the chunks will be stored, so their rows' JSON text is made with them;
    `with_vars`: the rows' vars dicts are made (see chunk.prepare_chunk)."""
    count = default_workers() if workers is None else max(1, workers)
    preparing = _Preparing(plan, with_json, with_vars)
    first = next(tables, None)
    if first is None:
        return
    second = next(tables, None)
    if second is None or count == 1 or (chunk_rows or 0) < POOL_MIN_CHUNK_ROWS:
        for table in _chain(first, second, tables) if second is not None else iter([first]):
            yield table, preparing(table.frame, workers)
        return
    yield from _pooled(preparing, _chain(first, second, tables), count)


def _chain(first: Table, second: Table, rest: Iterator[Table]) -> Iterator[Table]:
    yield first
    yield second
    yield from rest


def _pooled(
    preparing: _Preparing, tables: Iterator[Table], workers: int
) -> Iterator[tuple[Table, PreparedChunk]]:
    context = pool_context()
    forking = context.get_start_method() == "fork"
    if forking:
        gc.freeze()  # forked workers then leave the inherited heap shared (see bulk.py)
    pending: deque[tuple[Table, Future[PreparedChunk] | None]] = deque()
    broken = False
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker,
            initargs=(replace(preparing, plan=_without_file(preparing.plan)),),
        )  # fmt: skip
        # A fork pool starts its workers at the first submit: that must happen while the heap
        # is frozen, or each worker's first collection walks (and so copies) the whole
        # inherited heap, ~70 MiB a worker.
        for table in tables:
            pending.append((table, _submit(pool, table)))
            break
    finally:
        if forking:
            gc.unfreeze()
    with pool:
        for table in tables:
            pending.append((table, _submit(pool, table) if not broken else None))
            while len(pending) > workers + 1 or (pending and pending[0][1] is None):
                table_, future = pending.popleft()
                prepared, broken = _result(preparing, table_, future, broken)
                yield table_, prepared
        while pending:
            table_, future = pending.popleft()
            prepared, broken = _result(preparing, table_, future, broken)
            yield table_, prepared


def _submit(pool: ProcessPoolExecutor, table: Table) -> Future[PreparedChunk] | None:
    try:
        return pool.submit(_prepare_in_worker, table.frame)
    except (BrokenProcessPool, RuntimeError):
        return None


def _result(
    preparing: _Preparing, table: Table, future: Future[PreparedChunk] | None, broken: bool
) -> tuple[PreparedChunk, bool]:
    if future is not None:
        try:
            return future.result(), broken
        except BrokenProcessPool:
            if not broken:
                log.warning("process pool unavailable; preparing the list in one process")
            broken = True
    return preparing(table.frame), broken
