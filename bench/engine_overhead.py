"""Engine overhead: 10,000 contacts against the in-process simulator with no limits.

Calls last a few simulated milliseconds and the plan has no rate or line limit, so what is
measured is the engine itself: intents committed before each dial, answers recorded,
batched scans, details fetched, all on a real SQLite file.

    python bench/engine_overhead.py [--contacts 10000] [--concurrency 500]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import anyio

from campaign.campaigns.connect import Connection
from campaign.campaigns.create import create_campaign
from campaign.campaigns.runs import build_runner
from campaign.clock import CompressedClock
from campaign.engine.settings import RunSettings
from campaign.simulator import (
    DEFAULT_FROM_NUMBERS,
    PLANS,
    TEST_API_KEY,
    World,
    in_process_transport,
)
from campaign.store.db import open_db
from campaign.voicy.client import VoicyClient
from tests.factories import fake_contacts, us_numbers


async def bench(args: argparse.Namespace) -> None:
    clock = CompressedClock(1.0, jump_over=None)
    world = World(
        clock=clock,
        plan=PLANS["unlimited"],
        seed=1,
        call_seconds=(0.02, 0.1),
        ring_seconds=(0.01, 0.03),
    )
    settings = RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS),
        concurrency=args.concurrency,
        rate=10_000_000,
        max_attempts=1,
        window="any",
        min_gap=0.0,
        poll_interval=0.05,
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        numbers = us_numbers(args.contacts, start=100_000)
        started = time.perf_counter()
        campaign = create_campaign(db, fake_contacts(numbers), settings, now=clock.now())
        created = time.perf_counter() - started
        client = VoicyClient(
            TEST_API_KEY,
            "http://voicy.sim/functions/v1",
            transport=in_process_transport(world),
            clock=clock,
        )
        async with client:
            runner = build_runner(db, campaign.id, settings, Connection(client, clock, world))
            started = time.perf_counter()
            result = await runner.run()
            elapsed = time.perf_counter() - started
    calls = len(world.calls)
    print(f"{args.contacts} contacts stored in {created:.2f} s")
    print(
        f"{calls} calls dialed, tracked and recorded in {elapsed:.1f} s: "
        f"{calls / elapsed:.0f} calls/s of engine overhead (target >= 300/s) [{result.state}]"
    )
    print(f"requests: {dict(world.requests_by_endpoint)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=500)
    anyio.run(bench, parser.parse_args())


if __name__ == "__main__":
    main()
