"""Benchmark: the dashboard's time to first byte on a 100,000-contact campaign, runner working.

    python bench/dashboard.py                   # 100,000 contacts
    python bench/dashboard.py --rows 20000 --samples 20

Generates a list, starts `python -m campaign run LIST --simulate` in one process and
`python -m campaign serve --port 0` in another (the way people use them), waits until the
runner dials, then times (first byte of the answer, over HTTP, sequential requests):

- the campaign page                         target < 200 ms
- the contacts page filtered by outcome     target < 200 ms
- the live-update request                   target <  50 ms

and, for information, a name search, a phone search, a sorted page, a deep page, and the
live update while the charts are being drawn (in the dashboard's worker process). Prints
the first (cold) request and the median / 95th percentile / max of the rest, with the
runner's progress during the measurement, then stops both processes.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

TARGETS_MS = {"campaign page": 200, "contacts, outcome=connected": 200, "live update": 50}
FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "José", "Zoë", "Mohammed", "Li", "דוד"]
LAST = ["Bennett", "Carter", "García", "Nguyen", "O'Brien", "Schmidt", "Kowalski", "Lee"]


def write_list(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_name", "last_name", "phone", "clinic"])
        for i in range(rows):
            writer.writerow(
                [
                    rng.choice(FIRST),
                    rng.choice(LAST),
                    f"+1202{2000000 + i:07d}",
                    rng.choice(["Downtown Dental", "Uptown Care", "Riverside"]),
                ]
            )


def wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def first_byte_ms(client: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    with client.stream("GET", url) as response:
        chunks = response.iter_raw()
        next(chunks, b"")
        took = (time.perf_counter() - started) * 1000
        for _ in chunks:  # read the rest: the next request starts on an idle server
            pass
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="campaign-bench-dashboard-"))
    contacts, db = folder / "contacts.csv", folder / "bench.db"
    write_list(contacts, args.rows)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    print(f"{args.rows:,} contacts in {contacts}; importing and starting the runner...")
    started = time.monotonic()
    runner = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "campaign",
            "run",
            str(contacts),
            "--simulate",
            "--db",
            str(db),
            "--name",
            "bench",
            "--window",
            "any",
            "--min-gap",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    server = None
    try:
        wait_for(lambda: db.exists() and _status(db) == "running", 300, "the runner to start")
        print(f"runner dialing after {time.monotonic() - started:.1f}s (import included)")
        server = subprocess.Popen(
            [sys.executable, "-m", "campaign", "serve", "--db", str(db), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"(http://\S+)", line)
        if not found:
            raise SystemExit(f"serve printed no address: {line!r}")
        base = found.group(1).rstrip("/")
        with httpx.Client(base_url=base, timeout=30) as client:
            _measure(client, args.samples)
    finally:
        for process in (server, runner):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in (server, runner):
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    print(f"database kept in {folder}")


def _status(db: Path) -> str | None:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            row = connection.execute(
                "SELECT state, (SELECT count(*) FROM attempts) FROM campaigns"
            ).fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row and row[1] else None


def _measure(client: httpx.Client, samples: int) -> None:
    campaign = "/campaigns/1"
    cases = {
        "campaign page": campaign,
        "contacts, outcome=connected": f"{campaign}/contacts?outcome=connected",
        "contacts, outcome=failed": f"{campaign}/contacts?outcome=failed",
        "contacts, outcome=pending": f"{campaign}/contacts?outcome=pending",
        "live update": f"{campaign}/live",
        "campaign list": "/",
        "contacts, search name": f"{campaign}/contacts?q=garc%C3%ADa",
        "contacts, search number": f"{campaign}/contacts?q=202+200+99",
        "contacts, sorted by attempts": f"{campaign}/contacts?sort=attempts&order=desc",
        "contacts, sorted by name": f"{campaign}/contacts?sort=name",
        "contacts, page 1000": f"{campaign}/contacts?page=1000",
    }
    before = client.get(f"{campaign}/live").json()["live"]["progress"]
    print(f"\nTime to first byte, ms ({samples} sequential requests each, runner working)")
    print(f"{'request':32} {'first':>7} {'median':>7} {'p95':>7} {'max':>7}  target")
    for label, url in cases.items():
        first = first_byte_ms(client, url)
        times = sorted(first_byte_ms(client, url) for _ in range(samples))
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        target = TARGETS_MS.get(label)
        verdict = ""
        if target:
            verdict = f"< {target}  {'ok' if p95 < target else 'MISSED'}"
        print(
            f"{label:32} {first:7.1f} {statistics.median(times):7.1f} {p95:7.1f} "
            f"{times[-1]:7.1f}  {verdict}"
        )
    _live_while_charts_draw(client, campaign)
    after = client.get(f"{campaign}/live").json()["live"]
    print(
        f"\nrunner progress during the measurement: {before} -> {after['progress']}, "
        f"{after['calls_in_progress']} calls in progress"
    )


def _live_while_charts_draw(client: httpx.Client, campaign: str) -> None:
    """The charts are drawn in another process: the live updates must not slow down."""
    drawn: list[float] = []

    def draw() -> None:
        started = time.perf_counter()
        with httpx.Client(base_url=str(client.base_url), timeout=120) as other:
            while other.get(f"{campaign}/charts?fragment=1&v=bench").status_code == 202:
                pass
        drawn.append(time.perf_counter() - started)

    drawer = threading.Thread(target=draw)
    drawer.start()
    times = []
    while drawer.is_alive():
        times.append(first_byte_ms(client, f"{campaign}/live"))
        time.sleep(0.1)
    drawer.join()
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"{'live update, charts drawing':32} {'':7} {statistics.median(times):7.1f} "
        f"{p95:7.1f} {times[-1]:7.1f}  ({len(times)} requests while the charts took "
        f"{drawn[0]:.1f}s)"
    )


if __name__ == "__main__":
    main()
