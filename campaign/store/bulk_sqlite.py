"""SQLite's bulk phase: rows appended on a writer thread, secondary indexes built after them.

Three things make a large insert into SQLite cost little more than writing its pages:

- **The driver works while Python prepares the next batch.** `sqlite3` releases the GIL
  inside `sqlite3_step`, so `executemany` runs on a writer thread, one batch behind the
  caller (which reads, normalizes and converts the next chunk meanwhile). The caller pushes
  batches as it has them (`SqliteAppender.add`), so the rows can be stored during the very
  pass that reads and checks the list.
- **Indexes after the rows.** Keeping six secondary indexes up to date row by row costs
  more than sorting each once at the end; once the rows added outnumber the rows already
  in the table (known at the start when the caller says how many rows come, else seen on
  the way), the table's indexes are dropped and created again at the end (their own SQL,
  from `sqlite_master`) inside the same transaction, so other connections never see the
  table without them and a failure rolls both back.
- **A larger page cache** for the duration of the insert only.
- **None bound at once.** Python 3.11's `sqlite3` looks every None up as an object to
  adapt, formatting and discarding an AttributeError each time (a quarter of the insert's
  cost, with six NULL columns in most rows); with an adapter registered for None (`{}.get`,
  which returns None), the look-up finds it at once and binds NULL as before.

Durability is not traded: `synchronous` stays FULL (SQLite syncs at commit only, so a bulk
phase would gain one fsync from lowering it), and the journal stays WAL (leaving it needs
every other connection closed).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Collection, Sequence
from typing import Any, cast

#: SQLite page cache while a bulk insert runs, in KiB.
CACHE_KIB = 16 * 1024
#: Below this many rows, indexes are kept up to date as the rows go in (the DDL is not
#: worth it for a small list).
DEFER_INDEXES_MIN_ROWS = 50_000
#: Rows per executemany: the rows waiting for the writer are a part of a chunk, not chunks.
WRITE_ROWS = 5_000

_DONE = object()


def bind_none_fast() -> None:
    """Bind None as NULL without sqlite3's failed protocol look-up (see the docstring);
    process-wide, and the same NULL for every connection."""
    null: Callable[[None], None] = cast("Callable[[None], None]", {}.get)  # C, no frame
    sqlite3.register_adapter(type(None), null)


class SqliteAppender:
    """INSERTs of columnar batches (each a list of columns in `names` order) into `table`,
    in the open transaction of the DB-API connection `raw`, on a writer thread.

    `nullable`: columns NULL when left out (no default), left out of a batch that has no
    value for them. `expected_rows` (when known) decides at once whether the indexes are
    built after the rows; unknown, they are dropped when the rows added pass
    DEFER_INDEXES_MIN_ROWS and the rows already there. `close()` joins the writer, builds
    the indexes again and gives the number of rows; `abort()` only stops the writer (the
    caller rolls the transaction back). The connection is the writer's until either."""

    def __init__(
        self, raw: Any, table: str, names: list[str], *, nullable: Collection[str] = (),
        expected_rows: int | None = None,
    ) -> None:  # fmt: skip
        self.table = table
        self.names = names
        self.nullable = nullable
        self.count = 0
        bind_none_fast()
        self._cursor = raw.cursor()
        self._previous_cache = self._cursor.execute("PRAGMA cache_size").fetchone()[0]
        self._cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        self._existing = self._cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        self._indexes = self._index_sql()
        self._dropped: list[str] = []
        self._closed = False
        if expected_rows is not None and self._worth_deferring(expected_rows):
            self.drop_indexes()  # before the writer starts: this thread's connection still
        self._jobs: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._failure: list[BaseException] = []
        self._decided = expected_rows is not None
        self._writer = threading.Thread(
            target=self._write, name="campaign-bulk-insert", daemon=True
        )
        self._writer.start()

    def add(self, columns: list[Sequence[Any]]) -> None:
        """Queue one batch (blocks while the writer is a batch behind); a failure of an
        earlier batch is raised here."""
        self._raise_failure()
        size = len(columns[0]) if columns else 0
        for start in range(0, size, WRITE_ROWS):  # small parts: few rows held in the queue
            part = [column[start : start + WRITE_ROWS] for column in columns]
            statement, rows = _statement(self.table, self.names, part, self.nullable)
            if not self._decided and self._worth_deferring(self.count + len(rows)):
                self._decided = True
                self._jobs.put(("drop", None))
            self._jobs.put((statement, rows))
            self.count += len(rows)

    def close(self) -> int:
        """Every queued batch written and the indexes built again; the number of rows."""
        self._stop()
        self._raise_failure()
        try:
            for sql in self._dropped:
                self._cursor.execute(sql)
            return self.count
        finally:
            self._release()

    def abort(self) -> None:
        """Stop writing (the rows written stay in the transaction: roll it back)."""
        self._stop()
        self._release()

    def _write(self) -> None:
        while (job := self._jobs.get()) is not _DONE:
            if self._failure:
                continue  # drain: the producer is told at its next add
            try:
                if job[0] == "drop":
                    self.drop_indexes()
                else:
                    self._cursor.executemany(*job)
            except BaseException as exc:  # re-raised in the caller's thread
                self._failure.append(exc)

    def _stop(self) -> None:
        if self._writer.is_alive():
            self._jobs.put(_DONE)
            self._writer.join()  # the connection is the caller's again before anything else

    def _raise_failure(self) -> None:
        if self._failure:
            raise self._failure[0]

    def _release(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._cursor.execute(f"PRAGMA cache_size={int(self._previous_cache)}")
        finally:
            self._cursor.close()

    def _worth_deferring(self, rows: int) -> bool:
        return bool(self._indexes) and rows >= DEFER_INDEXES_MIN_ROWS and rows >= self._existing

    def _index_sql(self) -> list[tuple[str, str]]:
        return list(
            self._cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL ORDER BY rowid",
                (self.table.strip('"'),),
            ).fetchall()
        )

    def drop_indexes(self) -> None:
        """Drop the table's secondary indexes; close() creates them again, in order."""
        for index, sql in self._indexes:
            self._cursor.execute(f'DROP INDEX "{index}"')
            self._dropped.append(sql)
        self._indexes = []


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
