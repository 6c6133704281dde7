"""Builders for tests: contact lists without a file, numbers, campaigns, a client for a
simulated world. The fixtures that use them are in `tests/conftest.py`."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from campaign.campaigns.connect import Connection
from campaign.campaigns.create import create_campaign
from campaign.clock import Clock
from campaign.engine.settings import RunSettings
from campaign.simulator import TEST_API_KEY, World, in_process_transport
from campaign.store.db import Database
from campaign.voicy.client import VoicyClient

if TYPE_CHECKING:
    import pytest

    from campaign.contacts import ContactList

SIM_BASE_URL = "http://voicy.sim/functions/v1"


@dataclass
class FakeRow:
    """The shape of campaign.contacts.ContactRow, for tests that skip importing a file."""

    line: int
    position: int
    raw: dict[str, str]
    raw_phone: str
    e164: str | None
    status: str = "valid"
    reason: str | None = None
    duplicate_of: int | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    from_number: str | None = None
    agent_id: str | None = None
    timezone: str | None = None
    region: str | None = "US"
    warning: str | None = None


@dataclass
class FakeContactList:
    source_name: str
    rows_: list[FakeRow]
    columns: list[str] = field(default_factory=lambda: ["first_name", "phone"])
    phone_column: str = "phone"

    def rows(self) -> Iterator[FakeRow]:
        return iter(self.rows_)


def fake_contacts(numbers: list[str], name: str = "list.csv") -> FakeContactList:
    rows = [
        FakeRow(
            line=i + 2,
            position=i,
            raw={"first_name": f"Person {i}", "phone": n},
            raw_phone=n,
            e164=n,
            vars={"first_name": f"Person {i}"},
        )
        for i, n in enumerate(numbers)
    ]
    return FakeContactList(name, rows)


def us_numbers(count: int, start: int = 0) -> list[str]:
    """Distinct valid-looking US numbers (+1 212 555 xxxx is not valid; 201-555-01xx is)."""
    return [f"+1202{(2000000 + start + i):07d}" for i in range(count)]


@asynccontextmanager
async def sim_connection(world: World) -> AsyncIterator[Connection]:
    """A client for `world` through the in-process transport, on the world's clock."""
    client = VoicyClient(
        TEST_API_KEY, SIM_BASE_URL, transport=in_process_transport(world), clock=world.clock
    )
    async with client:
        yield Connection(client, world.clock, world)


def store_campaign(
    db: Database, contacts: FakeContactList | ContactList, settings: RunSettings, clock: Clock
) -> int:
    """A campaign stored as `run` stores it; its id."""
    imported = cast("ContactList", contacts)
    return create_campaign(db, imported, settings, now=clock.now()).id


def runner_env(base_url: str, clock_spec: str, from_numbers: list[str]) -> dict[str, str]:
    """The environment of a `python -m campaign` process against a simulator at `base_url`,
    on the test's compressed clock, with no crash point inherited from the test's shell."""
    import os

    env = {
        **os.environ,
        "VOICY_API_KEY": TEST_API_KEY,
        "VOICY_BASE_URL": base_url,
        "VOICY_FROM_NUMBERS": ",".join(from_numbers),
        "CAMPAIGN_CLOCK": clock_spec,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CAMPAIGN_CRASH_AT", None)
    return env


def write_contacts_csv(path: Path, numbers: list[str]) -> Path:
    """A two-column list (first_name, phone) of `numbers`, as a user's CSV file."""
    path.write_text("first_name,phone\n" + "".join(f"P{i},{n}\n" for i, n in enumerate(numbers)))
    return path


def wait_for(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    """Poll `predicate` (often a read of a runner's SQLite file, which may be mid-write) until
    it is true, for a test that watches a real process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def store_at_revision(url: str, revision: str, statements: tuple[str, ...] = ()) -> None:
    """A store migrated only as far as `revision`, with `statements` run in it: what an
    older release left on disk, for the tests that upgrade it."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from campaign.store.db import _alembic_config

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), revision)
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


class _Counted(Protocol):
    count: int


def counts_at_calls(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> list[int]:
    """`owner.name` wrapped: the list of its instance's `count` at each call (a bulk sink's
    rows so far, when it drops its indexes)."""
    method = getattr(owner, name)
    calls: list[int] = []

    def counted(self: _Counted) -> None:
        calls.append(self.count)
        method(self)

    monkeypatch.setattr(owner, name, counted)
    return calls
