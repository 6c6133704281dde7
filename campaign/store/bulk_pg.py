"""PostgreSQL's bulk phase: COPY, with the secondary indexes and the foreign keys of a
first list put back after its rows.

Rows go in by `COPY … FROM STDIN`, formatted by psycopg (in C) in the caller's thread and
sent to the server by psycopg's writer thread (QueuedLibpqWriter). The server's own work is
then mostly the table's six secondary indexes, kept up to date row by row, and the check of
each row's foreign key (a look-up of its campaign: ~1.1 s of the backend for 400,000 rows,
which on two cores shared with the pass left the COPY's end waiting that long).

When the table was empty at the start (a new store's first list) and the rows pass
DEFER_INDEXES_MIN_ROWS, the COPY is ended, the foreign keys and the indexes not `kept`
dropped and the COPY begun again; `close()` builds those indexes (their own definitions,
`pg_get_indexdef`) and adds the foreign keys again (`pg_get_constraintdef`: one check of
all the rows at once) in the same transaction. The kept ones (the caller's choice, as for
SQLite: keys that grow with a new list's rows, or partial ones its rows are not in) are
cheaper kept up to date during the COPY than built after it, once the server is not busy
checking each row's key (400k rows: 6.77–7.07 → 6.33–6.74 s for the whole `run`). All in
the same transaction, so no other session ever sees the table without them and a failure
rolls everything back. A table that already holds rows keeps them: DROP INDEX locks the
whole table until the commit, and dropping a foreign key the table it refers to as well
(`campaigns`), which teammates' runners read all the time; in a new store nobody has a
campaign yet to read, and a session that starts reading one meanwhile waits for the commit.
For the same reason the drop waits at most LOCK_WAIT for its locks (another session reading
the empty tables), and keeps everything if it cannot have them. Within this transaction,
the caller reads those tables on this connection only (any other would wait for it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Sequence
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

_FOREIGN_KEYS = """
SELECT conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = %s::regclass AND contype = 'f'
ORDER BY oid
"""


#: Rows a bulk insert adds before it analyzes the table (in the same transaction).
ANALYZE_MIN_ROWS = 10_000


class PgCopy:
    """COPY of columnar batches into `table` in the open transaction of `raw`."""

    def __init__(
        self, raw: Any, table: str, names: list[str], *, kept: Collection[str] = ()
    ) -> None:
        self.count = 0
        self.kept = frozenset(kept)
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
            self.defer_upkeep()
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

    def defer_upkeep(self) -> None:
        """Drop the table's foreign keys and secondary indexes (not the kept ones) for
        close() to put back, if their locks come within LOCK_WAIT (else they all stay,
        kept up to date as before). A wait on another session that holds either table
        ends in the savepoint (at LOCK_WAIT, or at PostgreSQL's deadlock check), and
        nothing is dropped."""
        cursor = self._cursor
        table = self.table.strip('"')
        keys = cursor.execute(_FOREIGN_KEYS, (table,)).fetchall()
        indexes = [
            (name, sql)
            for name, sql in cursor.execute(_INDEXES, (table,)).fetchall()
            if name not in self.kept
        ]
        if not keys and not indexes:
            return
        previous = cursor.execute("SHOW lock_timeout").fetchone()[0]
        cursor.execute("SAVEPOINT campaign_bulk_upkeep")
        try:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            for name, _ in keys:
                cursor.execute(f'ALTER TABLE {self.table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        except Exception as exc:  # the locks not had in time (or a deadlock): keep them
            cursor.execute("ROLLBACK TO SAVEPOINT campaign_bulk_upkeep")
            log.info("indexes and keys of %s kept during the bulk insert (%s)", self.table, exc)
            return
        finally:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", (previous,))
        cursor.execute("RELEASE SAVEPOINT campaign_bulk_upkeep")
        self._rebuild = [sql for _, sql in indexes] + [
            f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}'
            for name, definition in keys
        ]

    def _begin(self) -> Any:
        from psycopg.copy import QueuedLibpqWriter

        cursor = self._stack.enter_context(self._raw.cursor())
        return self._stack.enter_context(
            cursor.copy(self.statement, writer=QueuedLibpqWriter(cursor))
        )
