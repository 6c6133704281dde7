"""The floor of a runner that learns ends by scans: the oracle's calls, with nothing known
the instant it happens.

Where every ended call fires (issue 17's all-fire bound), a runner learns an end from the
first of: a call-list scan after the hang-up (one request, from the same 60-second budget
as the dials, which go first), or the delivery `processing_seconds` (1–4 s) after it. This
model schedules the oracle's calls (same ground truth, same rules: list order, never-dialed
first, the redial delay from the hang-up, `max_attempts`, the plan's rate and lines) with
scans every `period` seconds while any call is open, never taking the dials' last tokens,
and an engine that costs no time at all. What it prints is what no scan cadence can beat
by much, since ends arrive about evenly over a campaign: the wall against the oracle's.

    PYTHONPATH=. python bench/oracle_floor.py [--plan budget] [--periods 1.5,2,2.5]
        [--seeds 3] [--step 0.02]
"""

from __future__ import annotations

import argparse
import random
from collections import deque
from dataclasses import dataclass

from bench.oracle import WINDOW, call_length
from bench.oracle_bench import PLANS_UNDER_TEST, BenchPlan, oracle_for
from campaign.simulator import World
from campaign.voicy.models import RETRYABLE_STATUSES
from tests.factories import us_numbers


@dataclass
class Open:
    contact: int
    end: float
    delivered: float
    retry: bool


@dataclass(frozen=True)
class Floor:
    wall: float
    scans: int
    dials: int


def scan_bound(
    bench: BenchPlan,
    *,
    seed: int,
    period: float,
    delivery: tuple[float, float] = (1.0, 4.0),
    max_attempts: int = 3,
    retry_delay: float = 30.0,
    dial_tokens: int = 2,
    step: float = 0.02,
    delivery_seed: int = 0,
) -> Floor:
    """Wall (first dial to the last end learned) of the oracle's calls learned by scans
    every `period` s or by the delivery, whichever comes first (see the module)."""
    world = World(plan=bench.plan, seed=seed, call_seconds=bench.call_seconds)
    draw = random.Random(delivery_seed)
    numbers = us_numbers(bench.contacts, start=7000)
    rate, lines = bench.plan.requests_per_minute, bench.plan.concurrent_calls
    attempts = [0] * len(numbers)
    due = [0.0] * len(numbers)
    final = [False] * len(numbers)
    calls: list[Open] = []
    granted: deque[float] = deque()
    now, last_scan, scans, dials = 0.0, -1e9, 0, 0

    def learned(call: Open) -> None:
        calls.remove(call)
        if call.retry and attempts[call.contact] < max_attempts:
            due[call.contact] = max(call.end + retry_delay, now)
        else:
            final[call.contact] = True

    while not all(final) or calls:
        while granted and granted[0] + WINDOW <= now:
            granted.popleft()
        for call in [c for c in calls if c.delivered <= now]:
            learned(call)
        waiting = [i for i, d in enumerate(due) if not final[i] and d <= now]
        waiting.sort(key=lambda i: (-(max_attempts - attempts[i]), i))
        for contact in waiting:
            if len(granted) >= rate or len(calls) >= lines:
                break
            outcome = world.planned_outcome(numbers[contact], attempts[contact])
            end = now + call_length(outcome)
            attempts[contact] += 1
            due[contact] = float("inf")
            granted.append(now)
            dials += 1
            retry = outcome.status in RETRYABLE_STATUSES
            calls.append(Open(contact, end, end + draw.uniform(*delivery), retry))
        if calls and now - last_scan >= period and len(granted) < rate - dial_tokens:
            granted.append(now)
            scans += 1
            last_scan = now
            for call in [c for c in calls if c.end <= now]:
                learned(call)
        now += step
    return Floor(now, scans, dials)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", choices=list(PLANS_UNDER_TEST), default="budget")
    parser.add_argument("--periods", default="1.5,1.75,2,2.25,2.5")
    parser.add_argument("--seeds", type=int, default=3, help="delivery-lag draws per period")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--step", type=float, default=0.02)
    args = parser.parse_args()
    bench = PLANS_UNDER_TEST[args.plan]
    oracle = oracle_for(
        argparse.Namespace(seed=args.seed, max_attempts=3, retry_delay=30.0),
        bench,
        with_gets=False,
    )
    print(
        f"{bench.name} plan, seed {args.seed}: oracle {oracle.wall:.1f} s ({oracle.dials} "
        "dials); ends learned by scans every PERIOD s or a delivery 1-4 s after the hang-up, "
        "an engine that costs no time:"
    )
    for period in (float(p) for p in args.periods.split(",")):
        runs = [
            scan_bound(bench, seed=args.seed, period=period, step=args.step, delivery_seed=k)
            for k in range(args.seeds)
        ]
        walls = ", ".join(f"{r.wall:.1f} s = {r.wall / oracle.wall:.3f}x" for r in runs)
        print(f"  period {period:g} s: {walls}  ({runs[0].scans} scans, {runs[0].dials} dials)")


if __name__ == "__main__":
    main()
