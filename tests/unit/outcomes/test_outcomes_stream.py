"""The streamed export (one SQL query, chunks to csv/xlsx) writes the table the DataFrame
path writes: same columns, same order, same text (PostgreSQL:
tests/integration/postgres/test_pg_export_stream.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from campaign.outcomes.export import export, write_xlsx
from campaign.outcomes.frames import read_campaign_rows
from campaign.outcomes.results import results_frame
from campaign.store.db import Database
from campaign.store.models import Campaign
from tests.outcomes_factory import every_kind_of_row
from tests.stream_compare import assert_same_table, cells, dataframe_csv


@pytest.mark.parametrize(("goal", "hold"), [(False, False), (True, True)])
def test_streamed_csv_equals_the_dataframe_csv(
    db: Database, tmp_path: Path, goal: bool, hold: bool
) -> None:
    name = every_kind_of_row(db, goal=goal, hold=hold)
    target = tmp_path / "r.csv"
    result = export(db, name, target, excel_csv=False)
    new = cells(target.read_text(encoding="utf-8"))
    old = cells(dataframe_csv(db, name))
    assert_same_table(old, new)
    assert result.rows == len(old) - 1 > 10
    assert ("goal_reached" in new[0]) is goal
    kinds = {row[new[0].index("outcome")] for row in new[1:]}
    assert {"invalid", "duplicate", "pending"} <= kinds
    assert any(row[new[0].index("wait_detail")] for row in new[1:])
    assert any(row[new[0].index("started_at_local")] for row in new[1:])


def test_streamed_csv_with_only_and_a_bom(db: Database, tmp_path: Path) -> None:
    name = every_kind_of_row(db)
    target = tmp_path / "r.csv"
    result = export(db, name, target, only=["pending", "duplicate"])
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    new = cells(data.decode("utf-8-sig"))
    assert_same_table(cells(dataframe_csv(db, name, only=["pending", "duplicate"])), new)
    assert result.rows == len(new) - 1
    assert {row[new[0].index("outcome")] for row in new[1:]} == {"pending", "duplicate"}


def test_streamed_xlsx_equals_the_dataframe_xlsx(db: Database, tmp_path: Path) -> None:
    name = every_kind_of_row(db, goal=True)
    write_xlsx(results_frame(read_campaign_rows(db, name)), tmp_path / "old.xlsx")
    export(db, name, tmp_path / "new.xlsx")
    sheets = []
    for file in ("old.xlsx", "new.xlsx"):
        sheet = load_workbook(tmp_path / file).active
        assert sheet is not None
        sheets.append(
            (
                [[cell.value for cell in row] for row in sheet.iter_rows()],
                [sheet.column_dimensions[c].width for c in sheet.column_dimensions],
                [[cell.quotePrefix for cell in row] for row in sheet.iter_rows()],
                sheet.freeze_panes,
                sheet.auto_filter.ref,
            )
        )
    (old, *old_rest), (new, *new_rest) = sheets
    assert_same_table(old, new)
    assert new_rest[1:] == old_rest[1:]
    assert new_rest[0] == old_rest[0]


def test_a_campaign_without_stored_headers_exports_through_the_frames(
    db: Database, tmp_path: Path
) -> None:
    name = every_kind_of_row(db)
    with db.session() as session:
        session.execute(update(Campaign).where(Campaign.name == name).values(source_columns=[]))
    export(db, name, tmp_path / "r.csv", excel_csv=False)
    assert cells((tmp_path / "r.csv").read_text()) == cells(dataframe_csv(db, name))
