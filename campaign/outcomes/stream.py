"""The results table as a stream of row chunks: what `export` writes for a big campaign.

The same table as `campaign.outcomes.results.results_frame` (same columns, same order, same
text), made from one SQL query (`campaign.store.result_rows`) a chunk at a time, so a
1,000,000-contact campaign is written at flat memory and at the speed of the database
cursor: no ORM objects, no DataFrame of the whole campaign, no per-cell type guessing.
Everything that can be said in SQL is (the carried call details of a duplicate, the last
call, the waits, the error text); Python adds what SQL cannot: the recipient's time zone and
local times, the decoded original cells and the call's variables.

Cells are Python values: `str`, `int`, `float`, `bool`, `None`, and `datetime` for the
local times when `local_as_text` is off (date cells in a workbook). The UTC instants are
ISO 8601 text with their offset; local times `2026-01-05 17:07:03` text for CSV.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from campaign.outcomes.columns import (
    COLLECTED,
    EXTRACTED,
    GOAL_COLUMN,
    LOCAL_RESULT_COLUMNS,
    RESULT_COLUMNS,
    variable_text,
)
from campaign.outcomes.recipients import recipient_zones
from campaign.store.models import Campaign
from campaign.store.result_rows import (
    CHUNK_ROWS,
    TAIL_FIELDS,
    ResultsQuery,
    results_query,
    stream_rows,
    variable_names,
)

Row = list[Any]
_TAIL = {name: index for index, name in enumerate(TAIL_FIELDS)}


@dataclass(frozen=True)
class ResultsStream:
    """The table's header and its rows, a chunk at a time, in input order."""

    headers: list[str]
    chunks: Iterator[list[Row]]
    #: The local-time columns (date cells when `local_as_text` is off).
    date_columns: frozenset[str] = frozenset()


def can_stream(campaign: Campaign) -> bool:
    """The stream needs the original headers stored with the campaign (every campaign
    imported since they were; older ones go through the DataFrame path)."""
    return bool(campaign.source_columns)


@dataclass(frozen=True)
class Variables:
    """The names of the extracted and collected variables: the table's last columns. Read
    once for a table written in parts, so every part has the same columns."""

    extracted: list[str]
    collected: list[str]

    @classmethod
    def read(cls, session: Session, campaign: Campaign) -> Variables:
        return cls(*variable_names(session, campaign.id))


def stream_results(
    session: Session,
    campaign: Campaign,
    *,
    only: frozenset[str] = frozenset(),
    local_as_text: bool = True,
    chunk: int = CHUNK_ROWS,
    variables: Variables | None = None,
    positions: tuple[int | None, int | None] = (None, None),
) -> ResultsStream:
    """The results table of `campaign` (see `campaign.outcomes.results`), streamed; read
    within `session`'s transaction, which must stay open while the chunks are consumed.
    `positions` (from, before) keeps a part of the list (`campaign.outcomes.csv_parts`)."""
    originals = list(campaign.source_columns or [])
    names = variables or Variables.read(session, campaign)
    extracted, collected = names.extracted, names.collected
    goal = bool((campaign.settings or {}).get("goal"))
    generated = list(RESULT_COLUMNS)
    if goal:
        generated.insert(2, GOAL_COLUMN)
    generated += [f"{EXTRACTED}{name}" for name in extracted]
    generated += [f"{COLLECTED}{name}" for name in collected]
    renamed = _renamed(originals, generated)
    headers = originals + renamed
    local_times = LOCAL_RESULT_COLUMNS[1:]
    dates = frozenset(
        new for old, new in zip(generated, renamed, strict=True) if old in local_times
    )
    local = _local_text if local_as_text else _local_datetime
    dialect = session.get_bind().dialect.name
    query = results_query(
        campaign, originals, dialect=dialect, only=only, goal=goal, positions=positions
    )
    build = _RowBuilder(query, originals, extracted, collected, local=local)
    chunks = (build.rows(rows) for rows in stream_rows(session, query.statement, chunk))
    return ResultsStream(headers=headers, chunks=chunks, date_columns=dates)


class _RowBuilder:
    """Turns the query's rows into table rows: the query's table columns as they are, then
    the recipient's zone, the local times and the variables."""

    def __init__(
        self,
        query: ResultsQuery,
        originals: list[str],
        extracted: list[str],
        collected: list[str],
        *,
        local: Callable[[datetime | None, str | None], Any],
    ) -> None:
        self.originals = originals
        self.cells_in_sql = query.cells_in_sql
        self.width = query.width
        self.extracted = extracted
        self.collected = collected
        self.local = local

    def rows(self, chunk: Sequence[Sequence[Any]]) -> list[Row]:
        tail = self.width
        zone_number, zone_column = tail + _TAIL["zone_number"], tail + _TAIL["zone_column"]
        zones = recipient_zones((row[zone_number], row[zone_column]) for row in chunk)
        return [self.row(row, zone) for row, zone in zip(chunk, zones, strict=True)]

    def row(self, row: Sequence[Any], zone: str | None) -> Row:
        tail = self.width
        if self.cells_in_sql:
            out: Row = list(row[:tail])
        else:
            out = self.decoded_cells(row[0])
            out += row[1:tail]
        started, ended = row[tail + _TAIL["started_at"]], row[tail + _TAIL["ended_at"]]
        if zone is None or (started is None and ended is None):
            out += (zone, None, None)
        else:
            out += (zone, self.local(_instant(started), zone), self.local(_instant(ended), zone))
        if self.extracted:
            out += _variables(row[tail + _TAIL["vars_extracted"]], self.extracted)
        if self.collected:
            out += _variables(row[tail + _TAIL["vars_collected"]], self.collected)
        return out

    def decoded_cells(self, document: Any) -> Row:
        raw = _document(document)
        if isinstance(raw, dict):
            get = raw.get
            return [get(name) for name in self.originals]
        return [None] * len(self.originals)


def _variables(document: Any, names: list[str]) -> list[Any]:
    values = _document(document)
    if isinstance(values, dict):
        return [variable_text(values.get(name)) for name in names]
    return [None] * len(names)


def _renamed(taken_names: list[str], names: list[str]) -> list[str]:
    """Generated column names, prefixed `campaign.` where an original column has the name
    (as `results._with_originals` does)."""
    taken = set(taken_names)
    renamed = []
    for name in names:
        final = name
        while final in taken:
            final = f"campaign.{final}"
        taken.add(final)
        renamed.append(final)
    return renamed


def _document(value: Any) -> Any:
    """A stored JSON document: SQLite's text decoded, a driver's decoded value as it is."""
    if isinstance(value, str):
        return json.loads(value)
    return value


@lru_cache(maxsize=4096)
def _stored_instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _instant(value: Any) -> datetime | None:
    """A stored instant as an aware UTC datetime (SQLite keeps naive UTC text)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _stored_instant(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    raise TypeError(f"not a stored instant: {value!r}")


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local_datetime(moment: datetime | None, zone: str | None) -> datetime | None:
    """The recipient's wall-clock time, zone-less, to the second (a date cell)."""
    if moment is None or zone is None:
        return None
    return moment.astimezone(_zone(zone)).replace(tzinfo=None, microsecond=0)


def _local_text(moment: datetime | None, zone: str | None) -> str | None:
    local = _local_datetime(moment, zone)
    return None if local is None else local.strftime("%Y-%m-%d %H:%M:%S")
