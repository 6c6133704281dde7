"""The schema the migrations build is exactly the one the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from campaign.store.db import SCHEMA_HEAD, current_revision, head_revision, open_db, table_names
from campaign.store.models import Base


def test_migrated_schema_equals_the_models(tmp_path: Path) -> None:
    db = open_db(tmp_path / "schema.db")
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert current_revision(db) == head_revision()


def test_the_schema_head_constant_is_alembic_s_head() -> None:
    # A store at SCHEMA_HEAD opens without alembic: a new migration must move the constant.
    assert head_revision() == SCHEMA_HEAD


def test_opening_twice_migrates_once_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    first = open_db(path)
    with first.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO suppressions (e164, source, added_at) VALUES ('+12025550100', 't', "
            "'2026-01-01 00:00:00')"
        )
    first.dispose()
    second = open_db(path)
    assert "suppressions" in table_names(second)
    with second.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM suppressions").scalar() == 1


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    db = open_db(tmp_path / "wal.db")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_a_new_sqlite_store_has_big_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """16 KiB pages for a new file (a contact row is ~350 bytes); a store made before,
    with SQLite's 4 KiB, opens and migrates as it is (its page size cannot change in WAL)."""
    import sqlite3

    from campaign.store.db import SQLITE_PAGE_SIZE

    new = open_db(tmp_path / "new.db")
    with new.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA page_size").scalar() == SQLITE_PAGE_SIZE
    new.dispose()
    old_path = tmp_path / "old.db"
    old = sqlite3.connect(old_path)
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE before_us (x)")  # the file exists with 4 KiB pages
    old.close()
    reopened = open_db(old_path)
    with reopened.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA page_size").scalar() == 4096
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert "contacts" in table_names(reopened) and current_revision(reopened) == head_revision()
    reopened.dispose()


def _index_sql(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).all()
    finally:
        engine.dispose()
    return {name: " ".join(sql.replace('"', "").split()) for name, sql in rows}


def test_migrated_indexes_equal_the_models_with_their_predicates(tmp_path: Path) -> None:
    # compare_metadata does not compare a partial index's WHERE: the SQL of each index does.
    open_db(tmp_path / "migrated.db").dispose()
    models = create_engine(f"sqlite:///{tmp_path / 'models.db'}")
    Base.metadata.create_all(models)
    models.dispose()
    migrated = _index_sql(f"sqlite:///{tmp_path / 'migrated.db'}")
    assert migrated == _index_sql(f"sqlite:///{tmp_path / 'models.db'}")
    assert migrated["ix_contacts_claimed_by"].endswith("WHERE claimed_by IS NOT NULL")
    assert migrated["ix_contacts_zone_key"].endswith("WHERE zone_key IS NOT NULL")
