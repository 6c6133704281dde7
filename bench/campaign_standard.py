"""A 200-contact campaign against the simulator as a real HTTP server at the Standard plan.

Prints the campaign's duration (in simulated seconds), the lower bound
max(required requests / rate, total call time / concurrency) computed from the simulator's
ground truth, their ratio, requests per contact and per connected call, and 429s served.

    python bench/campaign_standard.py [--contacts 200] [--scale 20] [--max-attempts 1]

Calls last 10–60 s (simulated); the time scale compresses them so the run takes under a
minute of wall time. Redial delays are not part of the lower bound, so by default every
contact gets one attempt (--max-attempts 1); pass more to see redials at a 0 s delay.
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
from campaign.simulator import DEFAULT_FROM_NUMBERS, PLANS, TEST_API_KEY, World, running_server
from campaign.store.db import open_db
from campaign.voicy.client import VoicyClient
from tests.factories import fake_contacts, us_numbers


async def bench(args: argparse.Namespace) -> None:
    clock = CompressedClock.anchored(args.scale, epoch=time.time())
    plan = PLANS["standard"]
    world = World(clock=clock, plan=plan, seed=args.seed)
    settings = RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]),
        concurrency=plan.concurrent_calls,
        rate=plan.requests_per_minute,
        max_attempts=args.max_attempts,
        retry_delays={"busy": 0.0, "no_answer": 0.0, "error": 0.0},
        window="any",
        min_gap=0.0,
        poll_interval=args.poll_interval,
    )
    with tempfile.TemporaryDirectory() as tmp, running_server(world) as base_url:
        db = open_db(Path(tmp) / "bench.db")
        numbers = us_numbers(args.contacts, start=7000)
        campaign = create_campaign(db, fake_contacts(numbers), settings, now=clock.now())
        async with VoicyClient(TEST_API_KEY, base_url, clock=clock) as client:
            runner = build_runner(db, campaign.id, settings, Connection(client, clock, world))
            started_virtual, started_wall = clock.time(), time.monotonic()
            result = await runner.run()
            elapsed = clock.time() - started_virtual
            wall = time.monotonic() - started_wall

    calls = world.calls
    connected = sum(1 for c in calls if c.connected)
    line_time = sum(c.end - c.start for c in calls)
    total_requests = sum(world.requests_by_endpoint.values())
    required = len(calls) + connected  # one dial per call, one call-get per connected call
    bound = max(required / plan.requests_per_minute * 60, line_time / plan.concurrent_calls)
    print(
        f"campaign: {args.contacts} contacts, {len(calls)} calls, {connected} connected "
        f"({result.state})"
    )
    print(f"duration: {elapsed:.0f} s simulated ({wall:.1f} s wall at scale {args.scale:g})")
    print(
        f"lower bound: {bound:.0f} s = max({required} requests / {plan.requests_per_minute}"
        f" rpm = {required / plan.requests_per_minute * 60:.0f} s, {line_time:.0f} s of calls"
        f" / {plan.concurrent_calls} lines = {line_time / plan.concurrent_calls:.0f} s)"
    )
    print(f"ratio: {elapsed / bound:.3f}  (target <= 1.10)")
    first = min(c.start for c in calls)
    last_dial = max(c.start for c in calls)
    last_end = max(c.end for c in calls)
    full = sum(min(c.end, last_dial) - c.start for c in calls if c.start < last_dial)
    busy = full / (plan.concurrent_calls * (last_dial - first))
    print(
        f"where the time went: {first - started_virtual:.1f} s to the first dial, "
        f"{last_dial - first:.0f} s of dialing with the lines {busy:.1%}"
        f" busy, {last_end - last_dial:.0f} s from the last dial to the last hang-up, "
        f"{started_virtual + elapsed - last_end:.1f} s to notice it and finish"
    )
    print(f"requests: {total_requests} total, {dict(world.requests_by_endpoint)}")
    print(
        f"requests per contact: {total_requests / args.contacts:.2f}; per connected call: "
        f"{total_requests / max(1, connected):.2f}"
    )
    print(
        f"429s served: {world.served_429} rate, {world.served_concurrency_429} concurrency;"
        f" max requests in a window: {world.max_requests_in_any_window};"
        f" max concurrent calls: {world.max_concurrent}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--max-attempts", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=None,
        help="Fixed status polling interval (default: the engine's own).",
    )
    anyio.run(bench, parser.parse_args())


if __name__ == "__main__":
    main()
