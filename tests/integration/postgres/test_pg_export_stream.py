"""The streamed export on PostgreSQL writes what the DataFrame path writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.outcomes.export import export
from campaign.store.db import open_db
from tests.outcomes_factory import every_kind_of_row
from tests.stream_compare import assert_same_table, cells, dataframe_csv

pytestmark = [pytest.mark.postgres]


def test_streamed_csv_equals_the_dataframe_csv_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    db = open_db(pg_url)
    try:
        name = every_kind_of_row(db, goal=True, hold=True)
        export(db, name, tmp_path / "r.csv", excel_csv=False)
        assert_same_table(cells(dataframe_csv(db, name)), cells((tmp_path / "r.csv").read_text()))
    finally:
        db.dispose()
