"""Polling (and, once the engine consumes them, webhooks) against the oracle, in one run.

For each plan, the current runner runs a campaign against the simulator over real HTTP on
a compressed clock; the oracle (bench/oracle.py) then schedules the very same calls (the
simulator's ground truth for every number and attempt) as a runner that knew each end the
instant it happened. Printed per plan and mode:
- wall time (simulated seconds, runner start to finish) against the oracle's (first dial to
  last hang-up; `+get` is the oracle that also spends a call-get per connected call);
- requests against the required (a dial per call + a call-get per connected call) and the
  oracle's own (dials only);
- 429s served, calls, connected calls.

    PYTHONPATH=. python bench/oracle_bench.py [--plan budget|standard|all] [--scale 10]
        [--mode polling|webhooks|all] [--seed 7]

Plans (issue 17, issue 20): `budget` = 60 contacts, 60 requests/min, 10 lines, calls of
10–30 s; `standard` = 200 contacts, the Standard plan (60 rpm, 10 lines), calls of 10–60 s.
Both with up to 3 attempts and a 30 s redial delay (--max-attempts, --retry-delay).

Mode `webhooks` runs the same campaign with a receiver in the run (`--webhook-listen`) and
the simulator's sender posting to it: only connected calls fire, 15% lost, 10% repeated
(`webhooks-all`: every ended call fires, nothing lost, 1–4 s after the hang-up as the
simulator's post-call processing takes by default; `webhooks-prompt`: the same within
0.2–1 s, as Voicy does not say how long its processing takes). The runner uses the deliveries
(ends, details without call-get) and scans only where no delivery will tell; the required
requests are then the dials plus a call-get per connected call whose delivery was lost.
Each figure is printed against the issue's bound.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import anyio

from bench.oracle import OracleResult, schedule
from bench.oracle_lag import Decomposition, LineCall, decompose
from campaign.campaigns.connect import Connection
from campaign.campaigns.create import create_campaign
from campaign.campaigns.runs import build_runner
from campaign.clock import CompressedClock
from campaign.engine.settings import RunSettings
from campaign.simulator import DEFAULT_FROM_NUMBERS, PLANS, TEST_API_KEY, World, running_server
from campaign.simulator.limits import Plan
from campaign.store.db import open_db
from campaign.voicy.client import VoicyClient
from tests.factories import fake_contacts, us_numbers


@dataclass(frozen=True)
class BenchPlan:
    name: str
    contacts: int
    plan: Plan
    call_seconds: tuple[float, float]


PLANS_UNDER_TEST = {
    "budget": BenchPlan("budget-bound", 60, Plan("budget", 60, 10, 1800), (10.0, 30.0)),
    "standard": BenchPlan("Standard", 200, PLANS["standard"], (10.0, 60.0)),
}

#: Webhook modes: the sender's faults (see campaign.simulator.webhooks).
WEBHOOK_MODES = {
    "webhooks": "scope=connected,lost=0.15,repeated=0.10",
    "webhooks-all": "scope=all",
    # Every ended call fires within a second of its hang-up (a quick post-call processing):
    # the "where every ended call fires" bound read as deliveries that tell the end.
    "webhooks-prompt": "scope=all,processing=0.2-1",
}


@dataclass
class Measured:
    elapsed: float
    requests: int
    by_endpoint: dict[str, int]
    served_429: int
    calls: int
    connected: int
    state: str
    deliveries: str = ""
    #: Connected calls whose delivery never came (each needs a call-get), under webhooks.
    lost_connected: int | None = None
    #: Connected calls with no summary in the store (the export's summary column).
    missing_summaries: int = 0
    forged: int = 0
    by_source: dict[str, int] | None = None
    #: Where the runner's line-seconds went (see bench/oracle_lag.py).
    lag: Decomposition | None = None


async def run_mode(args: argparse.Namespace, bench: BenchPlan, mode: str) -> Measured:
    clock = CompressedClock.anchored(args.scale, epoch=time.time())
    world = World(clock=clock, plan=bench.plan, seed=args.seed, call_seconds=bench.call_seconds)
    settings = settings_for(args, bench)
    with tempfile.TemporaryDirectory() as tmp, running_server(world) as base_url:
        db = open_db(Path(tmp) / "bench.db")
        numbers = us_numbers(bench.contacts, start=7000)
        campaign = create_campaign(db, fake_contacts(numbers), settings, now=clock.now())
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(
                VoicyClient(TEST_API_KEY, base_url, clock=clock)
            )
            hearing = None
            woken: list[Any] = []
            if mode in WEBHOOK_MODES:
                hearing = await stack.enter_async_context(
                    receiving(db, clock, world, mode, lambda *a: [w(*a) for w in woken])
                )
            runner = build_runner(db, campaign.id, settings, Connection(client, clock, world))
            woken.append(runner.delivery_arrived)  # the receiver wakes the consumer
            learned, grants = watch(runner, clock)
            started = clock.time()
            result = await runner.run()
            elapsed = clock.time() - started
            deliveries = ""
            lost: int | None = None
            if hearing is not None:
                deliveries = ", ".join(f"{k} {v}" for k, v in sorted(hearing.sender.counts.items()))
                told = {
                    s.call_id
                    for s in hearing.sender.sent
                    if s.kind == "genuine" and s.status_code == 200
                }
                lost = sum(1 for c in world.calls if c.connected and c.call_id not in told)
            missing, forged, by_source = store_figures(db)
        db.dispose()
    calls = world.calls
    rows = [
        LineCall(
            c.to_number, c.attempt_index, c.start, c.end, *learned.get(c.call_id, (c.end, "?"))
        )
        for c in calls
    ]
    if args.dump:
        import json

        Path(args.dump).write_text(
            json.dumps(
                {
                    "start": started,
                    "elapsed": elapsed,
                    "rows": [astuple(r) for r in rows],
                    "grants": grants,
                }
            )
        )
    lag = decompose(
        rows,
        [at for at, _ in grants],
        lines=bench.plan.concurrent_calls,
        rate=bench.plan.requests_per_minute,
        start=started,
        finish=started + elapsed,
        retry_delay=float(args.retry_delay),
    )
    return Measured(
        elapsed=elapsed,
        requests=sum(world.requests_by_endpoint.values()),
        by_endpoint=dict(world.requests_by_endpoint),
        served_429=world.served_429 + world.served_concurrency_429,
        calls=len(calls),
        connected=sum(1 for c in calls if c.connected),
        state=result.state,
        deliveries=deliveries,
        lost_connected=lost,
        missing_summaries=missing,
        forged=forged,
        by_source=by_source,
        lag=lag,
    )


def watch(runner: Any, clock: Any) -> tuple[dict[str, tuple[float, str]], list[tuple[float, str]]]:
    """When the runner learned each call's end (call id → (clock time, source)), and when
    its budget granted each request: the ledger's two end paths, wrapped."""
    learned: dict[str, tuple[float, str]] = {}
    grants: list[tuple[float, str]] = []
    ledger = runner.ledger
    ended, delivered = ledger.ended, ledger.delivered

    def note(recorded: Any) -> Any:
        at = clock.time()
        for end, _ in recorded:
            learned.setdefault(end.call_id, (at, str(end.source)))
        return recorded

    ledger.ended = lambda ends, now: note(ended(ends, now))
    ledger.delivered = lambda items, now, **kw: note(delivered(items, now, **kw))
    runner.budget.on_grant = lambda at, kind: grants.append((at, kind))
    return learned, grants


