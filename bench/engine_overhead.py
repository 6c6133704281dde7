"""Engine overhead: 10,000 contacts against the in-process simulator with no limits.

Calls last a few simulated milliseconds and the plan has no rate or line limit, so what is
measured is the engine itself: intents committed before each dial, answers recorded,
batched scans, details fetched, all on a real SQLite file.

    python bench/engine_overhead.py [--contacts 10000] [--concurrency 500] [--db URL]

Also prints what the database did per call (write statements and commits), the figure the
scale model in docs/scale.md extrapolates from; `--db postgresql://...` (or `--postgres`
for a throwaway cluster, tests/pg.py) measures PostgreSQL instead of a SQLite file.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import anyio
from sqlalchemy import event

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
        db = open_db(args.db or Path(tmp) / "bench.db")
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
            writes = {"statements": 0, "commits": 0}

            def on_execute(_conn: object, _cursor: object, statement: str, *_: object) -> None:
                if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
                    writes["statements"] += 1

            def on_commit(_conn: object) -> None:
                writes["commits"] += 1

            event.listen(db.engine, "before_cursor_execute", on_execute)
            event.listen(db.engine, "commit", on_commit)
            started = time.perf_counter()
            cpu = time.process_time()
            result = await runner.run()
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            db.dispose()
    calls = len(world.calls)
    print(f"{args.contacts} contacts stored in {created:.2f} s")
    print(
        f"{calls} calls dialed, tracked and recorded in {elapsed:.1f} s: "
        f"{calls / elapsed:.0f} calls/s of engine overhead (target >= 300/s) [{result.state}]"
    )
    print(f"requests: {dict(world.requests_by_endpoint)}")
    print(
        f"database ({db.engine.dialect.name}): {writes['statements'] / calls:.2f} write "
        f"statements and {writes['commits'] / calls:.2f} commits per call; runner CPU "
        f"{cpu:.1f} s = {cpu / calls * 1000:.2f} ms per call"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--db", help="database URL (default: a SQLite file)")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL")
    args = parser.parse_args()
    if args.postgres and not args.db:
        from tests.pg import cluster

        pg = cluster()
        args.db = pg.url(pg.create_database())
    anyio.run(bench, args)


if __name__ == "__main__":
    main()
