"""SqliteAppender: rows go many to an INSERT (one sqlite3_step, one GIL hand-over, per
ROWS_PER_INSERT rows), within SQLite's host-parameter limit, and read back in order."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from campaign.store.bulk_sqlite import ROWS_PER_INSERT, SqliteAppender

COLUMNS = ["n", "name", "note", "missing"]


def _columns(rows: int) -> list[Sequence[Any]]:
    return [
        list(range(rows)),
        [f"שם {i}" for i in range(rows)],
        [None if i % 3 else "x'y" for i in range(rows)],
        [None] * rows,  # NULL throughout: left out of the INSERT
    ]


@pytest.mark.parametrize(
    ("rows", "limit", "per_insert"),
    [
        (1, 250_000, 1),
        (2_345, 250_000, ROWS_PER_INSERT),
        (2_345, 30, 10),  # 3 bound columns: 10 rows fill the 30 parameters
        (2_345, 5, 1),  # room for one row of 3 only: a row a statement
        (7, 9, 3),
    ],
)
def test_rows_go_many_to_an_insert_within_the_parameter_limit(
    rows: int, limit: int, per_insert: int
) -> None:
    raw = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    raw.execute("CREATE TABLE t (n INTEGER, name TEXT, note TEXT, missing TEXT)")
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    raw.execute("BEGIN")
    executed: list[str] = []
    raw.set_trace_callback(executed.append)
    appender = SqliteAppender(raw, "t", COLUMNS, nullable={"missing"})
    appender.add(_columns(rows))
    assert appender.close() == rows
    raw.set_trace_callback(None)
    raw.execute("COMMIT")

    inserts = [sql for sql in executed if sql.startswith("INSERT")]
    full, rest = divmod(min(rows, 5_000), per_insert)
    assert len(inserts) == full + (1 if rest else 0)
    assert all("missing" not in sql for sql in inserts)
    stored = raw.execute("SELECT n, name, note, missing FROM t ORDER BY rowid").fetchall()
    assert stored == list(zip(*_columns(rows), strict=True))


@pytest.mark.parametrize(
    ("kept", "dropped"),
    [
        ((), ["ix_n", "ix_name", "ix_note"]),
        (("ix_n", "ix_note"), ["ix_name"]),
        (("ix_n", "ix_name", "ix_note"), []),
    ],
)
def test_a_big_insert_rebuilds_only_the_indexes_not_kept(
    kept: tuple[str, ...], dropped: list[str]
) -> None:
    raw = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    raw.execute("CREATE TABLE t (n INTEGER, name TEXT, note TEXT, missing TEXT)")
    indexes = {
        "ix_n": "CREATE INDEX ix_n ON t (n)",
        "ix_name": "CREATE INDEX ix_name ON t (name)",
        "ix_note": "CREATE INDEX ix_note ON t (note) WHERE note IS NOT NULL",
    }
    for sql in indexes.values():
        raw.execute(sql)
    raw.execute("BEGIN")
    executed: list[str] = []
    raw.set_trace_callback(executed.append)
    appender = SqliteAppender(
        raw, "t", COLUMNS, nullable={"missing"}, expected_rows=60_000, kept=kept
    )
    appender.add(_columns(60_000))
    appender.close()
    raw.set_trace_callback(None)
    raw.execute("COMMIT")

    assert [sql for sql in executed if sql.startswith("DROP INDEX")] == [
        f'DROP INDEX "{name}"' for name in dropped
    ]
    assert [sql for sql in executed if sql.startswith("CREATE INDEX")] == [
        indexes[name] for name in dropped
    ]
    stored = dict(raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    assert stored == indexes
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_contacts_table_keeps_its_appended_indexes_in_a_bulk_insert() -> None:
    """Of the contacts indexes only the one keyed by a phone number (random order for a new
    list) is rebuilt after the rows: the others' keys grow as a new list's rows go in."""
    from campaign.store.models import APPENDED, Contact

    table = Contact.__table__
    rebuilt = sorted(str(i.name) for i in table.indexes if not i.info.get(APPENDED))  # type: ignore[attr-defined]
    assert rebuilt == ["ix_contacts_to_number"]


@pytest.mark.parametrize("ended", [False, True])
def test_the_indexes_are_built_again_on_the_writer_thread_once_the_rows_end(
    ended: bool,
) -> None:
    """end_rows(): the writer thread builds the dropped indexes while the caller goes on;
    without it close() builds them. Rows added after end_rows are still indexed."""
    raw = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    raw.execute("CREATE TABLE t (n INTEGER, name TEXT, note TEXT, missing TEXT)")
    raw.execute("CREATE INDEX ix_name ON t (name)")
    raw.execute("BEGIN")
    builders: list[str] = []

    def traced(sql: str) -> None:
        if sql.startswith("CREATE INDEX"):
            builders.append(threading.current_thread().name)

    raw.set_trace_callback(traced)
    appender = SqliteAppender(raw, "t", COLUMNS, nullable={"missing"}, expected_rows=60_000)
    appender.add(_columns(60_000))
    if ended:
        appender.end_rows()
        appender.add(_columns(3))  # one more batch after all
    assert appender.close() == 60_000 + (3 if ended else 0)
    raw.set_trace_callback(None)
    raw.execute("COMMIT")

    assert builders == ["campaign-bulk-insert" if ended else threading.current_thread().name]
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    indexed = raw.execute("SELECT count(*) FROM t INDEXED BY ix_name WHERE name = 'שם 1'")
    assert indexed.fetchone() == ((2 if ended else 1),)
