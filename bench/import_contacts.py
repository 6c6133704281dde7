"""Benchmark: a large, messy contact list through the CLI and the store, next to the bound.

    python bench/import_contacts.py                          # 400k and 1M rows, SQLite
    python bench/import_contacts.py --rows 400000 --postgres # also PostgreSQL (COPY)
    python bench/import_contacts.py --rows 200000 --repeat 3 # best of 3 (a shared machine)
    python bench/import_contacts.py --memory --rows 1000000  # 250k, 500k and 1M: memory only
    python bench/import_contacts.py --memory --excel --rows 1000000  # the same list as .xlsx
    BENCH_CODE=../other-checkout python bench/import_contacts.py ...  # another tree's code

Generates N rows (a realistic mix of US/UK/EU formats, 10% duplicates, 1% invalid) into a
temporary CSV (with --excel, also written as an .xlsx the way Excel saves one: a shared
strings table, digit-only phones as number cells) and measures, each in a fresh process as a
user would run it:

- `python -m campaign validate FILE`: wall and CPU seconds, and peak memory of the process
  and its workers together (sampled from /proc: PSS summed, RSS summed, largest process);
- import + store, what `run` does before its first dial (one pass that reads and checks
  the list and stores each chunk as it goes, then the indexes and the commit): SQLite, and
  PostgreSQL with COPY when --postgres;
- storing alone (an imported list into a fresh database), in rows/s.

Each figure is printed against the bound measured in the same run: the pure-Python
phonenumbers parse + is_valid_number + format_number(E164) of every row, split over the
machine's cores (measured on an even sample of at most 200,000 rows, scaled to N).
Targets (issue 20): validate <= 0.7x the bound; import + store <= 1.0x; peak RSS of a 1M-row
import <= 400 MiB in all, flat as the list grows.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers

#: The campaign tree whose code is measured (this one unless BENCH_CODE names another).
ROOT = Path(os.environ.get("BENCH_CODE") or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(ROOT))

FIRST = ["Ana", "José", "Müller", "Li", "Olivia", "Noah", "Emma", "Liam", "Zoë", "Mohammed", "NA"]
LAST = ["Smith", "García", "Nguyen", "O'Brien", "Schmidt", "Dubois", "Kowalski", "Lee", "None"]
CLINICS = ["Downtown Dental", "Uptown Care", "Riverside Clinic", "Harbor Health", ""]
US_AREAS = [212, 213, 305, 312, 404, 415, 512, 617, 646, 702, 718, 206, 303, 503, 602, 713]
INVALID = ["12345", "", "1.55512E+10", "(555) 123-4567", "n/a", "+999 123 456", "call me", "0"]
BOUND_SAMPLE = 200_000


def us_number(rng: random.Random) -> tuple[str, str, str]:
    area = rng.choice(US_AREAS)
    exchange = rng.randint(200, 999)
    while exchange % 100 == 11:  # N11 codes are not exchanges
        exchange = rng.randint(200, 999)
    return str(area), str(exchange), f"{rng.randint(0, 9999):04d}"


def us_format(parts: tuple[str, str, str], rng: random.Random) -> str:
    a, b, c = parts
    style = rng.random()
    if style < 0.25:
        return f"({a}) {b}-{c}"
    if style < 0.40:
        return f"{a}-{b}-{c}"
    if style < 0.50:
        return f"{a}.{b}.{c}"
    if style < 0.65:
        return f"+1 {a} {b} {c}"
    if style < 0.78:
        return f"{a}{b}{c}"
    if style < 0.86:
        return f"1-{a}-{b}-{c}"
    if style < 0.95:
        return f"+1{a}{b}{c}"
    if style < 0.98:
        return f" {a} {b} {c}\u00a0"
    return f"{a}-{b}-{c} x{rng.randint(1, 999)}"


def intl_number(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.4:
        return f"+44 20 7{rng.randint(100, 999)} {rng.randint(0, 9999):04d}"
    if style < 0.6:
        return f"0044 7911 1{rng.randint(10000, 99999)}"
    if style < 0.75:
        return f"+447{rng.randint(400, 599)}{rng.randint(100000, 999999)}"
    if style < 0.9:
        return f"+49 30 {rng.randint(10000000, 99999999)}"
    return f"+33 6 {rng.randint(10, 89)} {rng.randint(10, 99)} {rng.randint(10, 99)} 00"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    phones: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_name", "last_name", "phone", "appointment_date", "clinic_name"])
        for _ in range(rows):
            draw = rng.random()
            if draw < 0.01:
                phone = rng.choice(INVALID)
            elif draw < 0.11 and phones:
                earlier = phones[rng.randrange(len(phones))]
                # Half the duplicates are the same text, half the same number reformatted.
                phone = earlier if rng.random() < 0.5 else earlier.replace(" ", "").replace("-", "")
            elif draw < 0.26:
                phone = intl_number(rng)
            else:
                phone = us_format(us_number(rng), rng)
            phones.append(phone)
            writer.writerow(
                [
                    rng.choice(FIRST),
                    rng.choice(LAST),
                    phone,
                    f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(CLINICS),
                ]
            )


def write_xlsx(source: Path, target: Path) -> None:
    """The CSV list as one sheet, as Excel saves it: each distinct text once in the shared
    strings table, a phone of digits only as a number cell (rustpy-xlsxwriter, streamed)."""
    import rustpy_xlsxwriter as rx

    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)

        def records() -> Iterator[dict[str, object]]:
            for row in reader:
                record: dict[str, object] = dict(zip(header, row, strict=True))
                if row[2].isdigit():
                    record["phone"] = int(row[2])
                yield record

        rx.write_worksheet(records(), str(target), sheet_name="Contacts", dedupe_strings=True)


def raw_bound(phones: list[str]) -> float:
    """Seconds for phonenumbers alone: parse + is_valid_number + E.164 on each string (the
    smaller of wall and CPU time: a single thread, so CPU time is its idle-core wall time)."""
    wall = time.perf_counter()
    cpu = time.process_time()
    for raw in phones:
        try:
            number = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return min(time.perf_counter() - wall, time.process_time() - cpu)


def phone_sample(path: Path, limit: int) -> tuple[list[str], int]:
    with path.open(encoding="utf-8", newline="") as handle:
        phones = [row[2] for row in csv.reader(handle)][1:]
    step = max(1, len(phones) // limit)
    return phones[::step][:limit], len(phones)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class TreeMemory:
    """Peak memory of a process and its descendants, summed, sampled every `every` seconds
    from /proc: RSS (pages shared by forked workers counted in each: an upper bound) and
    PSS (shared pages divided among their sharers: what the processes cost together)."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.pid = pid
        self.every = every
        self.rss = 0.0
        self.pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            rss = pss = 0
            for pid in self._tree(self.pid):
                try:
                    with open(f"/proc/{pid}/smaps_rollup") as handle:
                        for line in handle:
                            if line.startswith("Rss:"):
                                rss += int(line.split()[1])
                            elif line.startswith("Pss:"):
                                pss += int(line.split()[1])
                except OSError:
                    continue
            self.rss = max(self.rss, rss / 1024)
            self.pss = max(self.pss, pss / 1024)

    def _tree(self, pid: int) -> list[int]:
        out = [pid]
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return out
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    children = [int(c) for c in handle.read().split()]
            except OSError:
                continue
            for child in children:
                out.extend(self._tree(child))
        return out


