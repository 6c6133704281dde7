"""Several runners on one PostgreSQL campaign at the Enterprise plan: 1 vs 3, and fail-over.

Each runner is a `python -m campaign resume` process; the simulator serves over real HTTP in
this process (its ground truth judges), on a compressed clock shared through CAMPAIGN_CLOCK.
Prints, for 1 and for 3 runners, the campaign's duration in simulated time next to the plan's
lower bound max(requests / rate, call time / lines): a ratio near 1 for both means the plan,
not the runners, sets the pace. Then kills one of 3 runners with SIGKILL and prints how long
its calls waited for a take-over (about the lease, CAMPAIGN_LEASE).

    python bench/multi_runner.py [--contacts 1200] [--scale 5] [--lease 5] [--db URL]

Without --db a throwaway PostgreSQL cluster is started (tests/pg.py: needs the server
binaries, e.g. apt-get install postgresql).
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.pg import cluster
from tests.pg_team import CAMPAIGN, Team, team, wait_for


def database(args: argparse.Namespace) -> str:
    if args.db:
        return str(args.db)
    pg = cluster()
    return pg.url(pg.create_database())


def run_team(args: argparse.Namespace, runners: int, *, kill: bool = False) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        team(
            database(args),
            Path(tmp),
            contacts=args.contacts,
            plan="enterprise",
            scale=args.scale,
            call_seconds=(5, 20),
            lease=args.lease,
            seed=args.seed,
            max_attempts=1,
        ) as setup,
    ):
        clock = setup.world.clock
        started = clock.time()
        procs = [setup.start("resume", CAMPAIGN) for _ in range(runners)]
        figures: dict[str, Any] = {}
        if kill:
            figures.update(kill_one(setup, procs[0], args.contacts))
            procs = procs[1:]
        codes = [proc.wait(timeout=1800) for proc in procs]
        elapsed = clock.time() - started
        figures.update(judge(setup, elapsed, codes))
        return figures


def kill_one(setup: Team, victim: Any, contacts: int) -> dict[str, Any]:
    wait_for(
        lambda: setup.scalar("SELECT count(*) FROM contacts WHERE state = 'done'") > contacts // 3,
        timeout=600,
    )
    victim_id = setup.scalar("SELECT id FROM runners WHERE pid = :pid", pid=victim.pid)
    held = setup.scalar(
        "SELECT count(*) FROM attempts WHERE runner = :id AND state IN "
        "('intent', 'placed', 'unknown')",
        id=victim_id,
    )
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    takeover = wait_for(
        lambda: not setup.query("SELECT 1 FROM runners WHERE id = :id", id=victim_id),
        timeout=600,
        every=0.02,
    )
    return {"takeover_s": takeover, "held": held}


def judge(setup: Team, elapsed: float, codes: list[int]) -> dict[str, Any]:
    world, plan = setup.world, setup.world.plan
    calls = world.calls
    connected = sum(1 for c in calls if c.connected)
    requests = sum(world.requests_by_endpoint.values())
    required = len(calls) + connected  # a dial per call, a call-get per connected call
    budget_bound = required / plan.requests_per_minute * 60
    line_bound = sum(c.end - c.start for c in calls) / plan.concurrent_calls
    done = setup.scalar("SELECT count(*) FROM contacts WHERE state = 'done'")
    placed = dict(
        setup.query(
            "SELECT to_number, count(*) FROM attempts WHERE state IN ('placed', 'ended') "
            "GROUP BY to_number"
        )
    )
    return {
        "codes": codes,
        "elapsed": elapsed,
        "bound": max(budget_bound, line_bound),
        "budget_bound": budget_bound,
        "line_bound": line_bound,
        "calls": len(calls),
        "requests": requests,
        "peak_rpm": world.max_requests_in_any_window,
        "peak_lines": world.max_concurrent,
        "served_429": world.served_429 + world.served_concurrency_429,
        "complete": done == len(setup.numbers),
        "never_twice": dict(world.dial_counts) == placed,
        "per_runner": sorted(  # attempts by the runner that owns them (dialed or took over)
            n for (n,) in setup.query("SELECT count(*) FROM attempts GROUP BY runner")
        ),
    }


def show(label: str, f: dict[str, Any], rate: int, lines: int) -> None:
    which = "request budget" if f["budget_bound"] >= f["line_bound"] else "lines"
    print(
        f"{label}: {f['elapsed']:.0f} s simulated for {f['calls']} calls; plan bound "
        f"{f['bound']:.0f} s ({which}: {f['budget_bound']:.0f} s of requests at {rate}/min, "
        f"{f['line_bound']:.0f} s of calls on {lines} lines); ratio {f['elapsed'] / f['bound']:.2f}"
    )
    print(
        f"    {f['requests']} requests, peak {f['peak_rpm']}/min, peak {f['peak_lines']} calls "
        f"at once, {f['served_429']} × 429; calls per runner {f['per_runner']}; "
        f"complete {f['complete']}, never twice {f['never_twice']}, exit codes {f['codes']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1200)
    parser.add_argument("--scale", type=float, default=5.0)
    parser.add_argument("--lease", type=float, default=5.0, help="CAMPAIGN_LEASE, seconds")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--db", help="PostgreSQL URL (default: a throwaway cluster)")
    args = parser.parse_args()
    from campaign.simulator import PLANS

    plan = PLANS["enterprise"]
    print(
        f"Enterprise plan ({plan.requests_per_minute}/min, {plan.concurrent_calls} lines), "
        f"{args.contacts} contacts, one attempt each, 5-20 s of talk, scale {args.scale:g}"
    )
    wall = time.monotonic()
    one = run_team(args, 1)
    show("1 runner ", one, plan.requests_per_minute, plan.concurrent_calls)
    three = run_team(args, 3)
    show("3 runners", three, plan.requests_per_minute, plan.concurrent_calls)
    print(
        f"3 runners vs 1: {three['elapsed'] / one['elapsed']:.2f}× the time; both "
        f"{one['elapsed'] / one['bound']:.2f} / {three['elapsed'] / three['bound']:.2f} of the "
        "plan's bound, so the plan sets the pace, not the runners"
    )
    failed = run_team(args, 3, kill=True)
    show("3 runners, one killed", failed, plan.requests_per_minute, plan.concurrent_calls)
    print(
        f"fail-over: the killed runner held {failed['held']} open call(s); taken over "
        f"{failed['takeover_s']:.1f} s (real) after SIGKILL with a {args.lease:g} s lease"
    )
    print(f"bench wall time {time.monotonic() - wall:.0f} s")


if __name__ == "__main__":
    main()
