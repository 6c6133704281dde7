"""A big campaign's results CSV written in parts by several processes, joined in order.

The table's cost is per row (the query, the recipient's zone, the csv module), so a list of
`PARALLEL_ROWS` or more is cut at contact positions into one part per core. This process
writes the header and the first part straight into the file while a worker process writes
each other part into a temporary file beside it; the parts are appended in order. The bytes
are those one process writes (a test holds them equal).

Every part reads the same store: on PostgreSQL the workers take this process's snapshot
(`pg_export_snapshot`, `SET TRANSACTION SNAPSHOT`). SQLite cannot share a snapshot, so
each part reads the store as it is when that part starts, a fraction of a second apart:
every row is whole, but a campaign still running may have moved on between parts.

Workers are spawned clean, so no connection of this process crosses into them. A part
whose worker could not run is written here instead.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import re
import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from campaign.outcomes.files import atomic_path
from campaign.outcomes.stream import Variables, stream_results
from campaign.store.db import Database, open_db
from campaign.store.models import Campaign, Contact

#: Contacts per part at least: below that, starting a process costs more than it saves.
PARALLEL_ROWS = 100_000
#: The mark Excel needs to read UTF-8.
BOM = "\ufeff"
_BUFFER = 1 << 20
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")

Positions = tuple[int | None, int | None]


@dataclass(frozen=True)
class PartJob:
    """One part for a worker: which contacts, read how, written where."""

    url: str
    campaign_id: int
    variables: Variables
    positions: Positions
    only: frozenset[str]
    path: str
    snapshot: str | None


def write_results_csv(
    database: Database,
    session: Session,
    campaign: Campaign,
    target: Path,
    *,
    only: frozenset[str] = frozenset(),
    excel: bool = False,
    workers: int | None = None,
    min_rows: int = PARALLEL_ROWS,
) -> tuple[int, int]:
    """The results table of `campaign` as CSV at `target` (whole or not at all), in parts
    over `workers` processes (default: the machine's cores) when the list is big enough.
    Returns (rows, columns)."""
    variables = Variables.read(session, campaign)
    cores = _cores() if workers is None else max(1, workers)
    parts = plan_parts(session, campaign.id, cores, min_rows) if _shareable(database) else []
    if len(parts) <= 1:
        stream = stream_results(session, campaign, only=only, variables=variables)
        return write_csv_rows(stream.headers, stream.chunks, target, excel=excel), len(
            stream.headers
        )
    with ExitStack() as stack:  # left in reverse: the file is moved into place last
        temporary = stack.enter_context(atomic_path(target))
        reader = stack.enter_context(database.read_session())
        stack.enter_context(reader.begin())
        snapshot = _export_snapshot(reader) if database.dialect == "postgresql" else None
        jobs = [
            PartJob(database.url, campaign.id, variables, positions, only, path, snapshot)
            for positions, path in zip(
                parts[1:], _part_paths(stack, temporary.parent), strict=False
            )
        ]
        pool = stack.enter_context(
            ProcessPoolExecutor(len(jobs), mp_context=multiprocessing.get_context("spawn"))
        )
        futures = [pool.submit(write_part, job) for job in jobs]
        stream = stream_results(
            reader, campaign, only=only, variables=variables, positions=parts[0]
        )
        handle = stack.enter_context(_open(temporary))
        if excel:
            handle.write(BOM)
        csv.writer(handle, lineterminator="\n").writerow(stream.headers)
        count = write_rows(stream.chunks, handle)
        for job, future in zip(jobs, futures, strict=True):
            count += append_part(handle, job, future, reader, campaign)
        return count, len(stream.headers)


def plan_parts(session: Session, campaign_id: int, cores: int, min_rows: int) -> list[Positions]:
    """The list cut into at most `cores` parts of at least `min_rows` contacts each, as
    (from, before) positions; one part `(None, None)` when it is not worth cutting."""
    contacts = Contact.campaign_id == campaign_id
    total = int(session.scalar(select(func.count()).where(contacts)) or 0)
    count = max(1, min(cores, total // max(1, min_rows)))
    if count == 1:
        return [(None, None)]
    cuts: list[int | None] = [None]
    for index in range(1, count):
        cut = session.scalar(
            select(Contact.position)
            .where(contacts)
            .order_by(Contact.position)
            .offset(total * index // count)
            .limit(1)
        )
        cuts.append(int(cut) if cut is not None else None)
    cuts.append(None)
    return list(pairwise(cuts))


def write_part(job: PartJob) -> int:
    """A worker's part: its rows as CSV (no header) at `job.path`; how many."""
    database = open_db(job.url, migrate=False)
    try:
        with database.read_session() as session, session.begin():
            if job.snapshot is not None:
                if not _SNAPSHOT_ID.fullmatch(job.snapshot):
                    raise ValueError(f"not a PostgreSQL snapshot id: {job.snapshot!r}")
                session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
                session.execute(text(f"SET TRANSACTION SNAPSHOT '{job.snapshot}'"))
            campaign = session.get(Campaign, job.campaign_id)
            if campaign is None:
                raise LookupError(f"campaign {job.campaign_id} is gone")
            stream = stream_results(
                session, campaign, only=job.only, variables=job.variables, positions=job.positions
            )
            with _open(Path(job.path)) as handle:
                return write_rows(stream.chunks, handle)
    finally:
        database.dispose()


def write_csv_rows(
    headers: list[str],
    chunks: Iterable[list[list[Any]]],
    target: str | os.PathLike[str] | IO[str],
    *,
    excel: bool = False,
) -> int:
    """`headers` and the rows of `chunks` as UTF-8 CSV (the csv module, as pandas writes it:
    minimal quoting, `\\n` line ends, None as an empty cell); returns the rows written."""
    if not isinstance(target, str | os.PathLike):
        csv.writer(target, lineterminator="\n").writerow(headers)
        return write_rows(chunks, target)
    # The mark written once, then plain UTF-8 (the utf-8-sig codec costs on every write).
    with atomic_path(Path(target)) as temporary, _open(temporary) as handle:
        if excel:
            handle.write(BOM)
        csv.writer(handle, lineterminator="\n").writerow(headers)
        return write_rows(chunks, handle)


def write_rows(chunks: Iterable[list[list[Any]]], handle: IO[str]) -> int:
    """The rows of `chunks` as CSV lines; how many."""
    writer = csv.writer(handle, lineterminator="\n")
    count = 0
    for rows in chunks:
        writer.writerows(rows)
        count += len(rows)
    return count


def append_part(
    handle: IO[str], job: PartJob, future: Future[int], reader: Session, campaign: Campaign
) -> int:
    """A worker's part copied in after the ones before it (written here if it failed)."""
    try:
        count = future.result()
    except Exception:
        stream = stream_results(
            reader, campaign, only=job.only, variables=job.variables, positions=job.positions
        )
        return write_rows(stream.chunks, handle)
    with open(job.path, encoding="utf-8", newline="") as part:
        while block := part.read(_BUFFER):
            handle.write(block)
    return count


def _part_paths(stack: ExitStack, folder: Path) -> Iterable[str]:
    """Temporary files beside the target, removed on the way out."""
    while True:
        handle, name = tempfile.mkstemp(prefix=".results-part-", suffix=".csv", dir=folder)
        os.close(handle)
        stack.callback(Path(name).unlink, missing_ok=True)
        yield name


def _export_snapshot(session: Session) -> str:
    session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    return str(session.scalar(text("SELECT pg_export_snapshot()")))


def _shareable(database: Database) -> bool:
    """Whether another process can open the same store (not an in-memory SQLite)."""
    url = make_url(database.url)
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def _open(path: Path) -> IO[str]:
    return open(path, "w", encoding="utf-8", newline="", buffering=_BUFFER)
