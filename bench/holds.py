"""Holds on a large campaign: how long until every contact is shown waiting, and what it
cost, when the campaign is started outside its calling window or before --start-at.

Creates a campaign of N contacts (one US zone), runs the runner with --until-idle against
the in-process simulator at 03:00 in New York (window 08:00-21:00), and prints the time
until the runner knew everyone waits, the statements it wrote, and how long `status` and the
runner's progress snapshot take on that campaign.

    PYTHONPATH=. python bench/holds.py [--contacts 400000] [--why window|start-at]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import anyio
from sqlalchemy import event

from campaign.calls.vocab import ContactState
from campaign.campaigns.connect import Connection
from campaign.campaigns.create import create_campaign
from campaign.campaigns.runs import build_runner
from campaign.clock import CompressedClock
from campaign.engine.settings import RunSettings
from campaign.outcomes.status import campaign_status
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

#: 03:00 in New York (08:00 UTC): the 08:00-21:00 window opens in five hours.
NIGHT = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


async def bench(args: argparse.Namespace) -> None:
    clock = CompressedClock(1.0, start=NIGHT, jump_over=None)
    world = World(clock=clock, plan=PLANS["unlimited"], seed=1)
    settings = RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS),
        window="08:00-21:00" if args.why == "window" else "any",
        start_at="2026-03-03T20:00:00+00:00" if args.why == "start-at" else None,
        min_gap=0.0,
        until_idle=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        numbers = us_numbers(args.contacts, start=100_000)
        started = time.perf_counter()
        campaign = create_campaign(db, fake_contacts(numbers), settings, now=clock.now())
        created = time.perf_counter() - started
        writes: Counter[str] = Counter()

        def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            verb = statement.lstrip().split(" ", 1)[0].upper()
            if verb in ("UPDATE", "INSERT", "DELETE"):
                table = statement.split()[1 if verb != "INSERT" else 2]
                writes[f"{verb} {table}"] += len(parameters) if executemany else 1

        event.listen(db.engine, "before_cursor_execute", count)
        client = VoicyClient(
            TEST_API_KEY, "http://voicy.sim/functions/v1",
            transport=in_process_transport(world), clock=clock,
        )  # fmt: skip
        async with client:
            runner = build_runner(db, campaign.id, settings, Connection(client, clock, world))
            started = time.perf_counter()
            result = await runner.run()
            idle = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        status = campaign_status(db, campaign.name, clock=clock)
        status_took = time.perf_counter() - started
        started = time.perf_counter()
        runner.snapshot()
        progress_took = time.perf_counter() - started
        db.dispose()
    waiting = {w.reason: w.count for w in status.waiting}
    print(f"{args.contacts} contacts stored in {created:.1f} s (held because: {args.why})")
    print(
        f"runner knew every contact waits after {idle:.1f} s ({result.state}, "
        f"{len(world.calls)} calls): {result.message}"
    )
    print(f"statements (executemany rows counted): {dict(writes)}")
    print(f"status: {status_took:.2f} s; waiting {waiting}, ready {status.ready_to_dial}")
    print(f"the runner's progress snapshot: {progress_took:.2f} s (read again at most every 10x)")
    queued = status.contact_states.get(ContactState.QUEUED, 0)
    print(f"queued contacts: {queued}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=400_000)
    parser.add_argument("--why", choices=("window", "start-at"), default="window")
    anyio.run(bench, parser.parse_args())


if __name__ == "__main__":
    main()
