"""A big results CSV written in parts by worker processes is the file one process writes
(PostgreSQL, with the shared snapshot: tests/integration/postgres/test_pg_export_stream.py)."""

from __future__ import annotations

import io
from concurrent.futures import Future
from pathlib import Path

import pytest

from campaign.outcomes import csv_parts
from campaign.outcomes.csv_parts import PartJob, plan_parts, write_results_csv
from campaign.outcomes.stream import Variables, stream_results
from campaign.store.db import Database
from campaign.store.queries import find_campaign
from tests.outcomes_factory import every_kind_of_row, ready_campaign


def _written(db: Database, name: str, target: Path, **options: object) -> tuple[int, int]:
    with db.read_session() as session, session.begin():
        campaign = find_campaign(session, name)
        return write_results_csv(db, session, campaign, target, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("only", [frozenset(), frozenset({"pending", "duplicate"})])
def test_parts_from_worker_processes_give_the_bytes_of_one_process(
    db: Database, tmp_path: Path, only: frozenset[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = every_kind_of_row(db, goal=True, hold=True)
    out = tmp_path / "out"
    out.mkdir()
    one = _written(db, name, out / "one.csv", only=only, excel=True, workers=1)
    read_here: list[object] = []

    def counted(*args: object, **options: object) -> object:
        read_here.append(options.get("positions"))
        return stream_results(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_parts, "stream_results", counted)
    three = _written(db, name, out / "three.csv", only=only, excel=True, workers=3, min_rows=4)
    assert three == one and one[0] > 3
    assert (out / "three.csv").read_bytes() == (out / "one.csv").read_bytes()
    assert len(read_here) == 1 and read_here[0] != (None, None)  # the rest by the workers
    assert sorted(path.name for path in out.iterdir()) == ["one.csv", "three.csv"]


@pytest.mark.parametrize(
    ("contacts", "cores", "min_rows", "sizes"),
    [
        (10, 2, 100, [10]),  # too small to cut
        (10, 1, 1, [10]),  # one core
        (10, 2, 5, [5, 5]),
        (10, 3, 3, [3, 3, 4]),
        (10, 8, 4, [5, 5]),  # parts of at least min_rows, not one per core
    ],
)
def test_the_list_is_cut_into_parts_of_positions(
    db: Database, contacts: int, cores: int, min_rows: int, sizes: list[int]
) -> None:
    campaign_id = ready_campaign(db, contacts=contacts)
    with db.read_session() as session:
        parts = plan_parts(session, campaign_id, cores, min_rows)
        positions = _positions(db, campaign_id)
    assert parts[0][0] is None and parts[-1][1] is None
    counted = [
        sum(1 for p in positions if (start is None or p >= start) and (stop is None or p < stop))
        for start, stop in parts
    ]
    assert counted == sizes


def test_a_part_whose_worker_failed_is_written_here(db: Database, tmp_path: Path) -> None:
    name = every_kind_of_row(db)
    failed: Future[int] = Future()
    failed.set_exception(RuntimeError("worker gone"))
    with db.read_session() as session, session.begin():
        campaign = find_campaign(session, name)
        variables = Variables.read(session, campaign)
        job = PartJob(db.url, campaign.id, variables, (None, None), frozenset(), "-", None)
        handle = io.StringIO()
        count = csv_parts.append_part(handle, job, failed, session, campaign)
        stream = stream_results(session, campaign, variables=variables)
        expected = io.StringIO()
        assert csv_parts.write_rows(stream.chunks, expected) == count > 3
    assert handle.getvalue() == expected.getvalue()


def _positions(db: Database, campaign_id: int) -> list[int]:
    from sqlalchemy import select

    from campaign.store.models import Contact

    with db.read_session() as session:
        return list(
            session.scalars(select(Contact.position).where(Contact.campaign_id == campaign_id))
        )


def test_a_missing_folder_is_said_before_any_part_is_written(db: Database, tmp_path: Path) -> None:
    from campaign.errors import InputError

    name = every_kind_of_row(db)
    with pytest.raises(InputError, match="does not exist"):
        _written(db, name, tmp_path / "missing" / "r.csv", workers=3, min_rows=4)
    assert not (tmp_path / "missing").exists()
