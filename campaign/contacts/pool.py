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
from dataclasses import replace
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

_plan: ListPlan | None = None
_with_json = False
_with_vars = True


def _start_worker(plan: ListPlan, with_json: bool, with_vars: bool) -> None:
    global _plan, _with_json, _with_vars
    _plan, _with_json, _with_vars = plan, with_json, with_vars


def _prepare_in_worker(frame: pd.DataFrame) -> PreparedChunk:
    assert _plan is not None, "worker started without its plan"
    prepared = prepare_chunk(_plan, frame, workers=1, with_json=_with_json, with_vars=_with_vars)
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
    first = next(tables, None)
    if first is None:
        return
    second = next(tables, None)
    if second is None or count == 1 or (chunk_rows or 0) < POOL_MIN_CHUNK_ROWS:
        for table in _chain(first, second, tables) if second is not None else iter([first]):
            yield (
                table,
                prepare_chunk(
                    plan, table.frame, workers=workers, with_json=with_json, with_vars=with_vars
                ),
            )
        return
    yield from _pooled(plan, _chain(first, second, tables), count, with_json, with_vars)


def _chain(first: Table, second: Table, rest: Iterator[Table]) -> Iterator[Table]:
    yield first
    yield second
    yield from rest


def _pooled(
    plan: ListPlan, tables: Iterator[Table], workers: int, with_json: bool, with_vars: bool
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
            initargs=(_without_file(plan), with_json, with_vars),
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
                prepared, broken = _result(plan, table_, future, broken, with_json, with_vars)
                yield table_, prepared
        while pending:
            table_, future = pending.popleft()
            prepared, broken = _result(plan, table_, future, broken, with_json, with_vars)
            yield table_, prepared


def _submit(pool: ProcessPoolExecutor, table: Table) -> Future[PreparedChunk] | None:
    try:
        return pool.submit(_prepare_in_worker, table.frame)
    except (BrokenProcessPool, RuntimeError):
        return None


def _result(
    plan: ListPlan, table: Table, future: Future[PreparedChunk] | None, broken: bool,
    with_json: bool, with_vars: bool,
) -> tuple[PreparedChunk, bool]:  # fmt: skip
    if future is not None:
        try:
            return future.result(), broken
        except BrokenProcessPool:
            if not broken:
                log.warning("process pool unavailable; preparing the list in one process")
            broken = True
    prepared = prepare_chunk(plan, table.frame, workers=1, with_json=with_json, with_vars=with_vars)
    return prepared, broken
