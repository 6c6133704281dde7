"""Revision 0005: contacts' claim and zone-key indexes are partial (only the rows that have
one), a store of 0004 upgrades with its rows, and the queries on them still use them."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from campaign.store.db import _alembic_config, current_revision, head_revision, open_db
from tests.factories import store_at_revision

ROWS = (
    "INSERT INTO campaigns (id, name, state, created_at, settings, source_columns, "
    "requests_used, rate_limited) VALUES (1, 'old', 'running', '2026-01-01 00:00:00', "
    "'{}', '[]', 0, 0)",
    "INSERT INTO contacts (campaign_id, position, line, raw, import_status, vars, state, "
    "attempts, fence, claimed_by, zone_key) VALUES (1, 0, 2, '{}', 'valid', '{}', 'queued', "
    "0, 0, 'runner-a', 'US/Eastern')",
    "INSERT INTO contacts (campaign_id, position, line, raw, import_status, vars, state, "
    "attempts, fence) VALUES (1, 1, 3, '{}', 'valid', '{}', 'queued', 0, 0)",
)

#: The engine's queries on the two columns (calls/due.py, calls/holds.py) and the index each
#: must search.
PLANS = [
    ("SELECT id FROM contacts WHERE claimed_by = 'runner-a'", "ix_contacts_claimed_by"),
    ("SELECT id FROM contacts WHERE claimed_by IN ('a', 'b')", "ix_contacts_claimed_by"),
    (
        "SELECT id FROM contacts WHERE campaign_id = 1 AND zone_key = 'US/Eastern' "
        "AND next_attempt_at IS NULL",
        "ix_contacts_zone_key",
    ),
    (
        "SELECT id FROM contacts WHERE campaign_id = 1 AND zone_key = 'US/Eastern' "
        "AND next_attempt_at < '2026-01-02'",
        "ix_contacts_zone_key",
    ),
]


@pytest.fixture
def upgraded(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store_at_revision(url, "0004", ROWS)
    db = open_db(url)
    assert current_revision(db) == head_revision()
    db.dispose()
    return url


def test_a_store_of_0004_upgrades_to_partial_indexes_with_its_rows(upgraded: str) -> None:
    engine = create_engine(upgraded)
    with engine.connect() as connection:
        sql = dict(
            connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE name LIKE 'ix_contacts_%'"
            ).all()
        )
        rows = connection.exec_driver_sql(
            "SELECT claimed_by, zone_key FROM contacts ORDER BY position"
        ).all()
    engine.dispose()
    assert "WHERE claimed_by IS NOT NULL" in sql["ix_contacts_claimed_by"]
    assert "WHERE zone_key IS NOT NULL" in sql["ix_contacts_zone_key"]
    assert [tuple(r) for r in rows] == [("runner-a", "US/Eastern"), (None, None)]


@pytest.mark.parametrize(("query", "index"), PLANS)
def test_the_engine_s_queries_still_search_the_partial_indexes(
    upgraded: str, query: str, index: str
) -> None:
    engine = create_engine(upgraded)
    with engine.connect() as connection:
        plan = " ".join(
            row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}").all()
        )
    engine.dispose()
    assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan


def test_a_downgrade_gives_the_full_indexes_back(upgraded: str) -> None:
    engine = create_engine(upgraded)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0004")
        sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_contacts_claimed_by'"
        ).scalar()
    engine.dispose()
    assert "WHERE" not in str(sql)
