"""SQLite's bulk phase: rows appended on a writer thread, secondary indexes built after them.

Three things make a large insert into SQLite cost little more than writing its pages:

- **The driver works while Python prepares the next batch.** `sqlite3` releases the GIL
  inside `sqlite3_step`, so `executemany` runs on a writer thread, one batch behind the
  caller's generator (which reads, finishes and converts the next chunk meanwhile).
- **Indexes after the rows.** Keeping six secondary indexes up to date row by row costs
  more than sorting each once at the end; when the rows added outnumber the rows already
  in the table, the table's indexes are dropped and created again (their own SQL, from
  `sqlite_master`) inside the same transaction, so other connections never see the table
  without them and a failure rolls both back.
- **A larger page cache** for the duration of the insert only.

Durability is not traded: `synchronous` stays FULL (SQLite syncs at commit only, so a bulk
phase would gain one fsync from lowering it), and the journal stays WAL (leaving it needs
every other connection closed).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Collection, Iterator, Sequence
from typing import Any

#: SQLite page cache while a bulk insert runs, in KiB.
CACHE_KIB = 16 * 1024
#: Below this many rows, indexes are kept up to date as the rows go in (the DDL is not
#: worth it for a small list).
DEFER_INDEXES_MIN_ROWS = 50_000

_DONE = object()


def sqlite_executemany(
    raw: Any, table: str, names: list[str], batches: Iterator[list[Sequence[Any]]],
    *, nullable: Collection[str] = (), expected_rows: int | None = None,
) -> int:  # fmt: skip
    """INSERT every row of `batches` (each a list of columns in `names` order) into
    `table` in the open transaction of the DB-API connection `raw`; the number of rows.
    `nullable`: columns NULL when left out (no default), left out of a batch that has no
    value for them. `expected_rows` (when known) decides whether the table's indexes are
    built after the rows instead of during."""
    cursor = raw.cursor()
    previous_cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    try:
        deferred = _drop_indexes(cursor, table, expected_rows)
        statements = (_statement(table, names, columns, nullable) for columns in batches)
        count = _pipelined(cursor, statements)
        for sql in deferred:
            cursor.execute(sql)
        return count
    finally:
        cursor.execute(f"PRAGMA cache_size={int(previous_cache)}")
        cursor.close()


def _statement(
    table: str, names: list[str], columns: list[Sequence[Any]], nullable: Collection[str]
) -> tuple[str, list[tuple[Any, ...]]]:
    """The INSERT for one batch and its rows. Each bound value costs the driver and SQLite
    a conversion, so a column that is NULL throughout the batch (no per-row caller number,
    agent or time zone in most lists) is left out."""
    size = len(columns[0]) if columns else 0
    targets: list[str] = []
    bound: list[Sequence[Any]] = []
    for name, column in zip(names, columns, strict=True):
        if size and name in nullable and column[0] is None and _nulls(column) == size:
            continue
        targets.append(name)
        bound.append(column)
    marks = ", ".join(["?"] * len(targets))
    statement = f"INSERT INTO {table} ({', '.join(targets)}) VALUES ({marks})"
    return statement, list(zip(*bound, strict=True))


def _nulls(column: Sequence[Any]) -> int:
    if isinstance(column, list):
        return column.count(None)  # C speed (None only equals None)
    return sum(value is None for value in column)


def _drop_indexes(cursor: Any, table: str, expected_rows: int | None) -> list[str]:
    """Drop the table's secondary indexes when `expected_rows` outnumber its rows (a new
    or small table); the SQL to create them again, in their original order."""
    if expected_rows is None or expected_rows < DEFER_INDEXES_MIN_ROWS:
        return []
    name = table.strip('"')
    existing = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if existing > expected_rows:
        return []
    indexes = cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY rowid",
        (name,),
    ).fetchall()
    for index, _ in indexes:
        cursor.execute(f'DROP INDEX "{index}"')
    return [sql for _, sql in indexes]


def _pipelined(cursor: Any, statements: Iterator[tuple[str, list[tuple[Any, ...]]]]) -> int:
    """executemany of each batch on a writer thread while this thread builds the next."""
    batches: queue.Queue[Any] = queue.Queue(maxsize=1)
    failure: list[BaseException] = []

    def write() -> None:
        while (job := batches.get()) is not _DONE:
            if failure:
                continue  # drain: the producer is told below
            try:
                cursor.executemany(*job)
            except BaseException as exc:  # re-raised in the caller's thread
                failure.append(exc)

    writer = threading.Thread(target=write, name="campaign-bulk-insert", daemon=True)
    writer.start()
    count = 0
    try:
        for statement, rows in statements:
            if failure:
                break
            if rows:
                batches.put((statement, rows))
                count += len(rows)
    finally:
        batches.put(_DONE)
        writer.join()  # the connection is this thread's again before anything else runs
    if failure:
        raise failure[0]
    return count