def oracle_lag(args: argparse.Namespace, bench: BenchPlan, oracle: OracleResult) -> Decomposition:
    rows = [LineCall(c.number, c.attempt, c.start, c.end, c.end) for c in oracle.calls]
    return decompose(
        rows,
        [c.start for c in oracle.calls],
        lines=bench.plan.concurrent_calls,
        rate=bench.plan.requests_per_minute,
        start=0.0,
        finish=oracle.wall,
        retry_delay=float(args.retry_delay),
    )


def store_figures(db: Any) -> tuple[int, int, dict[str, int]]:
    """Connected attempts without a summary, forged content stored, ends by source."""
    from sqlalchemy import func, select

    from campaign.simulator.webhooks import FORGED_MARKER
    from campaign.store.models import Attempt

    with db.read_session() as session:
        missing = session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.category == "connected", Attempt.summary.is_(None))
        )
        forged = session.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.summary.contains(FORGED_MARKER))
        )
        sources = dict(
            session.execute(
                select(Attempt.ended_by, func.count())
                .where(Attempt.ended_by.is_not(None))
                .group_by(Attempt.ended_by)
            ).all()
        )
    return int(missing or 0), int(forged or 0), {str(k): int(v) for k, v in sources.items()}


def receiving(db: Any, clock: Any, world: World, mode: str, on_delivery: Any) -> Any:
    import os

    from campaign.receiver import listening
    from campaign.receiver.listen import SIMULATE_FAULTS_ENV

    os.environ[SIMULATE_FAULTS_ENV] = WEBHOOK_MODES[mode]
    return listening(db, "127.0.0.1:0", clock=clock, world=world, on_delivery=on_delivery)


def settings_for(args: argparse.Namespace, bench: BenchPlan) -> RunSettings:
    delay = float(args.retry_delay)
    return RunSettings(
        from_numbers=tuple(DEFAULT_FROM_NUMBERS[:2]),
        concurrency=bench.plan.concurrent_calls,
        rate=bench.plan.requests_per_minute,
        max_attempts=args.max_attempts,
        retry_delays={"busy": delay, "no_answer": delay, "error": delay},
        window="any",
        min_gap=0.0,
    )


def oracle_for(args: argparse.Namespace, bench: BenchPlan, *, with_gets: bool) -> OracleResult:
    # The ground truth is fixed by (seed, number, attempt): a fresh world plans the same calls.
    world = World(plan=bench.plan, seed=args.seed, call_seconds=bench.call_seconds)
    settings = settings_for(args, bench)
    return schedule(
        us_numbers(bench.contacts, start=7000),
        world.planned_outcome,
        rate=settings.rate,
        lines=settings.concurrency,
        max_attempts=settings.max_attempts,
        retry_delays=settings.retry_delays,
        call_gets=with_gets,
    )


