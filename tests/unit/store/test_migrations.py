"""The schema the migrations build is exactly the one the models describe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from campaign.store.db import SCHEMA_HEAD, current_revision, head_revision, open_db, table_names
from campaign.store.models import Base
from tests.factories import store_at_revision


def _migrated(path: Path) -> str:
    """A SQLite store built the way every store made before this schema was: by alembic,
    migration after migration (open_db gives a new file the models' schema directly)."""
    url = f"sqlite:///{path}"
    store_at_revision(url, "head")
    return url


@pytest.mark.parametrize("made_by", ["migrations", "open_db"])
def test_the_schema_equals_the_models(tmp_path: Path, made_by: str) -> None:
    path = tmp_path / "schema.db"
    db = open_db(_migrated(path) if made_by == "migrations" else path)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert current_revision(db) == head_revision()


def test_a_new_store_is_made_without_alembic_and_an_old_one_is_migrated(tmp_path: Path) -> None:
    """A new file: the current schema at once, no alembic loaded; a file an older release
    left (at 0004): migrated to the head, its rows kept."""
    probe = (
        "import sys\n"
        "from campaign.store.db import open_db\n"
        f"open_db({str(tmp_path / 'new.db')!r}).dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    new = open_db(tmp_path / "new.db")
    assert current_revision(new) == head_revision() and "contacts" in table_names(new)
    old_url = f"sqlite:///{tmp_path / 'old.db'}"
    store_at_revision(
        old_url, "0004",
        ("INSERT INTO suppressions (e164, source, added_at) VALUES "
         "('+12025550100', 'old', '2026-01-01 00:00:00')",),
    )  # fmt: skip
    old = open_db(old_url)
    assert current_revision(old) == head_revision()
    with old.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM suppressions").scalar() == 1
    assert _index_sql(old_url) == _index_sql(f"sqlite:///{tmp_path / 'new.db'}")


def test_two_processes_making_one_new_store_make_it_once(tmp_path: Path) -> None:
    path = tmp_path / "together.db"
    probe = (
        "from campaign.store.db import open_db, current_revision\n"
        f"db = open_db({str(path)!r})\n"
        "print(current_revision(db))\n"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", probe], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=60)[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0]
    assert outputs == [SCHEMA_HEAD] * 3
    with create_engine(f"sqlite:///{path}").connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1


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
    _migrated(tmp_path / "migrated.db")
    models = create_engine(f"sqlite:///{tmp_path / 'models.db'}")
    Base.metadata.create_all(models)
    models.dispose()
    migrated = _index_sql(f"sqlite:///{tmp_path / 'migrated.db'}")
    assert migrated == _index_sql(f"sqlite:///{tmp_path / 'models.db'}")
    assert migrated["ix_contacts_claimed_by"].endswith("WHERE claimed_by IS NOT NULL")
    assert migrated["ix_contacts_zone_key"].endswith("WHERE zone_key IS NOT NULL")
