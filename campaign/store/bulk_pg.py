"""PostgreSQL's bulk phase: COPY, with the secondary indexes built after the rows of a
first list.

Rows go in by `COPY … FROM STDIN`, formatted by psycopg (in C) in the caller's thread and
sent to the server by psycopg's writer thread (QueuedLibpqWriter). The server's own work is
then mostly the table's six secondary indexes, kept up to date row by row.

When the table was empty at the start (a new store's first list) and the rows pass
DEFER_INDEXES_MIN_ROWS, the COPY is ended, the indexes dropped and the COPY begun again;
`close()` builds them (their own definitions, `pg_get_indexdef`) in the same transaction,
so no other session ever sees the table without them and a failure rolls both back. A
table that already holds rows keeps its indexes: DROP INDEX locks the whole table until
the commit, and teammates' runners read it all the time. For the same reason the drop
waits at most LOCK_WAIT for its lock (another session reading the empty table), and keeps
the indexes if it cannot have it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

#: Rows after which a first list's indexes are dropped (built once at the end instead).
DEFER_INDEXES_MIN_ROWS = 50_000
#: How long the drop waits for the table's lock before keeping the indexes.
LOCK_WAIT = "2s"

log = logging.getLogger("campaign.store")

_INDEXES = """
SELECT i.relname, pg_get_indexdef(i.oid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.oid
"""


#: Rows a bulk insert adds before it analyzes the table (in the same transaction).
ANALYZE_MIN_ROWS = 10_000


class PgCopy:
    """COPY of columnar batches into `table` in the open transaction of `raw`."""

    def __init__(self, raw: Any, table: str, names: list[str]) -> None:
        self.count = 0
        self.table = table
        self.statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
        self._raw = raw
        self._cursor = raw.cursor()
        self._rebuild: list[str] = []
        empty = self._cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()
        self._may_defer = bool(empty and empty[0])
        self._stack = ExitStack()
        self._copy = self._begin()
        self._ending: threading.Thread | None = None
        self._failure: list[BaseException] = []

    def add(self, columns: list[Sequence[Any]]) -> None:
        if self._ending is not None:
            raise RuntimeError("rows added to a COPY after end_rows()")
        size = len(columns[0]) if columns else 0
        if self._may_defer and self.count + size >= DEFER_INDEXES_MIN_ROWS:
            self._may_defer = False
            self._stack.close()  # the COPY so far
            self.drop_indexes()
            self._copy = self._begin()
        write_row = self._copy.write_row
        for row in zip(*columns, strict=True):
            write_row(row)
        self.count += size

    def end_rows(self) -> None:
        """No more rows are coming: the server's side of the end (the COPY's last rows
        checked and written, the deferred indexes built, the statistics) runs on a thread
        now, while the caller finishes its own work; close() waits for it. Nothing may be
        added after."""
        if self._ending is None:
            self._ending = threading.Thread(
                target=self._end_in_thread, name="campaign-bulk-copy-end", daemon=True
            )
            self._ending.start()

    def close(self) -> int:
        if self._ending is None:
            self._end()
        else:
            self._ending.join()
            if self._failure:
                raise self._failure[0]
        self._cursor.close()
        return self.count

    def abort(self) -> None:
        if self._ending is not None:
            self._ending.join()  # the connection is this thread's again before the rollback
        self._stack.__exit__(RuntimeError, RuntimeError("bulk insert aborted"), None)
        self._cursor.close()

    def _end_in_thread(self) -> None:
        try:
            self._end()
        except BaseException as exc:  # re-raised by close() in the caller's thread
            self._failure.append(exc)

    def _end(self) -> None:
        self._stack.close()
        for sql in self._rebuild:
            self._cursor.execute(sql)
        if self.count >= ANALYZE_MIN_ROWS:
            # Fresh statistics for the planner: before autovacuum comes by, a table of a
            # new list looks empty to it, and the export's and status's joins go wrong.
            self._cursor.execute(f"ANALYZE {self.table}")

    def drop_indexes(self) -> None:
        """Drop the table's secondary indexes for close() to build again, if their lock
        comes within LOCK_WAIT (else they stay, and are kept up to date as before)."""
        cursor = self._cursor
        indexes = cursor.execute(_INDEXES, (self.table.strip('"'),)).fetchall()
        if not indexes:
            return
        previous = cursor.execute("SHOW lock_timeout").fetchone()[0]
        cursor.execute("SAVEPOINT campaign_bulk_indexes")
        try:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        except Exception as exc:  # the lock not had in time: keep the indexes
            cursor.execute("ROLLBACK TO SAVEPOINT campaign_bulk_indexes")
            log.info("indexes of %s kept during the bulk insert (%s)", self.table, exc)
            return
        finally:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", (previous,))
        cursor.execute("RELEASE SAVEPOINT campaign_bulk_indexes")
        self._rebuild = [sql for _, sql in indexes]

    def _begin(self) -> Any:
        from psycopg.copy import QueuedLibpqWriter

        cursor = self._stack.enter_context(self._raw.cursor())
        return self._stack.enter_context(
            cursor.copy(self.statement, writer=QueuedLibpqWriter(cursor))
        )
