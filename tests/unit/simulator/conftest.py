"""A world on a fake clock, and helpers to dial it without HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from campaign.clock import FakeClock
from campaign.simulator import DEFAULT_FROM_NUMBERS, SimCall, World

FROM = DEFAULT_FROM_NUMBERS[0]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    # 15:00:00 UTC: a window boundary, so window math in tests reads plainly.
    return FakeClock()


@pytest.fixture
def make_world(clock: FakeClock) -> Callable[..., World]:
    def make(**kw: Any) -> World:
        kw.setdefault("clock", clock)
        return World(**kw)

    return make


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()


Place = Callable[..., SimCall]


@pytest.fixture
def place() -> Place:
    """`place(world, to_number, **dial_kw)`: dial from the first default number."""

    def dial(world: World, to_number: str = "+15550001111", **kw: Any) -> SimCall:
        return world.dial(kw.pop("from_number", FROM), to_number, **kw)

    return dial
