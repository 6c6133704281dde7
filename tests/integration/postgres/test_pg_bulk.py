"""The store round trip on PostgreSQL, where the bulk insert is COPY: 20,000 rows (the
100k-row one runs on SQLite; the path is the same, and COPY does not change with size)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError

from campaign.calls.vocab import CampaignState
from campaign.campaigns.contact_batches import JSON_COLUMNS, chunk_columns
from campaign.contacts import open_contacts
from campaign.store import bulk_pg
from campaign.store.bulk import ColumnWriter
from campaign.store.db import Database, open_db
from campaign.store.models import APPENDED, Campaign, Contact
from tests.factories import counts_at_calls
from tests.integration.test_list_import import check_one_pass_equals_two
from tests.integration.test_store_bulk import NOW, check_roundtrip, write_list

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


def _catalog(db: Database) -> dict[str, tuple[str, int]]:
    """The contacts table's indexes and constraints (its foreign key among them): each
    one's definition and object id (a new id: made again)."""
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), indexrelid::int "
            "FROM pg_index WHERE indrelid = 'contacts'::regclass UNION ALL "
            "SELECT conname, pg_get_constraintdef(oid), oid::int FROM pg_constraint "
            "WHERE conrelid = 'contacts'::regclass"
        ).fetchall()
    return {name: (sql, oid) for name, sql, oid in rows}


def _indexes(db: Database) -> dict[str, str]:
    return _indexes_of(_catalog(db))


def _indexes_of(catalog: dict[str, tuple[str, int]]) -> dict[str, str]:
    return {name: sql for name, (sql, _) in catalog.items()}


def _counted_upkeep(monkeypatch: pytest.MonkeyPatch, rows: int) -> list[int]:
    """The threshold lowered to `rows`; the row counts at which a COPY deferred its upkeep."""
    monkeypatch.setattr(bulk_pg, "DEFER_INDEXES_MIN_ROWS", rows)
    return counts_at_calls(monkeypatch, bulk_pg.PgCopy, "defer_upkeep")


