"""A store made by revision 0001, with a campaign in it, upgrades to 0002 on open."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from campaign.store.db import current_revision, head_revision, open_db
from tests.factories import store_at_revision

ROWS = (
    "INSERT INTO campaigns (id, name, state, created_at, settings, source_columns, "
    "requests_used, rate_limited) VALUES (1, 'old', 'interrupted', '2026-01-01 00:00:00', "
    "'{}', '[]', 0, 0)",
    "INSERT INTO contacts (campaign_id, position, line, raw, import_status, vars, state, "
    "attempts) VALUES (1, 0, 2, '{}', 'valid', '{}', 'queued', 0)",
)


def make_0001_store(url: str) -> None:
    store_at_revision(url, "0001", ROWS)


def upgrade_and_check(url: str) -> None:
    db = open_db(url)
    try:
        assert current_revision(db) == head_revision()
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT state, fence, claimed_by FROM contacts")).one()
            assert tuple(row) == ("queued", 0, None)
            assert connection.execute(text("SELECT count(*) FROM runners")).scalar() == 0
    finally:
        db.dispose()


def test_a_sqlite_store_of_revision_0001_upgrades_with_its_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    make_0001_store(url)
    upgrade_and_check(url)
