"""Benchmark: a 400,000-contact campaign through the CLI, each step against its target.

    python bench/big_campaign.py                         # 400,000 rows, SQLite
    python bench/big_campaign.py --rows 400000 --postgres  # also PostgreSQL (COPY)
    python bench/big_campaign.py --keep /tmp/big           # build once, keep list and DB
    python bench/big_campaign.py --keep /tmp/big --steps status,export-csv  # reuse them

Generates the messy list of bench/import_contacts.py (US/UK/EU formats, 10% duplicates, 1%
invalid) and runs, each in a fresh process as a user would (`--simulate`, its own database):

- `run LIST --start-at <a month later> --until-idle`: import + store + first dispatch (every
  contact held by the one campaign-wide wait), against the bound (target <= 1.0x);
- `resume NAME --until-idle` (target <= 5 s), `status NAME` (<= 2 s),
  `export NAME -o results.csv` (<= 8 s) and `-o results.xlsx` (<= 40 s).

The bound is measured in the same run: pure-Python phonenumbers parse + is_valid_number +
format_number(E164) of every row, over the machine's cores (bench/import_contacts.py).
Wall and CPU seconds (the process and its workers) and peak RSS are printed for each step;
on a shared machine the CPU seconds are the fairer figure. The dashboard pages on a campaign
this size: `python bench/dashboard.py --rows 400000`.

`--keep DIR` writes the list and the SQLite store in DIR and leaves them there; a later run
with the same DIR reuses both (no list generated, no `run` unless asked in `--steps`), so
the reading steps can be re-measured without importing 400,000 rows each time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_contacts import (
    BOUND_SAMPLE,
    child_env,
    cores,
    generate,
    phone_sample,
    postgres_url,
    raw_bound,
    timed_child,
)

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"run": None, "resume": 5.0, "status": 2.0, "export CSV": 8.0, "export XLSX": 40.0}
STEP_NAMES = {label.lower().replace(" ", "-"): label for label in TARGETS}


def steps(path: Path, db: str, folder: Path, start_at: str) -> list[tuple[str, list[str]]]:
    cli = [sys.executable, "-m", "campaign"]
    return [
        (
            "run",
            [*cli, "run", str(path), "--simulate", "--db", db, "--name", "big",
             "--start-at", start_at, "--until-idle"],
        ),
        ("resume", [*cli, "resume", "big", "--simulate", "--db", db, "--until-idle"]),
        ("status", [*cli, "status", "big", "--db", db]),
        ("export CSV", [*cli, "export", "big", "--db", db, "-o", str(folder / "r.csv")]),
        ("export XLSX", [*cli, "export", "big", "--db", db, "-o", str(folder / "r.xlsx")]),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep (and reuse) the list and SQLite store in DIR"
    )
    parser.add_argument(
        "--steps",
        default=None,
        help=f"comma-separated, of {','.join(STEP_NAMES)} (default: all; with a kept store, "
        "all but run)",
    )
    args = parser.parse_args()
    from campaign.contacts import phonelib

    print(f"phone library: {phonelib.describe()}; {cores()} cores; load {os.getloadavg()[0]:.1f}")
    env = child_env()
    start_at = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            folder = args.keep
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        path = folder / f"contacts-{args.rows}.csv"
        kept_db = folder / "big.db"
        reused = args.keep is not None and kept_db.is_file() and path.is_file()
        if not path.is_file():
            generate(path, args.rows)
        wanted = _wanted_steps(args.steps, reused=reused)
        sample, total = phone_sample(path, BOUND_SAMPLE)
        bound = raw_bound(sample) * total / len(sample) / cores()
        reuse_note = " (kept store reused)" if reused else ""
        print(f"{args.rows:,} rows: bound {bound:.2f} s{reuse_note}")
        targets = [("SQLite", f"sqlite:///{kept_db}")]
        if args.postgres:
            pg = postgres_url()
            if pg is not None:
                targets.append(("PostgreSQL", pg[0]))
        for store, db in targets:
            print(f"\n{store}")
            for label, command in steps(path, db, folder, start_at):
                if label not in wanted and not (store == "PostgreSQL" and label == "run"):
                    continue
                wall, rss, _, cpu = timed_child(command, env)
                target = TARGETS[label]
                against = (
                    f"{wall / bound:5.2f}x bound (target <= 1.00), CPU {cpu / bound:.2f}x"
                    if target is None
                    else f"target <= {target:g} s: wall {_met(wall <= target)}, "
                    f"CPU {_met(cpu <= target)}"
                )
                print(
                    f"  {label:<12} wall {wall:7.2f} s  CPU {cpu:7.2f} s  peak {rss:5,.0f} MiB"
                    f"  {against}"
                )
        print(f"\nload at the end {os.getloadavg()[0]:.1f} (a shared machine inflates wall times)")


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _wanted_steps(text: str | None, *, reused: bool) -> set[str]:
    if text is None:
        return {label for label in TARGETS if not (reused and label == "run")}
    wanted = set()
    for name in text.split(","):
        key = name.strip().lower()
        if key not in STEP_NAMES:
            raise SystemExit(f"--steps {name}: not a step; use {', '.join(STEP_NAMES)}")
        wanted.add(STEP_NAMES[key])
    return wanted


if __name__ == "__main__":
    main()
