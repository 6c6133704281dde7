"""Storing a 100k-row list with the bulk insert, and reading every field back (SQLite here,
PostgreSQL's COPY in tests/integration/postgres/test_pg_bulk.py, with the same check)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from campaign.campaigns.create import _row_values, create_campaign
from campaign.contacts import ContactList, ContactStream, open_contacts
from campaign.contacts.model import ContactRow
from campaign.engine.settings import RunSettings
from campaign.store.bulk import insert_rows
from campaign.store.db import Database
from campaign.store.models import Campaign, Contact, Suppression

NOW = datetime(2026, 3, 2, 15, 0, 0, 123456, tzinfo=UTC)
FIELDS = (
    "position", "line", "raw", "raw_phone", "to_number", "import_status", "reason", "warning",
    "duplicate_of_line", "vars", "from_number", "agent_id", "timezone", "region", "state",
    "attempts", "next_attempt_at", "wait_reason", "outcome", "error", "final_at", "fence",
    "claimed_by", "lease_until",
)  # fmt: skip


def write_list(path: Path, rows: int, seed: int = 9) -> Path:
    rng = random.Random(seed)
    lines = ["שם,phone,note,from_number"]
    earlier: list[str] = []
    for i in range(rows):
        draw = rng.random()
        if draw < 0.01:
            phone = rng.choice(["12", "", "1.55512E+10"])
        elif draw < 0.1 and earlier:
            phone = rng.choice(earlier)
        else:
            phone = f"+1 212 {rng.randint(200, 999)} {rng.randint(0, 9999):04d}"
            earlier.append(phone)
        name = rng.choice(["דנה", "José", 'Ana "Bo"', "O'Brien", ""])
        note = rng.choice(["", "vip", "line one\nline two" if i % 500 == 0 else "x"])
        caller = "+12125550100" if i % 97 == 0 else ""
        lines.append(
            f'{name.replace(chr(34), chr(34) * 2).join(chr(34) * 2)},{phone},"{note}",{caller}'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored(db: Database, campaign_id: int) -> list[dict[str, Any]]:
    columns = [getattr(Contact, name) for name in FIELDS]
    with db.read_session() as session:
        result = session.execute(
            select(*columns).where(Contact.campaign_id == campaign_id).order_by(Contact.position)
        )
        return [dict(zip(FIELDS, row, strict=True)) for row in result]


def _stored_columns(db: Database, campaign_id: int) -> dict[str, list[Any]]:
    """Every field of every stored row by column, each column through its SQLAlchemy type's
    result processor (what the ORM applies when it reads), in one driver-level query."""
    table = Contact.__table__
    with db.engine.connect() as connection:
        dialect = connection.dialect
        names = ", ".join(FIELDS)
        marker = "?" if dialect.name == "sqlite" else "%s"
        rows = connection.exec_driver_sql(
            f"SELECT {names} FROM contacts WHERE campaign_id = {marker} ORDER BY position",
            (campaign_id,),
        ).fetchall()
    out: dict[str, list[Any]] = {}
    for name, values in zip(FIELDS, zip(*rows, strict=True), strict=True):
        column = table.c[name]
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        out[name] = list(values) if process is None else [process(value) for value in values]
    return out


class _Recorded:
    """A ContactStream that keeps each chunk it gives (to compare the stored rows with)."""

    def __init__(self, stream: ContactStream) -> None:
        self.stream = stream
        self.parts: list[ContactList] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def chunks(self) -> Iterator[ContactList]:
        for chunk in self.stream.chunks():
            self.parts.append(chunk)
            yield chunk

    def rows(self) -> Iterator[ContactRow]:
        for chunk in self.parts:
            yield from chunk.rows()


def check_roundtrip(db: Database, tmp_path: Path, rows: int = 100_000) -> None:
    """A list stored in chunks (the bulk path, column-wise) reads back field for field as
    its row-wise twin `_row_values` says (the chunks equal one read: test_contacts_chunks)."""
    path = write_list(tmp_path / "big.csv", rows)
    head = next(open_contacts(path, chunk_rows=1000).chunks())
    dnc = next(row.e164 for row in head.rows("valid"))
    assert dnc is not None
    with db.session() as session:
        session.add(Suppression(e164=dnc, source="test", reason=None, added_at=NOW))
    # As `run` stores a list: read once to check it (its JSON made by the workers, its size
    # known, so SQLite builds the indexes after the rows), then stored from the kept pass.
    stream = open_contacts(path, chunk_rows=max(1000, rows // 5), keep_prepared=True)
    assert stream.counts.total > 0
    whole = _Recorded(stream)
    campaign = create_campaign(db, whole, RunSettings(), now=NOW)  # type: ignore[arg-type]
    assert all(part.raw_json is not None for part in whole.parts)
    assert len(whole.parts) >= 5
    stored = _stored_columns(db, campaign.id)
    expected = [_row_values(campaign.id, row, {dnc}, NOW) for row in whole.rows()]
    assert len(stored["position"]) == len(expected) > 0.99 * rows  # blank lines are no rows
    for name in FIELDS:
        if name in expected[0]:
            want = [row[name] for row in expected]
            got = stored[name]
            if got != want:  # one comparison per column; the first difference shown
                at = next(
                    i for i, pair in enumerate(zip(got, want, strict=True)) if pair[0] != pair[1]
                )
                raise AssertionError((name, at, got[at], want[at]))
    assert stored["fence"][0] == 0 and stored["claimed_by"][0] is None
    outcomes = set(stored["outcome"])
    assert {"invalid", "duplicate", "dnc", None} <= outcomes
    assert any("\n" in raw["note"] for raw in stored["raw"])
    sample = [row for _, row in zip(range(300), whole.rows(), strict=False)]

    # The same rows through the ORM's insert read back identically.
    with db.session() as session:
        other = Campaign(
            name="orm",
            state="ready",
            created_at=NOW,
            settings={},
            source_columns=[],
            requests_used=0,
            rate_limited=0,
        )
        bulk = Campaign(
            name="bulk",
            state="ready",
            created_at=NOW,
            settings={},
            source_columns=[],
            requests_used=0,
            rate_limited=0,
        )
        session.add_all([other, bulk])
        session.flush()
        session.execute(insert(Contact), [_row_values(other.id, r, {dnc}, NOW) for r in sample])
        insert_rows(session, Contact, (_row_values(bulk.id, r, {dnc}, NOW) for r in sample))
        ids = other.id, bulk.id
    assert _stored(db, ids[0]) == _stored(db, ids[1])


def _indexes(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
    return [(name, sql) for name, sql in rows]


def test_a_100k_row_list_round_trips_through_sqlite(db: Database, tmp_path: Path) -> None:
    before = _indexes(db)
    check_roundtrip(db, tmp_path)
    # The indexes dropped for the bulk phase are all back, as they were.
    assert _indexes(db) == before and any(n == "ix_contacts_dispatch" for n, _ in before)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_bulk_datetimes_are_stored_as_the_orm_stores_them(db: Database) -> None:
    """The same text as an ORM write (SQLite's DATETIME: microseconds always written), so a
    comparison in SQL between a bulk-written and an ORM-written instant is exact."""
    whole = datetime(2026, 3, 2, 15, 0, 0, tzinfo=UTC)  # no microseconds to drop
    with db.session() as session:
        campaign = Campaign(
            name="dates", state="ready", created_at=NOW, settings={}, source_columns=[],
            requests_used=0, rate_limited=0,
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        row = {"campaign_id": campaign.id, "position": 0, "line": 2, "import_status": "valid"}
        row |= {"raw": {}, "vars": {}}
        row |= {"state": "final", "final_at": whole}
        session.execute(insert(Contact), [row | {"position": 1}])
        insert_rows(session, Contact, [row])
    with db.engine.connect() as connection:
        texts = (
            connection.exec_driver_sql("SELECT final_at FROM contacts ORDER BY position")
            .scalars()
            .all()
        )
    assert texts == ["2026-03-02 15:00:00.000000"] * 2
