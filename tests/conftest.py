"""Shared fixtures: a fake clock, a temp database, the simulated world, a runner wired as
`run` wires it, and a contact-list factory. Tests build none of these themselves."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import pytest

from campaign.campaigns.runs import build_runner
from campaign.clock import Clock, FakeClock
from campaign.engine.progress import RunResult
from campaign.engine.runner import Runner
from campaign.engine.settings import RunSettings
from campaign.simulator import PLANS, Plan, World
from campaign.store.db import Database, open_db
from tests.factories import fake_contacts, sim_connection

if TYPE_CHECKING:
    from campaign.contacts import ContactList


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_clock() -> FakeClock:
    # Monday 15:00:00 UTC: a window boundary, so window math in tests reads plainly.
    return FakeClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "campaign.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_db(db_path)
    yield database
    database.dispose()


class MakeWorld(Protocol):
    def __call__(
        self,
        clock: Clock | None = None,
        *,
        plan: str | Plan = "standard",
        plan_changes: dict[str, Any] | None = None,
        seed: int = 0,
        connected: Iterable[str] = (),
        **world_kw: Any,
    ) -> World: ...


@pytest.fixture
def make_world(fake_clock: FakeClock) -> MakeWorld:
    """`make_world(clock=None, plan="standard", seed=0, connected=(), **world_kw)`: the
    simulated Voicy, on `fake_clock` unless given another clock. `plan_changes` alter the
    plan's limits; numbers in `connected` answer and hang up (no redial by chance)."""

    def make(
        clock: Clock | None = None,
        *,
        plan: str | Plan = "standard",
        plan_changes: dict[str, Any] | None = None,
        seed: int = 0,
        connected: Iterable[str] = (),
        **world_kw: Any,
    ) -> World:
        limits = PLANS[plan] if isinstance(plan, str) else plan
        if plan_changes:
            limits = dataclasses.replace(limits, **plan_changes)
        world = World(clock=clock or fake_clock, plan=limits, seed=seed, **world_kw)
        for number in connected:
            world.script(number, ["user_hangup"])
        return world

    return make


RunRunner = Callable[..., Awaitable[tuple[Runner, RunResult]]]


@pytest.fixture
def run_runner() -> RunRunner:
    """`await run_runner(db, world, campaign_id, settings, **build_kw)`: the campaign's runner,
    wired with its rules and hooks as `run` wires it, run on `world` in process; returns
    (runner, result)."""

    async def run(
        db: Database, world: World, campaign_id: int, settings: RunSettings, **build_kw: Any
    ) -> tuple[Runner, RunResult]:
        async with sim_connection(world) as connection:
            runner = build_runner(db, campaign_id, settings, connection, **build_kw)
            return runner, await runner.run()

    return run


MakeContacts = Callable[..., "ContactList"]


@pytest.fixture
def contact_list() -> MakeContacts:
    """`contact_list(numbers, name="list.csv")`: a list as `run` imports it, without a file."""

    def make(numbers: list[str], name: str = "list.csv") -> ContactList:
        return cast("ContactList", fake_contacts(numbers, name))

    return make
