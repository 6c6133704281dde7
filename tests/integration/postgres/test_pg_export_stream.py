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


def test_parts_read_one_snapshot_and_give_the_bytes_of_one_process(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaign.outcomes import csv_parts
    from campaign.outcomes.csv_parts import write_results_csv
    from campaign.outcomes.stream import stream_results
    from campaign.store.queries import find_campaign

    read_here: list[object] = []

    def counted(*args: object, **options: object) -> object:
        read_here.append(options.get("positions"))
        return stream_results(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_parts, "stream_results", counted)

    db = open_db(pg_url)
    try:
        name = every_kind_of_row(db, goal=True)
        written = []
        for workers, file in ((1, "one.csv"), (3, "three.csv")):
            with db.read_session() as session, session.begin():
                campaign = find_campaign(session, name)
                written.append(
                    write_results_csv(
                        db, session, campaign, tmp_path / file, workers=workers, min_rows=4
                    )
                )
        assert written[0] == written[1] and written[0][0] > 3
        assert len(read_here) == 2  # one process, then only the first part: workers did the rest
        assert (tmp_path / "three.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
    finally:
        db.dispose()


def test_a_streamed_read_plans_for_every_row(pg_url: str) -> None:
    """The server-side cursor is planned for all its rows, not the default first tenth."""
    from sqlalchemy import select

    from campaign.store.models import Contact
    from campaign.store.result_rows import stream_rows

    db = open_db(pg_url)
    try:
        every_kind_of_row(db)
        with db.read_session() as session, session.begin():
            seen = []
            for _chunk in stream_rows(session, select(Contact.id), chunk=2):
                seen.append(
                    session.connection().exec_driver_sql("SHOW cursor_tuple_fraction").scalar()
                )
            assert seen and set(seen) == {"1"}
    finally:
        db.dispose()
