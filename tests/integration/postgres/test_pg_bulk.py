"""The store round trip on PostgreSQL, where the bulk insert is COPY: 20,000 rows (the
100k-row one runs on SQLite; the path is the same, and COPY does not change with size)."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.store import bulk_pg
from campaign.store.db import Database, open_db
from tests.integration.test_list_import import check_one_pass_equals_two
from tests.integration.test_store_bulk import check_roundtrip

pytestmark = pytest.mark.postgres


def test_a_list_round_trips_through_postgresql_copy(pg_url: str, tmp_path: Path) -> None:
    """And leaves the planner statistics of its rows: with autovacuum off for the table, only
    the bulk insert's own ANALYZE can have counted them (a table the planner thinks empty
    sends the export's joins to nested loops: 220 s for 400,000 contacts instead of 8)."""
    db = open_db(pg_url)
    try:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE contacts SET (autovacuum_enabled = false)")
        check_roundtrip(db, tmp_path, rows=20_000)
        with db.engine.connect() as connection:
            tuples = connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE relname = 'contacts'"
            ).scalar_one()
        assert tuples > 15_000
    finally:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE contacts RESET (autovacuum_enabled)")
        db.dispose()


def _indexes(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'contacts' "
            "ORDER BY indexname"
        ).fetchall()
    return [(name, sql) for name, sql in rows]


def test_a_list_stored_while_it_is_read_equals_two_passes_on_postgresql(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first list into an empty table has its indexes built after its rows (the
    threshold lowered to reach it); the second keeps them. Both read back alike."""
    monkeypatch.setattr(bulk_pg, "DEFER_INDEXES_MIN_ROWS", 2_000)
    drops: list[int] = []
    drop = bulk_pg.PgCopy.drop_indexes

    def counted(copy: bulk_pg.PgCopy) -> None:
        drops.append(copy.count)
        drop(copy)

    monkeypatch.setattr(bulk_pg.PgCopy, "drop_indexes", counted)
    db = open_db(pg_url)
    try:
        before = _indexes(db)
        check_one_pass_equals_two(db, tmp_path, rows=6_000)
        assert _indexes(db) == before and len(before) >= 7
    finally:
        db.dispose()
    assert len(drops) == 1 and drops[0] < 2_000
