"""The store round trip on PostgreSQL, where the bulk insert is COPY: 20,000 rows (the
100k-row one runs on SQLite; the path is the same, and COPY does not change with size)."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.store.db import open_db
from tests.integration.test_list_import import check_one_pass_equals_two
from tests.integration.test_store_bulk import check_roundtrip

pytestmark = pytest.mark.postgres


def test_a_list_round_trips_through_postgresql_copy(pg_url: str, tmp_path: Path) -> None:
    db = open_db(pg_url)
    try:
        check_roundtrip(db, tmp_path, rows=20_000)
    finally:
        db.dispose()


def test_a_list_stored_while_it_is_read_equals_two_passes_on_postgresql(
    pg_url: str, tmp_path: Path
) -> None:
    db = open_db(pg_url)
    try:
        check_one_pass_equals_two(db, tmp_path, rows=6_000)
    finally:
        db.dispose()
