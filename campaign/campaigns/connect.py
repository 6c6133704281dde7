"""Connecting to the API a campaign's settings ask for: the real one, or the simulator.

Under `--simulate` the engine and the simulator share one compressed clock that never goes
back behind what the database already recorded.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from campaign.clock import Clock, CompressedClock, clock_from_env
from campaign.engine.settings import RunSettings
from campaign.store.db import Database
from campaign.store.queries import latest_instant
from campaign.voicy.client import VoicyClient

if TYPE_CHECKING:
    from campaign.simulator import World

#: Virtual seconds per real second under --simulate: a 60 s call lasts 2 s.
SIMULATE_SCALE = 30.0
#: Under --simulate a wait longer than this (virtual seconds) jumps ahead: redial delays
#: and closed calling windows pass in an instant.
SIMULATE_JUMP_OVER = 10.0


@dataclass
class Connection:
    client: VoicyClient
    clock: Clock
    world: World | None = None  # the simulator's world under --simulate: its ground truth


@asynccontextmanager
async def connect(
    settings: RunSettings,
    *,
    clock: Clock | None = None,
    seed: int = 0,
    world: World | None = None,
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
