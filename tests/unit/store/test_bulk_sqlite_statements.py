"""SqliteAppender: rows go many to an INSERT (one sqlite3_step, one GIL hand-over, per
ROWS_PER_INSERT rows), within SQLite's host-parameter limit, and read back in order."""

from __future__ import annotations

import sqlite3

import pytest

from campaign.store.bulk_sqlite import ROWS_PER_INSERT, SqliteAppender

COLUMNS = ["n", "name", "note", "missing"]


def _columns(rows: int) -> list[list[object]]:
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
