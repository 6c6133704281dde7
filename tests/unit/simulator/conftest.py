"""A world on the simulator's own fake clock, and helpers to dial it without HTTP (the world
factory is the shared `make_world` of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from campaign.clock import FakeClock
from campaign.simulator import DEFAULT_FROM_NUMBERS, SimCall, World
from tests.conftest import MakeWorld

FROM = DEFAULT_FROM_NUMBERS[0]


@pytest.fixture
def clock(fake_clock: FakeClock) -> FakeClock:
    """The clock `make_world` puts worlds on here (the shared fake clock)."""
    return fake_clock


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    return make_world()


Place = Callable[..., SimCall]


@pytest.fixture
def place() -> Place:
    """`place(world, to_number, **dial_kw)`: dial from the first default number."""

    def dial(world: World, to_number: str = "+15550001111", **kw: Any) -> SimCall:
        return world.dial(kw.pop("from_number", FROM), to_number, **kw)

    return dial