def test_a_list_stored_while_it_is_read_equals_two_passes_on_postgresql(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first list into an empty table has its foreign key added and its indexes (but
    the appended ones, kept up to date) built after its rows (the threshold lowered to
    reach it); the second keeps them all. Both read back alike, and the table ends with the
    very indexes and constraints it had."""
    drops = _counted_upkeep(monkeypatch, 2_000)
    db = open_db(pg_url)
    try:
        before = _catalog(db)
        assert any("FOREIGN KEY (campaign_id)" in sql for sql, _ in before.values())
        check_one_pass_equals_two(db, tmp_path, rows=6_000)
        after = _catalog(db)
        assert _indexes_of(after) == _indexes_of(before)
        assert len(before) >= 8  # seven indexes (the primary key's shares its name) and the key
        made_again = {name for name, (_, oid) in after.items() if before[name][1] != oid}
    finally:
        db.dispose()
    assert len(drops) == 1 and drops[0] < 2_000
    table = Contact.__table__
    assert isinstance(table, Table)
    appended = {str(index.name) for index in table.indexes if index.info.get(APPENDED)}
    assert appended and "ix_contacts_to_number" not in appended
    keys = {name for name, (sql, _) in before.items() if sql.startswith("FOREIGN KEY")}
    assert len(keys) == len(table.foreign_key_constraints) == 1
    assert made_again == {str(i.name) for i in table.indexes} - appended | keys


def _chunk_columns(tmp_path: Path, campaign_id: int) -> dict[str, list[object]]:
    path = write_list(tmp_path / "list.csv", 400)
    chunk = next(open_contacts(path, chunk_rows=1_000, with_json=True).chunks())
    return chunk_columns(campaign_id, chunk, set(), NOW)  # type: ignore[return-value]


def test_the_foreign_key_put_back_after_a_first_list_still_checks_its_rows(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of a campaign that does not exist, COPied while the key was dropped, fail when
    it is added back: nothing is stored and the table keeps its key and indexes."""
    drops = _counted_upkeep(monkeypatch, 100)
    db = open_db(pg_url)
    try:
        before = _indexes(db)
        columns = _chunk_columns(tmp_path, campaign_id=424242)
        with (
            pytest.raises(IntegrityError, match="campaign"),
            db.session() as session,
            ColumnWriter(session, Contact, json_text=JSON_COLUMNS) as writer,
        ):
            writer.add(columns)
        assert drops == [0]
        assert _indexes(db) == before
        with db.read_session() as session:
            assert session.scalar(select(func.count()).select_from(Contact)) == 0
    finally:
        db.dispose()


def test_a_reader_of_the_campaigns_keeps_the_first_lists_key_and_indexes(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Another session that holds `campaigns` (an open read) is not made to wait for the
    import: the drop gives up after LOCK_WAIT, and the rows go in with everything kept."""
    drops = _counted_upkeep(monkeypatch, 100)
    monkeypatch.setattr(bulk_pg, "LOCK_WAIT", "200ms")
    db = open_db(pg_url)
    try:
        before = _indexes(db)
        with db.session() as session:
            session.add(Campaign(name="c", state=CampaignState.READY, created_at=NOW))
        with db.engine.connect() as reader, reader.begin():
            reader.execute(select(func.count()).select_from(Campaign.__table__)).scalar_one()
            with (
                caplog.at_level(logging.INFO, logger="campaign.store"),
                db.session() as session,
            ):
                campaign_id = session.scalars(select(Campaign.id)).one()
                with ColumnWriter(session, Contact, json_text=JSON_COLUMNS) as writer:
                    writer.add(_chunk_columns(tmp_path, campaign_id))
            # The reader was never blocked: it reads on in its transaction.
            reader.execute(select(func.count()).select_from(Campaign.__table__)).scalar_one()
        assert drops == [0]
        assert "kept during the bulk insert" in caplog.text
        assert _indexes(db) == before
        with db.read_session() as session:
            assert session.scalar(select(func.count()).select_from(Contact)) > 300
    finally:
        db.dispose()


def test_two_first_lists_stored_at_once_both_keep_everything(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Two imports into a new store at the same time (two sessions, their COPYs begun
    before either drops anything): each finds the other holding the tables, gives up its
    drop after LOCK_WAIT, and both lists are stored whole, nobody deadlocked."""
    drops = _counted_upkeep(monkeypatch, 300)
    monkeypatch.setattr(bulk_pg, "LOCK_WAIT", "200ms")
    db = open_db(pg_url)
    try:
        before = _indexes(db)
        columns = _chunk_columns(tmp_path, campaign_id=0)
        half = {name: values[:200] for name, values in columns.items()}
        rest = {name: values[200:] for name, values in columns.items()}
        with (
            caplog.at_level(logging.INFO, logger="campaign.store"),
            db.session() as first,
            db.session() as second,
        ):
            writers = []
            for number, session in enumerate((first, second)):
                campaign = Campaign(name=f"c{number}", state=CampaignState.READY, created_at=NOW)
                session.add(campaign)
                session.flush()
                campaign_id = campaign.id
                writer = ColumnWriter(session, Contact, json_text=JSON_COLUMNS)
                writer.add({**half, "campaign_id": [campaign_id] * 200})
                writers.append((writer, campaign_id))
            for writer, campaign_id in writers:  # each crosses the threshold: tries its drop
                size = len(rest["position"])
                writer.add({**rest, "campaign_id": [campaign_id] * size})
            for writer, _ in writers:
                writer.close()
        assert drops == [200, 200]
        assert caplog.text.count("kept during the bulk insert") == 2
        assert _indexes(db) == before
        with db.read_session() as session:
            counts = session.execute(
                select(Contact.campaign_id, func.count()).group_by(Contact.campaign_id)
            ).all()
        assert sorted(n for _, n in counts) == [len(columns["position"])] * 2
    finally:
        db.dispose()