def timed_child(
    args: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, str, float]:
    """(wall seconds, peak memory MiB of the child and its workers together (summed PSS),
    stdout, CPU seconds) of a fresh process. On a shared machine the CPU seconds are the
    fairer figure: the bound is CPU time too."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=err, text=True, env=env, cwd=ROOT)
        with TreeMemory(child.pid) as memory:
            # wait4 gives this child's own usage, its pool workers included.
            _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({child.returncode}):\n{err.read()[-2000:]}")
        LAST_MEMORY[:] = [memory.rss, memory.pss, usage.ru_maxrss / 1024]
        return wall, memory.pss, out.read(), usage.ru_utime + usage.ru_stime


#: (summed RSS, summed PSS, largest single process's RSS) of the last timed_child, MiB.
LAST_MEMORY: list[float] = [0.0, 0.0, 0.0]


def child_env() -> dict[str, str]:
    """The children's environment; the package's bytecode compiled first, as `pip install`
    leaves it (a machine with PYTHONDONTWRITEBYTECODE set, like this project's, would
    otherwise compile every module of the CLI again in each command: ~0.1 s of its start)."""
    compileall.compile_dir(ROOT / "campaign", quiet=1)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("VOICY_FROM_NUMBERS", None)
    return env


# --- child processes (one measurement each, so peak RSS is theirs alone) -------------------


def child_import_store(path: str, db_url: str) -> None:
    """What `run` does before its first dial: one pass that checks the list and stores each
    chunk as it is read (campaigns/importing.py), then the same-list guard and the commit."""
    from campaign.campaigns.importing import ImportTarget, ListImport
    from campaign.contacts import ImportOptions, open_contacts, validation_summary
    from campaign.engine.settings import RunSettings
    from campaign.store.db import open_db

    started = time.perf_counter()
    stream = open_contacts(path, ImportOptions(), with_json=True, with_vars=False)  # as `run`
    db = open_db(db_url)
    settings = RunSettings(from_numbers=("+12125550100",))
    target = ImportTarget(db, datetime.now(UTC))
    with ListImport(lambda: target, stream, settings) as importing:
        validation_summary(stream, on_chunk=importing.add, on_end=importing.rows_done)
        checked = time.perf_counter()
        importing.finish()
    done = time.perf_counter()
    db.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "pass": checked - started,
                "finish": done - checked,
                "total": done - started,
                "rss": peak,
                "rows": stream.counts.total,
            }
        )
    )


def child_insert(path: str, db_url: str) -> None:
    """Storing alone: a list already in memory into a fresh database (rows/s)."""
    from campaign.campaigns.create import create_campaign
    from campaign.contacts import load_contacts
    from campaign.engine.settings import RunSettings
    from campaign.store.db import open_db

    contacts = load_contacts(path)
    db = open_db(db_url)
    started = time.perf_counter()
    create_campaign(db, contacts, RunSettings(), now=datetime.now(UTC))
    seconds = time.perf_counter() - started
    db.dispose()
    print(json.dumps({"seconds": seconds, "rows": len(contacts)}))


def _memory(memory: list[float]) -> str:
    rss, pss, largest = memory
    return (
        f"memory {pss:,.0f} MiB PSS in all (RSS summed {rss:,.0f}, largest process {largest:,.0f})"
    )


# --- the parent ------------------------------------------------------------------------------


def postgres_url() -> tuple[str, object] | None:
    from tests.pg import cluster

    try:
        pg = cluster()
    except BaseException as exc:  # pytest.skip without PostgreSQL binaries
        print(f"PostgreSQL: not measured ({exc})")
        return None
    return pg.url(pg.create_database()), pg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, action="append", help="default: 400000 and 1000000")
    parser.add_argument("--postgres", action="store_true", help="also import + store on PostgreSQL")
    parser.add_argument("--repeat", type=int, default=1, help="best of N (a shared machine)")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="import + store only (memory as the list grows; one --rows N measures N/4, N/2, N)",
    )
    parser.add_argument(
        "--excel", action="store_true", help="read the list from an .xlsx of the same rows"
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, db = args.child
        {"import-store": child_import_store, "insert": child_insert}[kind](path, db)
        return
    from campaign.contacts import phonelib

    sizes = args.rows or [400_000, 1_000_000]
    if args.memory and len(sizes) == 1:  # memory as the list grows: a quarter, a half, all
        sizes = [sizes[0] // 4, sizes[0] // 2, sizes[0]]
    n_cores = cores()
    print(
        f"code: {ROOT}; phone library: {phonelib.describe()}; {n_cores} cores; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    pg = postgres_url() if args.postgres else None
    env = child_env()
    me = [sys.executable, str(Path(__file__).resolve())]
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            path = Path(folder) / f"contacts-{rows}.csv"
            generate(path, rows)
            sample, total = phone_sample(path, BOUND_SAMPLE)
            one_core = min(raw_bound(sample) for _ in range(args.repeat)) * total / len(sample)
            bound = one_core / n_cores
            if args.excel:
                path = path.with_suffix(".xlsx")
                write_xlsx(path.with_suffix(".csv"), path)
            print(
                f"\n{rows:,} rows ({path.name}, {path.stat().st_size / 1e6:.0f} MB): bound "
                f"{bound:.2f} s (phonenumbers {one_core:.1f} s on one core, / {n_cores})"
            )
            validate = [
                sys.executable,
                "-m",
                "campaign",
                "validate",
                str(path),
                "--db",
                str(Path(folder) / "none.db"),
            ]
            if not args.memory:
                runs = [
                    (*timed_child(validate, env), list(LAST_MEMORY)) for _ in range(args.repeat)
                ]
                wall, rss, _, cpu, memory = min(runs, key=lambda run: run[3])
                print(
                    f"  validate (CLI)         {wall:7.2f} s  {wall / bound:5.2f}x bound (target "
                    f"<= 0.70); CPU {cpu:.2f} s = {cpu / bound:.2f}x; {_memory(memory)}"
                )
                figures.append(("validate", rows, wall, cpu, bound, rss))
            targets = [
                ("SQLite", lambda n=rows: f"sqlite:///{folder}/store-{n}-{time.time_ns()}.db")
            ]
            if pg is not None:
                targets.append(("PostgreSQL", lambda: pg[0]))
            for name, url in targets:
                stats = []
                for _ in range(args.repeat):
                    _, rss, out, cpu = timed_child(
                        [*me, "--child", "import-store", str(path), url()], env
                    )
                    stats.append(
                        (json.loads(out.strip().splitlines()[-1]), rss, cpu, list(LAST_MEMORY))
                    )
                stat, rss, cpu, memory = min(stats, key=lambda s: s[2])
                total_s = stat["total"]
                print(
                    f"  import+store {name:<10}{total_s:7.2f} s  {total_s / bound:5.2f}x bound "
                    f"(target <= 1.00; read+check+store pass {stat['pass']:.2f} s, indexes "
                    f"+ commit {stat['finish']:.2f} s); CPU {cpu:.2f} s = {cpu / bound:.2f}x; "
                    f"{_memory(memory)}"
                )
                figures.append((f"import+store {name}", rows, total_s, cpu, bound, rss))
                if args.memory:
                    continue
                _, _, out, cpu = timed_child([*me, "--child", "insert", str(path), url()], env)
                insert = json.loads(out.strip().splitlines()[-1])
                print(
                    f"  storing alone {name:<9}{insert['seconds']:7.2f} s  "
                    f"{insert['rows'] / insert['seconds']:,.0f} rows/s"
                )
    memory_rows = [(rows, rss) for what, rows, _, _, _, rss in figures if what.startswith("import")]
    if args.memory and len(memory_rows) > 1:
        (small, low), (large, high) = memory_rows[0], memory_rows[-1]
        print(
            f"\nmemory as the list grows: {low:,.0f} MiB at {small:,} rows, {high:,.0f} MiB at "
            f"{large:,} rows ({(high / low - 1) * 100:+.0f} %; target <= 400 MiB, flat within "
            "~10 %)"
        )
    print("\nsummary (the machine may be shared: see the load above)")
    for what, rows, seconds, cpu, bound, rss in figures:
        print(
            f"  {what:<24} {rows:>9,} rows  wall {seconds:7.2f} s = {seconds / bound:5.2f}x "
            f"bound; CPU {cpu:7.2f} s = {cpu / bound:5.2f}x; {rss:6,.0f} MiB (PSS, all processes)"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
