"""Storing a list during the pass that checks it (campaigns/importing.py): the rows stored
equal the two-pass store's field for field, and a refused list stores nothing (SQLite here,
PostgreSQL's COPY in tests/integration/postgres/test_pg_bulk.py with the same check)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from campaign.campaigns.create import create_campaign
from campaign.campaigns.importing import ImportTarget, ListImport
from campaign.contacts import ContactStream, open_contacts, validation_summary
from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.store import bulk_sqlite
from campaign.store.db import Database
from campaign.store.models import Campaign, Contact, Event, Suppression
from tests.factories import counts_at_calls
from tests.integration.test_store_bulk import FIELDS, NOW, _stored_columns, write_list

CHUNK = 2_000


def _stream(path: Path) -> ContactStream:
    return open_contacts(path, chunk_rows=CHUNK, with_json=True, with_vars=False)  # as `run`


def _one_pass(db: Database, path: Path, **options: Any) -> tuple[Campaign, list[str]]:
    opened: list[str] = []

    def open_store() -> ImportTarget:
        opened.append("store")
        return ImportTarget(db, NOW)

    stream = _stream(path)
    with ListImport(open_store, stream, RunSettings(), **options) as importing:
        validation_summary(stream, on_chunk=importing.add, on_end=importing.rows_done)
        opened.append(f"pass read, phase {importing.phase}")
        prepared = importing.finish()
    return prepared.campaign, opened


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read_session() as session:
        return (
            session.scalar(select(func.count()).select_from(Campaign)) or 0,
            session.scalar(select(func.count()).select_from(Contact)) or 0,
            session.scalar(select(func.count()).select_from(Suppression)) or 0,
        )


def check_one_pass_equals_two(db: Database, tmp_path: Path, rows: int = 12_000) -> None:
    """The one-pass store (indexes dropped half way, DNC rows in its transaction) reads back
    as the two-pass store of the same list, every field of every row."""
    path = write_list(tmp_path / "list.csv", rows)
    dnc = tmp_path / "dnc.txt"
    head = next(_stream(path).chunks())
    numbers = [str(row.e164) for row in head.rows("valid")][:3]
    dnc.write_text("\n".join(numbers) + "\n")
    one, opened = _one_pass(db, path, dnc_files=(dnc,))
    assert opened == ["store", "pass read, phase storing"]
    # The two-pass store, with the DNC numbers the first one stored.
    two = create_campaign(db, _stream(path), RunSettings(), now=NOW, name="two")
    first, second = _stored_columns(db, one.id), _stored_columns(db, two.id)
    assert len(first["position"]) > 0.99 * rows
    for name in FIELDS:
        assert first[name] == second[name], name
    assert sum(outcome == "dnc" for outcome in first["outcome"]) == 3
    with db.read_session() as session:
        stored = session.get(Campaign, one.id)
        assert stored is not None and stored.fingerprint == _stream(path).fingerprint
        assert session.scalar(select(func.count()).where(Event.campaign_id == one.id)) == 1


def test_one_pass_stores_what_two_passes_store(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_sqlite, "DEFER_INDEXES_MIN_ROWS", 5_000)  # dropped mid-pass
    drops = counts_at_calls(monkeypatch, bulk_sqlite.SqliteAppender, "drop_indexes")
    before = (
        db.engine.connect()
        .exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .fetchall()
    )
    check_one_pass_equals_two(db, tmp_path)
    with db.engine.connect() as connection:
        after = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert after == before
    # Dropped once the rows passed the threshold (third chunk), and in the second store
    # once they outnumbered the first campaign's.
    assert len(drops) == 2 and 5_000 - CHUNK <= drops[0] < 5_000 <= drops[1]


def test_a_refused_list_stores_nothing(db: Database, tmp_path: Path) -> None:
    path = write_list(tmp_path / "list.csv", 6_000)
    dnc = tmp_path / "dnc.txt"
    dnc.write_text("+12125550199\n")
    _one_pass(db, path)
    stored = _counts(db)
    # The same list again: the guard, known only at the end of the pass, rolls it all back
    # (its DNC file too).
    with pytest.raises(InputError, match="this list is campaign"):
        _one_pass(db, path, dnc_files=(dnc,))
    assert _counts(db) == stored
    # Refused by the caller inside the pass's `with` (e.g. most rows rejected).
    stream = _stream(path)
    with (
        pytest.raises(InputError, match="read wrong"),
        ListImport(lambda: ImportTarget(db, NOW), stream, RunSettings(), new=True) as importing,
    ):
        # The store's end of the bulk phase under way (its indexes) when the caller refuses.
        validation_summary(stream, on_chunk=importing.add, on_end=importing.rows_done)
        assert importing.phase == "storing"
        raise InputError("the list is read wrong")
    # Left without finish(): nothing is kept either.
    stream = _stream(path)
    with ListImport(lambda: ImportTarget(db, NOW), stream, RunSettings(), new=True) as importing:
        validation_summary(stream, on_chunk=importing.add)
    assert _counts(db) == stored


def test_a_first_chunk_mostly_rejected_waits_for_the_verdict(db: Database, tmp_path: Path) -> None:
    """No store opened during the pass; the list passing after all is stored by a second."""
    path = tmp_path / "list.csv"
    bad = [f"row{i},12{i % 10}" for i in range(CHUNK)]
    good = [f"row{i},+1 212 {200 + i // 10000} {i % 10000:04d}" for i in range(4 * CHUNK)]
    path.write_text("name,phone\n" + "\n".join(bad + good) + "\n", encoding="utf-8")
    campaign, opened = _one_pass(db, path)
    assert opened == ["pass read, phase deferred", "store"]
    stored = _stored_columns(db, campaign.id)
    assert stored["line"] == list(range(2, 2 + 5 * CHUNK))
    assert stored["import_status"].count("invalid") == CHUNK


def test_a_write_refused_for_a_bug_is_an_error_not_a_second_pass(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only an outage (server gone, file locked) falls back to a second pass; any other
    failure of the insert stops the import, with nothing stored."""
    from sqlalchemy.exc import IntegrityError

    from campaign.campaigns import importing

    real = importing.chunk_columns

    def broken(*args: Any) -> Any:
        columns = dict(real(*args))
        columns["import_status"] = [None] * len(columns["line"])  # NOT NULL
        return columns

    monkeypatch.setattr(importing, "chunk_columns", broken)
    path = write_list(tmp_path / "list.csv", 3 * CHUNK)
    with pytest.raises(IntegrityError, match="NOT NULL"):
        _one_pass(db, path)
    assert _counts(db) == (0, 0, 0)
