"""Storing many rows at the speed of the database: a stream of row dicts → one table.

SQLite gets one prepared INSERT per batch run by the driver's executemany, inside the
caller's transaction, on a writer thread, with the table's indexes built after the rows
when the rows outnumber the table's (bulk_sqlite.py). PostgreSQL gets COPY, which is
several times faster than any INSERT, with the indexes built after a first list's rows
(bulk_pg.py). Values go through the same conversions SQLAlchemy would
apply (aware UTC datetimes, JSON), so the rows read back exactly as if the ORM wrote them.

    from campaign.store.bulk import ColumnWriter, insert_columns, insert_rows
    with db.session() as session:
        count = insert_rows(session, Contact, rows)   # rows: Iterable[dict]
        count = insert_columns(session, Contact, batches, json_text={"raw", "vars"})
        # batches: Iterable[{column: sequence of values}], JSON columns already as text
        with ColumnWriter(session, Contact, json_text={"raw", "vars"}) as writer:
            writer.add(batch)   # pushed as the caller has them (storing while reading)

Columnar batches are the fast path: no dict per row, and JSON encoded a batch at a time by
the caller (pandas' to_json), so a row costs little more than the driver's own work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from operator import itemgetter
from typing import Any, Protocol, TypeVar

from sqlalchemy import JSON, Column, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from campaign.store.bulk_pg import PgCopy
from campaign.store.bulk_sqlite import SqliteAppender
from campaign.store.models import APPENDED, Base

#: Rows per executemany (SQLite) or per COPY buffer flush (PostgreSQL).
BATCH_ROWS = 10_000

Converter = Callable[[Any], Any]
log = logging.getLogger("campaign.store")
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
    del batch  # each of `batches` goes to the database as one batch
    with ColumnWriter(session, model, json_text=json_text, expected_rows=expected_rows) as writer:
        for part in batches:
            writer.add(part)
    return writer.count


class ColumnWriter:
    """insert_columns with the batches pushed as the caller has them: `add` each batch,
    then `close()` (the number of rows). Used as a context manager, an exception inside
    stops the writing and leaves the rows to the session's rollback.

        with db.session() as session, ColumnWriter(session, Contact, json_text=...) as w:
            for chunk in chunks:
                w.add(columns_of(chunk))
    """

    def __init__(
        self, session: Session, model: type[Base], *, json_text: Collection[str] = (),
        expected_rows: int | None = None,
    ) -> None:  # fmt: skip
        table = model.__table__
        assert isinstance(table, Table)
        self.table = table
        self.json_text = json_text
        self.expected_rows = expected_rows
        self.session = session
        self.count = 0
        self._sink: _Sink | None = None
        self._given: list[str] = []
        self._converters: list[Converter | None] = []
        self._fixed: list[Any] = []

    def __enter__(self) -> ColumnWriter:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def add(self, part: Mapping[str, Sequence[Any]]) -> None:
        """One batch of columns (the same columns as the first batch)."""
        if self._sink is None:
            self._sink = self._open(list(part))
        columns = [
            values if convert is None else _convert_all(values, convert)
            for values, convert in zip(
                (part[name] for name in self._given), self._converters, strict=True
            )
        ]
        if self._fixed:
            size = len(columns[0]) if columns else 0
            columns += [[value] * size for value in self._fixed]
        with self._driver_errors():
            self._sink.add(columns)

    def end_rows(self) -> None:
        """No more batches: the database's own end of the bulk phase (SQLite: the indexes
        built again; PostgreSQL: the COPY's end, the indexes, ANALYZE) starts now, on the
        sink's thread, while the caller finishes its pass; close() waits for it."""
        if self._sink is not None:
            with self._driver_errors():
                self._sink.end_rows()

    def close(self) -> int:
        """Every row written (SQLite: the indexes built again); the number of rows."""
        if self._sink is not None:
            sink, self._sink = self._sink, None
            with self._driver_errors():
                self.count = sink.close()
        return self.count

    def abort(self) -> None:
        """Stop writing; the rows already sent stay in the transaction for its rollback."""
        if self._sink is not None:
            sink, self._sink = self._sink, None
            try:
                sink.abort()
            except Exception:  # the connection is gone already: the rollback says so
                log.debug("bulk insert abort failed", exc_info=True)

    @contextmanager
    def _driver_errors(self) -> Iterator[None]:
        """The driver's own errors (raised on the raw connection) as SQLAlchemy's, so the
        store's outage and disk-full handling sees them as it sees any other write's."""
        dialect = self.session.get_bind().dialect
        base = dialect.loaded_dbapi.Error
        try:
            yield
        except base as exc:
            raise DBAPIError.instance(None, None, exc, base, dialect=dialect) from exc

    def _open(self, given: list[str]) -> _Sink:
        connection = self.session.connection()
        dialect = connection.dialect
        table = self.table
        defaults = _scalar_defaults(table, given)
        names = given + list(defaults)
        self._given = given
        self._converters = [
            None if name in self.json_text else _converter(table.c[name], dialect) for name in given
        ]
        self._fixed = list(defaults.values())
        raw = connection.connection.dbapi_connection
        assert raw is not None
        quote = dialect.identifier_preparer.quote
        quoted = [quote(name) for name in names]
        # Indexes whose keys grow with a new list's rows: kept up to date during a bulk phase.
        kept = {str(index.name) for index in table.indexes if index.info.get(APPENDED)}
        if dialect.name == "sqlite":
            # A column left out of an INSERT is NULL unless the table gives it a default.
            nullable = {quote(c.name) for c in table.columns if c.server_default is None}
            return SqliteAppender(
                raw, quote(table.name), quoted, nullable=nullable,
                expected_rows=self.expected_rows, kept=kept,
            )  # fmt: skip
        if dialect.name == "postgresql":
            return PgCopy(raw, quote(table.name), quoted, kept=kept)
        return _ExecuteMany(raw, quote(table.name), quoted)


class _Sink(Protocol):
    def add(self, columns: list[Sequence[Any]]) -> None: ...

    def end_rows(self) -> None: ...

    def close(self) -> int: ...

    def abort(self) -> None: ...


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
    """What SQLAlchemy would do to a value of `column` before the driver sees it: the
    dialect's own type (SQLite's DATETIME writes the text the ORM writes, not a datetime
    left to the driver's adapter)."""
    if isinstance(column.type, JSON):
        return _json
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_json = _ENCODER.encode


class _ExecuteMany:
    """Any other driver (%s markers): executemany a batch at a time."""

    def __init__(self, raw: Any, table: str, names: list[str]) -> None:
        marks = ", ".join(["%s"] * len(names))
        self.statement = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
        self.cursor = raw.cursor()
        self.count = 0

    def add(self, columns: list[Sequence[Any]]) -> None:
        rows = list(zip(*columns, strict=True))
        self.cursor.executemany(self.statement, rows)
        self.count += len(rows)

    def end_rows(self) -> None:
        pass  # nothing deferred: executemany wrote every row as it came

    def close(self) -> int:
        self.cursor.close()
        return self.count

    def abort(self) -> None:
        self.cursor.close()
