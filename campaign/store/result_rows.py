"""The results table's rows as one SQL query, streamed in chunks (the export's reader).

One row per contact, in input order, with everything the results table needs already joined
in SQL: the contact's own columns, its "source" (the row it duplicates, when it is a
duplicate whose primary is in the list; else itself), the source's last placed call, and
whether the contact itself ever connected (for `goal_reached`). What a row turns into on the
page is `campaign.outcomes.stream`; this module only reads.

Rows are fetched with the driver's server-side cursor (`stream_results`) in chunks, inside
one read transaction, so a 1,000,000-contact campaign is read at flat memory and never shows
a half-recorded call. Datetimes and JSON come through untouched by SQLAlchemy's per-value
processors (SQLite text as stored, PostgreSQL's datetimes and decoded JSON as the driver
gives them): the reader parses only the values it writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FromClause

from campaign.calls.holds import CampaignHold, waiting_columns
from campaign.calls.vocab import PLACED_CALLS, Outcome
from campaign.store.models import Attempt, Campaign, Contact

#: `contacts.import_status` values and the `attempts.category` of a connected call.
_VALID, _DUPLICATE, _CONNECTED = "valid", "duplicate", "connected"
#: Rows fetched from the cursor at a time.
CHUNK_ROWS = 10_000

#: The columns after the table's cells, which Python turns into cells: the number and
#: timezone column the recipient's zone comes from, the call's instants for the local times,
#: and the call's variables (JSON).
TAIL_FIELDS = (
    "zone_number",
    "zone_column",
    "started_at",
    "ended_at",
    "vars_extracted",
    "vars_collected",
)


@dataclass(frozen=True)
class ResultsQuery:
    """The select. Its columns are, in order: the original cells (one column per header
    when `cells_in_sql`, else the contact's `raw` JSON document as one column); the results
    columns as the table shows them (`results.RESULT_COLUMNS` up to `next_call_at`, with
    `goal_reached` third when asked), UTC instants already as text; then `TAIL_FIELDS`."""

    statement: Select[Any]
    cells_in_sql: bool
    #: Columns before TAIL_FIELDS.
    width: int


def results_query(
    campaign: Campaign,
    headers: list[str],
    *,
    dialect: str,
    only: frozenset[str] = frozenset(),
    goal: bool = False,
    positions: tuple[int | None, int | None] = (None, None),
) -> ResultsQuery:
    """One row per contact of `campaign` in input order; `only` keeps those outcomes, and
    `positions` (from, before) the contacts of that part of the list.

    The original cells under `headers` are taken out of the stored JSON by the database
    (SQLite's json_extract, PostgreSQL's ->>), which is several times faster than decoding
    each document in Python; a header SQLite's JSON path cannot spell (a `"` or `\\` in it)
    reads the whole document instead."""
    c = Contact.__table__.c
    cells_in_sql = bool(headers) and (dialect != "sqlite" or all(map(_sqlite_path_safe, headers)))
    # PostgreSQL's `json ->>` parses the document again for every header: the document is
    # parsed once a row instead, as jsonb in a lateral subquery that OFFSET 0 keeps from
    # being folded back into each cell (400k rows, five headers: 1.45-1.98 s -> 0.62-0.72 s).
    document = _parsed_once(c.raw) if cells_in_sql and dialect == "postgresql" else None
    cells = (
        [
            _cell(c.raw if document is None else document.c.doc, header, dialect).label(f"cell_{n}")
            for n, header in enumerate(headers)
        ]
        if cells_in_sql
        else [_raw(c.raw).label("raw")]
    )
    primary_lines = _primary_lines(campaign.id)
    primary = Contact.__table__.alias("primary_contact")
    source = Contact.__table__.alias("source")
    last = Attempt.__table__.alias("last_call")
    p, s, a = primary.c, source.c, last.c
    is_duplicate = and_(c.import_status == _DUPLICATE, c.duplicate_of_line.isnot(None))
    source_id = case((is_duplicate, func.coalesce(p.id, c.id)), else_=c.id)
    last_id = (
        select(Attempt.id)
        .where(Attempt.contact_id == s.id, Attempt.state.in_(PLACED_CALLS))
        .order_by(Attempt.number.desc(), Attempt.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    pending = c.outcome.is_(None)
    outcome = func.coalesce(c.outcome, literal(Outcome.PENDING.value))
    next_at, wait_reason, wait_detail = waiting_columns(CampaignHold.of(campaign))
    rejected = c.import_status != _VALID
    error = case(
        (rejected, func.coalesce(c.reason, c.error)), else_=func.coalesce(c.error, a.error)
    )
    duplicate_text = literal("duplicate of line ") + func.coalesce(
        cast(c.duplicate_of_line, String), literal("<NA>")
    )
    goal_cells = [_goal_reached(c).label("goal_reached")] if goal else []
    columns: list[ColumnElement[Any]] = [
        *cells,
        c.to_number,
        outcome.label("outcome"),
        *goal_cells,
        func.coalesce(s.last_status, a.voicy_status).label("call_status"),
        func.coalesce(s.attempts, 0).label("attempts"),
        func.coalesce(a.call_id, s.last_call_id).label("call_id"),
        _utc_text(a.started_at, dialect).label("started_at_text"),
        _utc_text(a.ended_at, dialect).label("ended_at_text"),
        (cast(a.duration_ms, Float) / literal(1000.0, Float)).label("duration_s"),
        a.summary,
        case(
            (and_(c.import_status == _DUPLICATE, error.is_(None)), duplicate_text),
            else_=error,
        ).label("error"),
        c.duplicate_of_line.label("duplicate_of"),
        case(
            (
                c.duplicate_of_line.isnot(None),
                func.coalesce(s.outcome, literal(Outcome.PENDING.value)),
            ),
        ).label("duplicate_of_outcome"),
        case((pending, wait_reason)).label("wait_reason"),
        case((pending, wait_detail)).label("wait_detail"),
        _utc_text(case((pending, next_at)), dialect).label("next_call_at"),
    ]
    width = len(columns)
    columns += [
        s.to_number.label("zone_number"),
        s.timezone.label("zone_column"),
        _raw(a.started_at).label("started_at"),
        _raw(a.ended_at).label("ended_at"),
        _raw(a.vars_extracted).label("vars_extracted"),
        _raw(a.vars_collected).label("vars_collected"),
    ]
    contacts: FromClause = Contact.__table__
    if document is not None:
        contacts = contacts.join(document, true())
    statement = (
        select(*columns)
        .select_from(contacts)
        .outerjoin(primary_lines, primary_lines.c.line == c.duplicate_of_line)
        .outerjoin(
            primary,
            and_(primary.c.campaign_id == c.campaign_id, p.position == primary_lines.c.position),
        )
        .outerjoin(source, s.id == source_id)
        .outerjoin(last, a.id == last_id)
        .where(c.campaign_id == campaign.id)
        .order_by(c.position)
    )
    if only:
        statement = statement.where(outcome.in_(sorted(only)))
    start, stop = positions
    if start is not None:
        statement = statement.where(c.position >= start)
    if stop is not None:
        statement = statement.where(c.position < stop)
    return ResultsQuery(statement, cells_in_sql=cells_in_sql, width=width)


def variable_names(session: Session, campaign_id: int) -> tuple[list[str], list[str]]:
    """The names in the extracted and the collected variables of every contact's last call
    (sorted): the `extracted.*` / `collected.*` columns. JSON objects only, read in SQL."""
    last_ids = _last_call_ids(campaign_id)
    names: list[list[str]] = []
    for column in (Attempt.vars_extracted, Attempt.vars_collected):
        documents = session.execute(
            select(_raw(column)).where(Attempt.id.in_(last_ids), column.isnot(None))
        ).scalars()
        found: set[str] = set()
        for document in documents:
            value = _decoded(document)
            if isinstance(value, dict):
                found.update(value)
        names.append(sorted(found))
    return names[0], names[1]


def stream_rows(session: Session, statement: Select[Any], chunk: int = CHUNK_ROWS) -> Iterator[
    Sequence[Sequence[Any]]
]:  # fmt: skip
    """The rows of `statement` in chunks of `chunk`, through a server-side cursor."""
    connection = session.connection()  # Core rows: no ORM loading for a plain select
    if connection.dialect.name == "postgresql":
        # Every row is read: plan for all of them, not for the cursor's first tenth (the
        # default's nested loops took ~4 s a chunk of 10,000 rows where a hash join takes
        # 1.6 s for the whole of a 150,000-contact campaign).
        connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
    result = connection.execute(statement.execution_options(stream_results=True, yield_per=chunk))
    yield from result.partitions(chunk)


def _last_call_ids(campaign_id: int) -> Select[Any]:
    """The id of each contact's last placed call (by number, then id)."""
    ranked = (
        select(
            Attempt.id,
            func.row_number()
            .over(
                partition_by=Attempt.contact_id,
                order_by=(Attempt.number.desc(), Attempt.id.desc()),
            )
            .label("rank"),
        )
        .where(Attempt.campaign_id == campaign_id, Attempt.state.in_(PLACED_CALLS))
        .subquery()
    )
    return select(ranked.c.id).where(ranked.c.rank == 1)


def _primary_lines(campaign_id: int) -> Any:
    """Each line's first contact that is not itself a duplicate: the row a duplicate
    carries its call details from."""
    is_duplicate = and_(Contact.import_status == _DUPLICATE, Contact.duplicate_of_line.isnot(None))
    duplicated_lines = select(Contact.duplicate_of_line).where(
        Contact.campaign_id == campaign_id, is_duplicate
    )
    return (
        select(Contact.line, func.min(Contact.position).label("position"))
        .where(
            Contact.campaign_id == campaign_id,
            ~is_duplicate,
            Contact.line.in_(duplicated_lines.scalar_subquery()),
        )
        .group_by(Contact.line)
        .subquery("primary_lines")
    )


def _sqlite_path_safe(header: str) -> bool:
    return bool(header) and '"' not in header and "\\" not in header


def _cell(document: Any, header: str, dialect: str) -> ColumnElement[Any]:
    """The text under `header` in a contact's original cells (JSON object of strings)."""
    if dialect == "sqlite":
        return func.json_extract(document, f'$."{header}"', type_=String)
    return document[header].as_string()


def _parsed_once(raw: Any) -> Any:
    """A lateral subquery with each contact's cells as one parsed jsonb document (`doc`)."""
    return (
        select(cast(raw, JSONB).label("doc"))
        .correlate(Contact.__table__)
        .offset(0)
        .lateral("cells")
    )


def _goal_reached(c: Any) -> ColumnElement[Any]:
    """`true` / `false` for a contact reached at least once (it connected, or ended with a
    goal outcome), NULL when it never connected."""
    connected = exists().where(
        Attempt.contact_id == c.id,
        Attempt.state.in_(PLACED_CALLS),
        Attempt.category == _CONNECTED,
    )
    reached = or_(connected, c.outcome.in_([Outcome.GOAL_REACHED.value, Outcome.NO_GOAL.value]))
    return case((reached, case((c.outcome == Outcome.GOAL_REACHED.value, "true"), else_="false")))


def _utc_text(instant: Any, dialect: str) -> ColumnElement[Any]:
    """An instant as ISO 8601 text in UTC with its offset, `2026-01-05T15:07:03+00:00`."""
    if dialect == "sqlite":  # stored as naive UTC text
        return func.strftime("%Y-%m-%dT%H:%M:%S+00:00", instant, type_=String)
    return func.to_char(
        func.timezone("UTC", instant), 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"', type_=String
    )


def _raw(column: Any) -> ColumnElement[Any]:
    """`column` without SQLAlchemy's result processing (datetimes, JSON)."""
    return type_coerce(column, String)


def _decoded(document: Any) -> Any:
    import json

    if isinstance(document, str):
        return json.loads(document)
    return document
