"""Riding out a database server outage: loops wait, one probes, `on_back` runs once, and
past the limit the run stops with the resume fix (no server needed: the disconnect and
the probe are faked)."""

from __future__ import annotations

import anyio
import pytest
from sqlalchemy.exc import OperationalError

from campaign.engine import db_outage
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