#: The bounds the issues set, per (plan, mode): wall against the oracle, requests against
#: the required ones (issue 17: webhooks; issue 20: polling).
BOUNDS = {
    ("budget", "polling"): (1.20, None),
    ("standard", "polling"): (1.05, 1.8),
    ("budget", "webhooks"): (1.15, 1.5),
    ("standard", "webhooks"): (1.15, 1.5),
    ("budget", "webhooks-all"): (1.05, None),
    ("standard", "webhooks-all"): (1.05, None),
    ("budget", "webhooks-prompt"): (1.05, None),
    ("standard", "webhooks-prompt"): (1.05, None),
}


def report(
    key: str,
    bench: BenchPlan,
    mode: str,
    m: Measured,
    oracle: OracleResult,
    gets: OracleResult,
    oracle_d: Decomposition | None = None,
) -> None:
    # Required: a dial per call, and a call-get per connected call no delivery told.
    told_for = m.lost_connected if m.lost_connected is not None else m.connected
    required = m.calls + told_for
    same = "same calls" if oracle.dials == m.calls else f"oracle placed {oracle.dials} calls"
    wall_bound, request_bound = BOUNDS.get((key, mode), (None, None))
    print(
        f"\n== {bench.name} plan ({bench.contacts} contacts, {bench.plan.requests_per_minute}"
        f" rpm, {bench.plan.concurrent_calls} lines, calls {bench.call_seconds[0]:g}–"
        f"{bench.call_seconds[1]:g} s) · {mode} =="
    )
    print(f"runner: {m.state}, {m.calls} calls, {m.connected} connected ({same})")
    ratio = m.elapsed / oracle.wall
    print(
        f"wall: {m.elapsed:.0f} s vs oracle {oracle.wall:.0f} s = {ratio:.2f}x"
        f"{_against(ratio, wall_bound)}  (oracle+get {gets.wall:.0f} s = "
        f"{m.elapsed / gets.wall:.2f}x)"
    )
    asked = m.requests / required
    needed = "dials + call-gets of connected calls" + (
        f" whose delivery was lost ({told_for})" if m.lost_connected is not None else ""
    )
    print(
        f"requests: {m.requests} vs required {required} ({needed}) = {asked:.2f}x"
        f"{_against(asked, request_bound)}  {m.by_endpoint}"
    )
    bound = oracle.lower_bound(bench.plan.requests_per_minute, bench.plan.concurrent_calls)
    print(
        f"bound: these calls hold lines {oracle.line_seconds:.0f} s in all: no schedule on "
        f"{bench.plan.concurrent_calls} lines ends before {bound:.0f} s "
        f"(runner {m.elapsed / bound:.2f}x, oracle {oracle.wall / bound:.2f}x)"
    )
    print(f"429s: {m.served_429} (bound 0)")
    print(
        f"ends by source: {m.by_source}; connected calls without a summary: "
        f"{m.missing_summaries} (bound 0); forged content stored: {m.forged} (bound 0)"
    )
    if m.deliveries:
        print(f"webhooks sent: {m.deliveries}")
    if m.lag is not None:
        print("where the line-seconds went (bench/oracle_lag.py), runner vs oracle:")
        print(m.lag.table(oracle_d))


def _against(value: float, bound: float | None) -> str:
    if bound is None:
        return ""
    return f" (bound {bound:.2f}x: {'ok' if value <= bound else 'OVER'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", choices=[*PLANS_UNDER_TEST, "all"], default="all")
    parser.add_argument("--mode", choices=["polling", *WEBHOOK_MODES, "all"], default="polling")
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-attempts", type=int, default=3)
    parser.add_argument("--retry-delay", type=float, default=30.0, help="seconds, every status")
    parser.add_argument("--oracle-only", action="store_true", help="print the oracles only")
    parser.add_argument("--dump", help="write the last run's calls and grants to this JSON file")
    args = parser.parse_args()
    plans = list(PLANS_UNDER_TEST) if args.plan == "all" else [args.plan]
    modes = ["polling", *WEBHOOK_MODES] if args.mode == "all" else [args.mode]
    print(
        f"seed {args.seed}, scale {args.scale:g}, max attempts {args.max_attempts}, "
        f"redial after {args.retry_delay:g} s; simulated seconds"
    )
    for key in plans:
        bench = PLANS_UNDER_TEST[key]
        oracle = oracle_for(args, bench, with_gets=False)
        gets = oracle_for(args, bench, with_gets=True)
        if args.oracle_only:
            print(
                f"{bench.name}: oracle {oracle.wall:.1f} s ({oracle.dials} dials, "
                f"{oracle.connected} connected), oracle+get {gets.wall:.1f} s"
            )
            continue
        for mode in modes:
            measured = anyio.run(run_mode, args, bench, mode)
            report(key, bench, mode, measured, oracle, gets, oracle_lag(args, bench, oracle))


if __name__ == "__main__":
    main()
