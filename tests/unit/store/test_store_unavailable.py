"""A store that cannot be written says so in one line with the path and the fix (real
SQLite files; the read-only file and the lock held by "another program" are real)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from campaign.errors import StoreUnavailable
from campaign.store import unavailable
from campaign.store.db import open_db


def _write(path: Path) -> None:
    db = open_db(path)
    try:
        with db.session() as session:
            session.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
            session.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        db.dispose()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_read_only_file_names_the_path_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _write(path)
    path.chmod(0o444)
    with pytest.raises(StoreUnavailable) as caught:
        _write(path)
    assert str(path) in caught.value.message and "read-only" in caught.value.message
    assert "resume" in caught.value.with_resume("spring").message


def test_a_lock_held_past_the_busy_wait_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.db"
    _write(path)
    monkeypatch.setattr(unavailable, "BUSY_WAIT", 0.2)
    other = sqlite3.connect(path, timeout=0)  # "a backup tool" holding the write lock
    other.execute("BEGIN IMMEDIATE")
    db = open_db(path, migrate=False)
    try:
        with pytest.raises(StoreUnavailable) as caught, db.session() as session:
            session.connection().exec_driver_sql("PRAGMA busy_timeout=200")
            session.execute(text("INSERT INTO t VALUES (2)"))
        message = caught.value.with_resume("spring").message
        assert "locked by another program" in message and str(path) in message
        assert "`python -m campaign resume spring`" in message
    finally:
        other.rollback()
        other.close()
        db.dispose()
    _write(path)  # once the other program lets go, writes go on
