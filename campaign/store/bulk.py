"""Storing many rows at the speed of the database: a stream of row dicts → one table.

SQLite gets one prepared INSERT per batch run by the driver's executemany, inside the
caller's transaction, on a writer thread, with the table's indexes built after the rows
when the rows outnumber the table's (bulk_sqlite.py). PostgreSQL gets COPY, which is
several times faster than any INSERT. Values go through the same conversions SQLAlchemy would
apply (aware UTC datetimes, JSON), so the rows read back exactly as if the ORM wrote them.

    from campaign.store.bulk import insert_columns, insert_rows
    with db.session() as session:
        count = insert_rows(session, Contact, rows)   # rows: Iterable[dict]
        count = insert_columns(session, Contact, batches, json_text={"raw", "vars"})
        # batches: Iterable[{column: sequence of values}], JSON columns already as text

Columnar batches are the fast path: no dict per row, and JSON encoded a batch at a time by
the caller (pandas' to_json), so a row costs little more than the driver's own work.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import JSON, Column, Table
from sqlalchemy.orm import Session

from campaign.store.bulk_sqlite import sqlite_executemany
from campaign.store.models import Base

#: Rows per executemany (SQLite) or per COPY buffer flush (PostgreSQL).
BATCH_ROWS = 10_000

Converter = Callable[[Any], Any]
_T = TypeVar("_T")


def insert_rows(
    session: Session,
    model: type[Base],
    rows: Iterable[Mapping[str, Any]],
    *,
    batch: int = BATCH_ROWS,
) -> int:
    """Insert every row (dicts keyed by column name, all with the same keys) into the table
    of `model` (e.g. Contact) in the session's transaction; returns the number of rows.
    Columns missing from the rows take their scalar default, else the server default or
    NULL. No ORM objects are made: the rows are not in the session afterwards."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    given = list(first)
    pick = itemgetter(*given) if len(given) > 1 else (lambda row: (row[given[0]],))
    batches = (
        {
            name: values
            for name, values in zip(given, zip(*map(pick, part), strict=True), strict=True)
        }
        for part in _batched(_chain(first, iterator), batch)
    )
    return insert_columns(session, model, batches, batch=batch)


def insert_columns(
    session: Session,
    model: type[Base],
    batches: Iterable[Mapping[str, Sequence[Any]]],
    *,
    json_text: Collection[str] = (),
    batch: int = BATCH_ROWS,
    expected_rows: int | None = None,
) -> int:
    """Insert columnar batches ({column: values}, the same columns in every batch, values
    aligned) into the table of `model`; columns in `json_text` hold JSON already encoded.
    `expected_rows`, when known, lets SQLite build the indexes after the rows. Returns the
    number of rows; see insert_rows for the rest."""
    table = model.__table__
    assert isinstance(table, Table)
    iterator = iter(batches)
    first = next(iterator, None)
    if first is None:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    given = list(first)
    defaults = _scalar_defaults(table, given)
    names = given + list(defaults)
    converters = [
        None if name in json_text else _converter(table.c[name], dialect) for name in given
    ]
    fixed = list(defaults.values())

    def column_batches() -> Iterator[list[Sequence[Any]]]:
        """Each batch's columns in `names` order, converted for the driver."""
        for part in _chain(first, iterator):
            columns = [
                values if convert is None else _convert_all(values, convert)
                for values, convert in zip((part[name] for name in given), converters, strict=True)
            ]
            if fixed:
                size = len(columns[0]) if columns else 0
                columns += [[value] * size for value in fixed]
            yield columns

    raw = connection.connection.dbapi_connection
    assert raw is not None
    quote = dialect.identifier_preparer.quote
    quoted = [quote(name) for name in names]
    if dialect.name == "sqlite":
        # A column left out of an INSERT is NULL unless the table gives it a default.
        nullable = {quote(c.name) for c in table.columns if c.server_default is None}
        return sqlite_executemany(
            raw, quote(table.name), quoted, column_batches(), nullable=nullable,
            expected_rows=expected_rows,
        )  # fmt: skip
    rows = (row for columns in column_batches() for row in zip(*columns, strict=True))
    if dialect.name == "postgresql":
        return _copy(raw, quote(table.name), quoted, rows)
    return _executemany(raw, quote(table.name), quoted, rows, batch)


def _chain(first: _T, rest: Iterator[_T]) -> Iterator[_T]:
    yield first
    yield from rest


def _batched(items: Iterator[_T], size: int) -> Iterator[list[_T]]:
    while part := list(islice(items, size)):
        yield part


def _convert_all(values: Sequence[Any], convert: Converter) -> list[Any]:
    """`convert` on each value but None; repeated values (one `now` for every final_at) are
    converted once."""
    out: list[Any] = []
    last: Any = object()
    converted: Any = None
    for value in values:
        if value is None:
            out.append(None)
            continue
        if value is not last:
            last, converted = value, convert(value)
        out.append(converted)
    return out


def _scalar_defaults(table: Table, given: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or not getattr(default, "is_scalar", False):
            continue
        out[column.name] = getattr(default, "arg", None)
    return out


def _converter(column: Column[Any], dialect: Any) -> Converter | None:
    """What SQLAlchemy would do to a value of `column` before the driver sees it."""
    if isinstance(column.type, JSON):
        return _json
    processor = column.type.bind_processor(dialect)
    return processor


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_json = _ENCODER.encode


def _executemany(
    raw: Any, table: str, names: list[str], rows: Iterator[Sequence[Any]], batch: int
) -> int:
    """Any other driver (%s markers): executemany a batch at a time."""
    statement = (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
    )
    cursor = raw.cursor()
    count = 0
    try:
        while part := list(islice(rows, batch)):
            cursor.executemany(statement, part)
            count += len(part)
        return count
    finally:
        cursor.close()


def _copy(raw: Any, table: str, names: list[str], rows: Iterator[Sequence[Any]]) -> int:
    """COPY FROM STDIN, the data sent to the server by psycopg's writer thread while this
    thread formats the next rows (QueuedLibpqWriter)."""
    from psycopg.copy import QueuedLibpqWriter

    count = 0
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    with (
        raw.cursor() as cursor,
        cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
