"""The request budget: never more than the rate in any 60 s window, dials first."""

from __future__ import annotations

import anyio
import pytest

from campaign.clock import FakeClock
from campaign.engine.budget import RequestBudget
from campaign.voicy.models import RateLimit

pytestmark = pytest.mark.anyio


async def test_never_more_than_the_rate_in_any_window(fake_clock: FakeClock) -> None:
    budget = RequestBudget(10, fake_clock)
    granted: list[float] = []
    for _ in range(35):
        await budget.acquire("call-list")
        granted.append(fake_clock.time())
    for i, at in enumerate(granted):
        in_window = [t for t in granted[i:] if t < at + 60]
        assert len(in_window) <= 10
    # Three full windows were needed for 35 requests at 10 per minute.
    assert granted[-1] - granted[0] >= 180


async def test_dials_are_served_before_waiting_polls(fake_clock: FakeClock) -> None:
    budget = RequestBudget(2, fake_clock)
    await budget.acquire("call-list")
    await budget.acquire("call-list")  # the window is now full
    order: list[str] = []

    async def take(kind: str) -> None:
        await budget.acquire(kind)
        order.append(kind)

    async with anyio.create_task_group() as tg:
        tg.start_soon(take, "call-list")
        await anyio.sleep(0)
        tg.start_soon(take, "call-dial")
    assert order == ["call-dial", "call-list"]


async def test_a_429_blocks_everyone_until_the_reset(fake_clock: FakeClock) -> None:
    budget = RequestBudget(60, fake_clock)
    reset = fake_clock.time() + 42
    budget.observe(RateLimit(limit=60, remaining=0, reset=reset), 429)
    assert budget.rate_limited == 1
    await budget.acquire("call-dial")
    assert fake_clock.time() >= reset


async def test_server_remaining_zero_waits_for_its_reset(fake_clock: FakeClock) -> None:
    budget = RequestBudget(60, fake_clock)
    reset = fake_clock.time() + 20
    budget.observe(RateLimit(limit=60, remaining=0, reset=reset), 200)
    await budget.acquire("call-list")
    assert fake_clock.time() >= reset


async def test_a_smaller_plan_limit_lowers_the_rate(fake_clock: FakeClock) -> None:
    budget = RequestBudget(600, fake_clock)
    budget.observe(RateLimit(limit=60, remaining=59, reset=fake_clock.time() + 60), 200)
    assert budget.rate == 60
