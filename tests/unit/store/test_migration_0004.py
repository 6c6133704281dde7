"""A store made by revision 0003 (the webhook inbox), with a campaign in it, upgrades on open:
the new columns (stop reason, campaign-wide hold, zone key, wait detail, end source) start
empty and the dispatch index reads never-called contacts in list order."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from campaign.store.db import current_revision, head_revision, open_db
from tests.factories import store_at_revision

ROWS = (
    "INSERT INTO campaigns (id, name, state, created_at, settings, source_columns, "
    "requests_used, rate_limited) VALUES (1, 'old', 'interrupted', '2026-01-01 00:00:00', "
    "'{}', '[]', 0, 0)",
    "INSERT INTO contacts (campaign_id, position, line, raw, import_status, vars, state, "
    "attempts, fence) VALUES (1, 0, 2, '{}', 'valid', '{}', 'queued', 0, 0)",
    "INSERT INTO attempts (campaign_id, contact_id, number, state, from_number, to_number, "
    "requested_at, details_fetched) VALUES (1, 1, 1, 'ended', '+1', '+2', "
    "'2026-01-01 00:00:00', 1)",
)


def test_a_store_of_revision_0003_upgrades_with_its_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store_at_revision(url, "0003", ROWS)

    db = open_db(url)
    try:
        assert current_revision(db) == head_revision()
        with db.engine.connect() as connection:
            campaign = connection.execute(
                text("SELECT state, stop_reason, hold_until, hold_reason FROM campaigns")
            ).one()
            assert tuple(campaign) == ("interrupted", None, None, None)
            contact = connection.execute(
                text("SELECT state, zone_key, wait_detail FROM contacts")
            ).one()
            assert tuple(contact) == ("queued", None, None)
            assert connection.execute(text("SELECT ended_by FROM attempts")).scalar() is None
        indexes = {i["name"]: i["column_names"] for i in inspect(db.engine).get_indexes("contacts")}
        assert indexes["ix_contacts_dispatch"][-1] == "position"
        assert indexes["ix_contacts_zone_key"] == ["campaign_id", "zone_key", "next_attempt_at"]
    finally:
        db.dispose()
