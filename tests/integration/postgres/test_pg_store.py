"""The store on PostgreSQL: the same migrations build the same schema as the models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert

from campaign.store.db import current_revision, head_revision, open_db, table_names
from campaign.store.models import Base, Campaign, Contact
from campaign.store.queries import outcome_counts, state_counts

pytestmark = pytest.mark.postgres


def test_migrated_schema_equals_the_models_on_postgresql(pg_url: str) -> None:
    db = open_db(pg_url)
    try:
        assert db.dialect == "postgresql"
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        assert current_revision(db) == head_revision()
        assert {"runners", "request_budget", "contacts", "attempts"} <= set(table_names(db))
        # compare_metadata does not compare a partial index's predicate: the server's does.
        with db.engine.connect() as connection:
            definitions = dict(
                connection.exec_driver_sql(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'contacts'"
                ).all()
            )
        assert definitions["ix_contacts_claimed_by"].endswith("WHERE (claimed_by IS NOT NULL)")
        assert definitions["ix_contacts_zone_key"].endswith("WHERE (zone_key IS NOT NULL)")
        assert "WHERE" not in definitions["ix_contacts_dispatch"]
    finally:
        db.dispose()


def test_opening_again_migrates_once_and_grouped_counts_work(pg_url: str) -> None:
    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    first = open_db(pg_url)
    with first.session() as session:
        campaign = Campaign(
            name="c",
            state="ready",
            created_at=now,
            settings={},
            source_columns=[],
            requests_used=0,
            rate_limited=0,
        )
        session.add(campaign)
        session.flush()
        rows: list[dict[str, object]] = [
            {
                "campaign_id": campaign.id,
                "position": i,
                "line": i + 2,
                "raw": {},
                "import_status": "valid",
                "vars": {},
                "state": "queued",
                "attempts": 0,
                "outcome": "connected" if i < 2 else None,
            }
            for i in range(5)
        ]
        session.execute(insert(Contact), rows)
        campaign_id = campaign.id
    first.dispose()
    second = open_db(pg_url)
    try:
        with second.read_session() as session:
            assert outcome_counts(session, campaign_id) == {"connected": 2, "pending": 3}
            assert state_counts(session, campaign_id) == {"queued": 5}
            contact = session.query(Contact).filter_by(position=0).one()
            assert contact.fence == 0 and contact.claimed_by is None
    finally:
        second.dispose()


def test_a_postgresql_store_of_revision_0001_upgrades_with_its_data(pg_url: str) -> None:
    from tests.unit.store.test_migration_0002 import make_0001_store, upgrade_and_check

    make_0001_store(pg_url)
    upgrade_and_check(pg_url)
