"""A campaign serve runs in-process is attached to the webhook receiver's relay while it
runs (a stored delivery wakes it at once), and detached when it ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

from campaign.engine.settings import RunSettings
from campaign.receiver import DeliveryRelay
from campaign.store.inbox import Stored
from campaign.web import launch_runner
from campaign.web.launch_runner import BrowserRunners

pytestmark = pytest.mark.anyio


class WokenRunner:
    """Runs until a delivery wakes it (what the real runner's consumer does with it)."""

    def __init__(self) -> None:
        self.woken = anyio.Event()

    def delivery_arrived(self, *_: object) -> None:
        self.woken.set()

    async def run(self) -> str:
        await self.woken.wait()
        return "finished"


async def test_a_browser_runner_is_woken_by_the_relay_while_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner = WokenRunner()

    @asynccontextmanager
    async def connect(*_: Any, **__: Any) -> AsyncIterator[Any]:
        yield type("Connection", (), {"world": None})()

    monkeypatch.setattr(launch_runner, "connect", connect)
    monkeypatch.setattr(launch_runner, "build_runner", lambda *_: runner)
    monkeypatch.setattr(launch_runner, "ensure_apart", lambda *_, **__: None)
    monkeypatch.setattr(launch_runner, "web_launched_interrupted", lambda _: [])
    relay = DeliveryRelay()
    runners = BrowserRunners(None, relay=relay)  # type: ignore[arg-type]
    async with runners.running():
        launched = runners.start(1, RunSettings(from_numbers=("+12025550100",)))
        with anyio.fail_after(5):
            while relay.listeners == 0:
                await anyio.sleep(0.01)
            relay("call-1", Stored.NEW)
            await launched.done.wait()
    assert launched.result == "finished" and launched.error is None
    assert relay.listeners == 0
