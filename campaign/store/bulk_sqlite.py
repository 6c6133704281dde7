"""SQLite's bulk phase: rows appended on a writer thread, secondary indexes built after them.

These make a large insert into SQLite cost little more than writing its pages:

- **The driver works while Python prepares the next batch.** `sqlite3` releases the GIL
  inside `sqlite3_step`, so `executemany` runs on a writer thread, one batch behind the
  caller (which reads, normalizes and converts the next chunk meanwhile). The caller pushes
  batches as it has them (`SqliteAppender.add`), so the rows can be stored during the very
  pass that reads and checks the list.
- **Many rows to a statement.** sqlite3 lets the GIL go around each `sqlite3_step` and
  must take it back after: a writer thread beside a main thread busy in Python waits up to
  a switch interval (5 ms) for it each time. One INSERT carries ROWS_PER_INSERT rows
  (`VALUES (…), (…)`), so the hand-overs are a thousand times fewer: 400k rows beside a
  spinning thread took 293 s one row to a statement and 4.7 s a thousand to one; alone,
  2.3 → 2.0 s (the per-row reset and bind calls of executemany go too).
- **Indexes after the rows, where that is cheaper.** Keeping an index whose keys come in
  random order (a phone number) up to date row by row costs more than sorting it once at
  the end; once the rows added outnumber the rows already in the table (known at the start
  when the caller says how many rows come, else seen on the way), such indexes are dropped
  and created again at the end (their own SQL, from `sqlite_master`) inside the same
  transaction, so other connections never see the table without them and a failure rolls
  both back. The indexes the caller names `kept` stay: their keys grow as the rows go in
  (each entry lands on the last page of the index, already in the cache), or the rows
  have none (a partial index), so keeping them costs the writer thread little, while the
  caller works, where each rebuild after the rows is a scan of the whole table and a sort
  while nothing else runs (400k contacts: five of six kept, finish 1.28 → 0.65–0.76 s).
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

#: Rows a single INSERT carries (fewer when the columns would pass SQLite's host-parameter
#: limit): one `sqlite3_step`, so one release and re-take of the GIL, per this many rows.
#: (A 400k-row insert beside a busy thread: 64 rows 42 s, 256 rows 12.5 s, 1000 rows 4.7 s,
#: 5000 rows 3.4 s; alone, about 2 s for all.)
ROWS_PER_INSERT = 1000

_DONE = object()
_DROP = object()
_REBUILD = object()


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
    DEFER_INDEXES_MIN_ROWS and the rows already there. `kept`: indexes (by name) never
    dropped, kept up to date as the rows go in. `close()` joins the writer, builds
    the indexes again and gives the number of rows; `abort()` only stops the writer (the
    caller rolls the transaction back). The connection is the writer's until either."""

    def __init__(
        self, raw: Any, table: str, names: list[str], *, nullable: Collection[str] = (),
        expected_rows: int | None = None, kept: Collection[str] = (),
    ) -> None:  # fmt: skip
        self.table = table
        self.kept = frozenset(kept)
        self.names = names
        self.nullable = nullable
        self.count = 0
        bind_none_fast()
        self._cursor = raw.cursor()
        self._limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
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
            rows = len(part[0]) if part else 0
            statements = _statements(self.table, self.names, part, self.nullable, self._limit)
            if not self._decided and self._worth_deferring(self.count + rows):
                self._decided = True
                self._jobs.put(_DROP)
            self._jobs.put(statements)
            self.count += rows

    def end_rows(self) -> None:
        """No more rows are coming: the writer thread builds the dropped indexes again now,
        while the caller finishes its own work (SQLite lets the GIL go while it sorts), and
        close() waits for it. Rows added after all are still written (into the indexes)."""
        self._raise_failure()
        if self._writer.is_alive():
            self._jobs.put(_REBUILD)

    def close(self) -> int:
        """Every queued batch written and the indexes built again; the number of rows."""
        self._stop()
        self._raise_failure()
        try:
            self._rebuild()
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
                if job is _DROP:
                    self.drop_indexes()
                elif job is _REBUILD:
                    self._rebuild()
                else:
                    for statement, values in job:
                        self._cursor.executemany(statement, values)
            except BaseException as exc:  # re-raised in the caller's thread
                self._failure.append(exc)

    def _rebuild(self) -> None:
        """The dropped indexes created again, in order (by whichever thread has the
        connection: the writer after end_rows, else close)."""
        while self._dropped:
            self._cursor.execute(self._dropped[0])
            self._dropped.pop(0)

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
        """The table's indexes that a bulk phase drops (all but the kept ones)."""
        return [
            (name, sql)
            for name, sql in self._cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL ORDER BY rowid",
                (self.table.strip('"'),),
            ).fetchall()
            if name not in self.kept
        ]

    def drop_indexes(self) -> None:
        """Drop the table's secondary indexes (not the kept ones); close() creates them
        again, in order."""
        for index, sql in self._indexes:
            self._cursor.execute(f'DROP INDEX "{index}"')
            self._dropped.append(sql)
        self._indexes = []


def _statements(
    table: str, names: list[str], columns: list[Sequence[Any]], nullable: Collection[str],
    limit: int,
) -> list[tuple[str, list[list[Any]]]]:  # fmt: skip
    """The INSERTs for one batch, each with its executemany parameters.

    Each bound value costs the driver and SQLite a conversion, so a column that is NULL
    throughout the batch (no per-row caller number, agent or time zone in most lists) is left
    out. The rows go ROWS_PER_INSERT to a statement (`VALUES (…), (…), …`): sqlite3 lets the
    GIL go around every `sqlite3_step`, and a writer thread that must take it back from a
    busy main thread after every row advances slowly. The parameters are the batch's values
    laid out row after row in one list (a slice assignment per column, at C speed) and cut
    into one slice per statement."""
    size = len(columns[0]) if columns else 0
    targets: list[str] = []
    bound: list[Sequence[Any]] = []
    for name, column in zip(names, columns, strict=True):
        if size and name in nullable and column[0] is None and _nulls(column) == size:
            continue
        targets.append(name)
        bound.append(column)
    width = len(targets)
    if not size or not width:
        return []
    flat: list[Any] = [None] * (size * width)
    for offset, column in enumerate(bound):
        flat[offset::width] = column if isinstance(column, list) else list(column)
    per = max(1, min(ROWS_PER_INSERT, limit // width))
    full, rest = divmod(size, per)
    step = per * width
    out: list[tuple[str, list[list[Any]]]] = []
    if full:
        out.append(
            (
                _insert(table, targets, per),
                [flat[i : i + step] for i in range(0, full * step, step)],
            )
        )
    if rest:
        out.append((_insert(table, targets, rest), [flat[full * step :]]))
    return out


def _insert(table: str, targets: list[str], rows: int) -> str:
    marks = "(" + ", ".join(["?"] * len(targets)) + ")"
    return f"INSERT INTO {table} ({', '.join(targets)}) VALUES {', '.join([marks] * rows)}"


def _nulls(column: Sequence[Any]) -> int:
    if isinstance(column, list):
        return column.count(None)  # C speed (None only equals None)
    return sum(value is None for value in column)
