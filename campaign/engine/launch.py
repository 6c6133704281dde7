"""Connecting a runner to the API (real or simulated) and running it with signal handling.

Library users call `run_campaign()`; the CLI's `run` and `resume` are thin layers over it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio

from campaign.clock import Clock, CompressedClock, clock_from_env
from campaign.engine.progress import Progress
from campaign.engine.run import Runner, RunResult
from campaign.engine.settings import RunSettings
from campaign.store.db import Database
from campaign.store.queries import latest_instant
from campaign.store.rehearsals import ensure_apart
from campaign.voicy.client import VoicyClient

#: Virtual seconds per real second under --simulate: a 60 s call lasts 2 s.
SIMULATE_SCALE = 30.0
#: Under --simulate a wait longer than this (virtual seconds) jumps ahead: redial delays
#: and closed calling windows pass in an instant.
SIMULATE_JUMP_OVER = 10.0


@dataclass
class Connection:
    client: VoicyClient
    clock: Clock
    world: Any = None  # the simulator's World under --simulate


@asynccontextmanager
async def connect(
    settings: RunSettings,
    *,
    clock: Clock | None = None,
    seed: int = 0,
    world: Any = None,
    db: Database | None = None,
) -> AsyncIterator[Connection]:
    """An API client for the settings: the built-in simulator under `simulate`, whose
    account owns the settings' from-numbers (the user's own, so a rehearsal uses them)."""
    if settings.simulate:
        from campaign.simulator import (
            DEFAULT_FROM_NUMBERS,
            PLANS,
            TEST_API_KEY,
            World,
            in_process_transport,
        )

        sim_clock = clock or CompressedClock(
            SIMULATE_SCALE, start=_simulated_start(db), jump_over=SIMULATE_JUMP_OVER
        )
        if world is None:
            world = World(
                clock=sim_clock,
                plan=PLANS["standard"],
                seed=seed,
                from_numbers=settings.from_numbers or DEFAULT_FROM_NUMBERS,
            )
        client = VoicyClient(
            TEST_API_KEY,
            "http://voicy.sim/functions/v1",
            transport=in_process_transport(world),
            clock=sim_clock,
        )
        async with client:
            yield Connection(client, sim_clock, world)
        return
    real_clock = clock or clock_from_env()
    client = VoicyClient.from_env(settings.base_url, clock=real_clock)
    async with client:
        yield Connection(client, real_clock)


def _simulated_start(db: Database | None) -> float:
    """Simulated time never goes back behind what the database already recorded."""
    now = time.time()
    if db is None:
        return now
    with db.read_session() as session:
        latest = latest_instant(session)
    return max(now, latest.timestamp() + 1.0) if latest else now


async def run_with_signals(runner: Runner) -> RunResult:
    """Run until done. First SIGINT/SIGTERM drains; a second one exits at once."""
    result: RunResult | None = None
    async with anyio.create_task_group() as tg:

        async def watch_signals() -> None:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    if runner.stopping:
                        tg.cancel_scope.cancel()
                        return
                    runner.request_stop()

        async def work() -> None:
            nonlocal result
            result = await runner.run()
            tg.cancel_scope.cancel()

        tg.start_soon(watch_signals)
        tg.start_soon(work)
    if result is None:
        raise KeyboardInterrupt
    return result


async def run_campaign(
    db: Database,
    campaign_id: int,
    settings: RunSettings,
    *,
    connection: Connection,
    on_progress: Callable[[Progress], None] | None = None,
    handle_signals: bool = True,
    **runner_options: Any,
) -> RunResult:
    ensure_apart(db, simulate=settings.simulate)
    runner = Runner(
        db,
        campaign_id,
        connection.client,
        settings,
        connection.clock,
        on_progress=on_progress,
        **runner_options,
    )
    if handle_signals:
        return await run_with_signals(runner)
    return await runner.run()
