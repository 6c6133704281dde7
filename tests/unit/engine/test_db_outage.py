"""Riding out a database server outage: loops wait, one probes, `on_back` runs once, and
past the limit the run stops with the resume fix (no server needed: the disconnect and
the probe are faked), and a SQLite file locked by another program (real: a second
connection holds its write lock) waited out the same way."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import cast

import anyio
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from campaign.calls.ledger import Ledger
from campaign.calls.recovery import TakeOver
from campaign.clock import FakeClock
from campaign.engine import db_outage
from campaign.engine.coordination.lock import RunnerIdentity
from campaign.engine.coordination.team import Team
from campaign.engine.db_outage import DbOutage
from campaign.errors import StoreUnavailable
from campaign.store.db import Database, open_db


def _gone() -> OperationalError:
    exc = OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    exc.connection_invalidated = True
    return exc


@pytest.fixture
def store(tmp_path) -> Database:  # type: ignore[no-untyped-def]
    return open_db(tmp_path / "c.db", migrate=False)


def test_loops_wait_for_the_server_and_go_on(
    store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([False, False, True])
    monkeypatch.setattr(db_outage, "reachable", lambda db: next(answers))
    backs: list[float] = []
    outage = DbOutage(store, limit=60, on_back=backs.append)
    runs = {"a": 0, "b": 0}

    def loop(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            runs[name] += 1
            if runs[name] == 1:
                raise _gone()

        return run

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(outage.ride, loop("a"))
            tg.start_soon(outage.ride, loop("b"))

    anyio.run(main)
    assert runs == {"a": 2, "b": 2}  # each loop ran again after the outage
    assert len(backs) == 1 and outage.outages == 1 and not outage.down


def test_past_the_limit_a_clean_stop(store: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_outage, "reachable", lambda db: False)
    outage = DbOutage(store, limit=0.2, on_back=lambda s: None)

    async def loop() -> None:
        raise _gone()

    with pytest.raises(StoreUnavailable) as caught:
        anyio.run(outage.ride, loop)
    message = caught.value.with_resume("spring").message
    assert "unreachable for over 0.2 s" in message
    assert "`python -m campaign resume spring`" in message


def test_other_errors_are_not_outages(store: Database) -> None:
    outage = DbOutage(store, limit=60, on_back=lambda s: None)

    async def loop() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        anyio.run(outage.ride, loop)


def _locked_by_another_program(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)  # "a backup tool"
    other.execute("BEGIN IMMEDIATE")
    return other


def _write(db: Database) -> Callable[[], Awaitable[None]]:
    async def loop() -> None:
        with db.session() as session:
            session.connection().exec_driver_sql("PRAGMA busy_timeout=50")
            session.execute(text("INSERT INTO t VALUES (1)"))

    return loop


@pytest.fixture
def table(store: Database) -> Database:
    with store.session() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    return store


def test_a_file_locked_by_another_program_is_waited_out_with_retries(
    table: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = _locked_by_another_program(tmp_path / "c.db")
    backs: list[float] = []
    outage = DbOutage(table, limit=60, on_back=backs.append)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(outage.ride, _write(table))
            await anyio.sleep(0.6)  # a few probes meet the lock
            assert outage.down
            other.rollback()  # the other program lets go

    with caplog.at_level(logging.WARNING, logger="campaign.store"):
        anyio.run(main)
    other.close()
    assert len(backs) == 1 and not outage.down
    with table.session() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 1
    said = [r.getMessage() for r in caplog.records]
    assert "is locked by another program" in said[0] and "waiting, retrying" in said[0]
    assert "answers again" in said[-1]


def test_a_lock_held_past_the_limit_is_one_line_with_the_fix(
    table: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = _locked_by_another_program(tmp_path / "c.db")
    outage = DbOutage(table, limit=0.3, on_back=lambda s: None)
    try:
        with caplog.at_level(logging.WARNING, logger="campaign.store"):

            async def main() -> None:
                async with anyio.create_task_group() as tg:  # two loops meet it; one says so
                    tg.start_soon(outage.ride, _write(table))
                    tg.start_soon(outage.ride, _write(table))

            with pytest.raises(BaseExceptionGroup) as caught:
                anyio.run(main)
    finally:
        other.rollback()
        other.close()
    errors = caught.value.exceptions
    assert len(errors) == 1 and isinstance(errors[0], StoreUnavailable)
    message = errors[0].with_resume("spring").message
    assert "stayed locked by another program" in message and "over 0.3 s" in message
    assert "close that program, then resume with `python -m campaign resume spring`" in message
    assert len(caplog.records) == 1  # the waiting line, once


class _Ledger:
    def __init__(self) -> None:
        self.sweeps: list[bool] = []

    def take_over(self, owner: str, now: object, *, sweep: bool = False) -> TakeOver:
        self.sweeps.append(sweep)
        return TakeOver()


def test_back_from_an_outage_at_its_start_a_runner_takes_over_nobody_at_once(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    """Its teammates' leases lapsed in the same outage: they renew first; the start's sweep
    (calls of runners gone) comes with the first take-over after the hold."""
    team = Team(
        open_db(tmp_path / "team.db"), 1, RunnerIdentity(), key_hash="k", rate=60,
        concurrency=10, clock=fake_clock,
    )  # fmt: skip
    ledger = _Ledger()
    team.hold_take_overs(60.0)
    assert team.take_over(cast(Ledger, ledger), fake_clock.now(), starting=True) is None
    assert team.take_over(cast(Ledger, ledger), fake_clock.now(), starting=False) is None
    assert ledger.sweeps == []
    team.hold_take_overs(-1.0)  # the hold is over
    team.take_over(cast(Ledger, ledger), fake_clock.now(), starting=False)
    team.take_over(cast(Ledger, ledger), fake_clock.now(), starting=False)
    assert ledger.sweeps == [True, False]
