"""A contact list read chunk by chunk: memory stays flat however long the list is.

`open_contacts` decides once how to read the file (plan.py), then every pass over
`chunks()` reads it again from the start, a chunk of rows at a time (prepared on every core
by pool.py for a long list), each chunk a small
ContactList whose rows know their file lines and their duplicates in earlier chunks. A full
pass also leaves behind the facts of the whole list: counts, fingerprint and warnings, so
`run` reads a list twice at most (check, then store) and `validate` once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

import pandas as pd

from campaign.contacts.chunk import PHASES, ChunkState, PreparedChunk, finish_chunk
from campaign.contacts.fingerprint import Fingerprint
from campaign.contacts.headers import Table
from campaign.contacts.heap import release
from campaign.contacts.model import ContactCounts, ContactList, ContactRow, ContactStatus
from campaign.contacts.plan import ListPlan
from campaign.contacts.pool import prepared_chunks
from campaign.contacts.spill import PreparedSpill

#: Rows per chunk for a streamed list: big enough for numpy to pay off, small enough that
#: a chunk's Python objects stay well under 100 MiB.
DEFAULT_CHUNK_ROWS = 10_000


@dataclass
class _Facts:
    counts: ContactCounts
    fingerprint: str
    warnings: list[str]
    timings: dict[str, float]


class ContactStream:
    """The list's decisions (columns, vars, region) at once; its rows by passes over chunks."""

    def __init__(
        self, plan: ListPlan, *, chunk_rows: int | None = DEFAULT_CHUNK_ROWS,
        workers: int | None = None, keep_prepared: bool = False, with_json: bool = False,
        with_vars: bool = True,
    ) -> None:  # fmt: skip
        self.plan = plan
        self.chunk_rows = chunk_rows
        self.workers = workers
        #: Keep the first full pass's prepared chunks (spill.py) for the passes after it.
        self.keep_prepared = keep_prepared
        #: The rows will be stored: their JSON text is made with them (by the workers).
        self.with_json = with_json or keep_prepared
        #: The rows' vars dicts are made as the chunks are prepared (load.open_contacts).
        self.with_vars = with_vars
        self._spill: PreparedSpill | None = None
        self._facts: _Facts | None = None
        roles = plan.roles
        self.source_name = plan.source.name
        self.columns = plan.columns
        self.phone_column = roles.phone
        self.phone_column_found_by = roles.phone_found_by
        self.var_mapping = plan.mapping
        self.region = plan.region.code
        self.region_source = plan.region.source
        self.region_reason = plan.region.reason
        self.region_column = roles.region
        self.from_column = roles.from_number
        self.agent_column = roles.agent
        self.timezone_column = roles.timezone
        self.agent_id = plan.agent.agent_id if plan.agent is not None else None
        self.encoding = plan.encoding
        self.delimiter = plan.delimiter_name
        self.sheet = plan.sheet

    def chunks(self) -> Iterator[ContactList]:
        """Every row, in file order, a chunk at a time (reads the file from the start)."""
        state = ChunkState()
        fingerprint = Fingerprint(self.plan.mapping)
        totals = dict.fromkeys(("total", "valid", "invalid", "duplicate"), 0)
        started = time.perf_counter()
        spill = self._spill
        recording: PreparedSpill | None = None
        tables: Iterator[tuple[Table, PreparedChunk]]
        if spill is not None:  # a full pass before: its prepared chunks, not the work again
            tables = zip(self._tables(state), spill.replay(), strict=True)
        else:
            tables = prepared_chunks(
                self.plan, self._tables(state), workers=self.workers, chunk_rows=self.chunk_rows,
                with_json=self.with_json, with_vars=self.with_vars,
            )  # fmt: skip
            recording = PreparedSpill() if self.keep_prepared else None
        known = self._facts is not None  # a later pass: the list's facts are not redone
        for table, prepared in tables:
            if recording is not None:
                recording.add(prepared)  # before finish_chunk, which fills in its reasons
            chunk = finish_chunk(self.plan, table, prepared, state)
            chunk.first_position = totals["total"]
            counts = chunk.counts
            if not known:
                self._add_fingerprint(fingerprint, chunk, prepared)
            for key, value in counts.as_dict().items():
                totals[key] += value
            yield chunk
            del chunk, table, prepared
            release()
        if recording is not None:
            recording.finish()
            self._spill = recording
        if known:
            return
        timings = dict(state.timings)
        timings["total"] = time.perf_counter() - started
        self._facts = _Facts(
            ContactCounts(**totals),
            fingerprint.hexdigest(),
            [*self.plan.warnings, *state.warnings(self.plan)],
            timings,
        )

    @staticmethod
    def _add_fingerprint(
        fingerprint: Fingerprint, chunk: ContactList, prepared: PreparedChunk
    ) -> None:
        if prepared.fingerprint_hashes is None:  # a spill written by an older version
            fingerprint.add(chunk)
            return
        valid = (chunk.frame["_status"] == "valid").to_numpy(dtype=bool)
        fingerprint.add_hashes(prepared.fingerprint_hashes[valid])

    def _tables(self, state: ChunkState) -> Iterator[Table]:
        """The data rows of each chunk of the file (blank chunks left out)."""
        clock = time.perf_counter()
        with closing(self.plan.grids(self.chunk_rows)) as grids:  # closed by a pass that stops
            for grid in grids:
                table = self.plan.layout.table(grid)
                state.lap("reading", clock)
                if len(table.frame):
                    yield table
                clock = time.perf_counter()

    def _known(self) -> _Facts:
        if self._facts is None:
            for _ in self.chunks():
                pass
        assert self._facts is not None
        return self._facts

    @property
    def counts(self) -> ContactCounts:
        return self._known().counts

    @property
    def known_counts(self) -> ContactCounts | None:
        """The counts if a full pass has run, else None (never reads the list)."""
        return self._facts.counts if self._facts is not None else None

    @property
    def fingerprint(self) -> str:
        return self._known().fingerprint

    @property
    def warnings(self) -> list[str]:
        return self._known().warnings

    @property
    def timings(self) -> dict[str, float]:
        return self._known().timings

    def rows(self, status: ContactStatus | None = None) -> Iterator[ContactRow]:
        for chunk in self.chunks():
            yield from chunk.rows(status)

    def collect(self) -> ContactList:
        """The whole list as one ContactList (memory grows with the list)."""
        parts = list(self.chunks())
        facts = self._known()
        if not parts:  # plan_layout refuses a list without data rows
            raise AssertionError("a planned list has at least one data row")
        base = parts[0]
        frame = (
            base.frame
            if len(parts) == 1
            else pd.concat([part.frame for part in parts], ignore_index=True)
        )
        return ContactList(
            source_name=base.source_name,
            columns=base.columns,
            phone_column=base.phone_column,
            phone_column_found_by=base.phone_column_found_by,
            var_mapping=base.var_mapping,
            frame=frame,
            warnings=list(facts.warnings),
            region=base.region,
            region_source=base.region_source,
            region_reason=base.region_reason,
            region_column=base.region_column,
            from_column=base.from_column,
            agent_column=base.agent_column,
            timezone_column=base.timezone_column,
            agent_id=base.agent_id,
            encoding=base.encoding,
            delimiter=base.delimiter,
            sheet=base.sheet,
            timings={phase: facts.timings[phase] for phase in (*PHASES, "total")},
            vars_made=all(part.vars_made for part in parts),
        )
