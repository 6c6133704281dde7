"""One chunk of a list's rows → a ContactList of those rows, knowing the chunks before it.

Normalizing, per-row options, vars, the agent contract and deduplication run here, in that
order, in two steps: `prepare_chunk` needs nothing but the chunk (a worker process can do it,
see pool.py) and `finish_chunk` the chunks before it. `ChunkState` carries across chunks what
must be: the numbers seen (for duplicates), the odd values met (for one warning per kind at
the end), and the time spent per phase.
"""

from __future__ import annotations

import time
import zoneinfo
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from campaign.contacts.bulk import normalize_column
from campaign.contacts.dedupe import SeenNumbers, e164_keys, find_duplicates
from campaign.contacts.fingerprint import fingerprint_order, row_hashes
from campaign.contacts.headers import Table
from campaign.contacts.model import ContactList
from campaign.contacts.plan import ListPlan
from campaign.contacts.regions import resolve_region
from campaign.contacts.rowjson import json_objects
from campaign.contacts.rowvars import stripped_columns, vars_from_stripped
from campaign.contacts.vars import missing_var_reasons, vars_hashes

_SHOWN_VALUES = 5
PHASES = ("reading", "normalizing", "vars", "deduplicating")


@dataclass
class ChunkState:
    seen: SeenNumbers = field(default_factory=SeenNumbers)
    #: Region column values that are not countries, and unknown time zones, in order met.
    unknown_regions: dict[str, None] = field(default_factory=dict)
    unknown_zones: dict[str, None] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))

    def lap(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[phase] += now - since
        return now

    def warnings(self, plan: ListPlan) -> list[str]:
        """The warnings about values met in every chunk, once the list was read."""
        out = []
        if self.unknown_regions:
            out.append(
                f"column {plan.roles.region!r} has values that are not countries "
                f"({_shown(list(self.unknown_regions))}): those rows were read as "
                f"{plan.region.code} numbers; use two-letter country codes such as US or GB"
            )
        if self.unknown_zones:
            out.append(
                f"column {plan.roles.timezone!r} has unknown time zones "
                f"({_shown(list(self.unknown_zones))}): use IANA names such as "
                "America/New_York; those rows use the number's time zone"
            )
        return out


@dataclass
class PreparedChunk:
    """What a chunk's rows give on their own, before duplicates across chunks are known:
    picklable, so a worker process can compute it (pool.py) and the parent finish it."""

    e164: np.ndarray
    reasons: np.ndarray
    row_warnings: np.ndarray
    region_codes: np.ndarray
    from_numbers: np.ndarray
    agent_ids: np.ndarray
    timezones: np.ndarray
    #: Each row's vars (dicts); None when the chunk was prepared without them (`with_vars`).
    row_vars: np.ndarray | None
    #: A hash of each row's vars, the same in every process (duplicates with other values).
    var_hashes: np.ndarray
    unknown_regions: list[str]
    unknown_zones: list[str]
    timings: dict[str, float]
    #: Each row's E.164 as an int64 (0 without one), for the duplicates across chunks.
    keys: np.ndarray | None = None
    #: Each row's fingerprint hash (fingerprint.row_hashes; meaningful for valid rows).
    fingerprint_hashes: np.ndarray | None = None
    #: The JSON text the store keeps of each row (with_json): its cells and its vars.
    raw_json: np.ndarray | None = None
    vars_json: np.ndarray | None = None


def process_chunk(
    plan: ListPlan, table: Table, state: ChunkState, *, workers: int | None = None
) -> ContactList:
    """prepare_chunk then finish_chunk, in this process."""
    return finish_chunk(plan, table, prepare_chunk(plan, table.frame, workers=workers), state)


def prepare_chunk(
    plan: ListPlan, frame: pd.DataFrame, *, workers: int | None = None, with_json: bool = False,
    with_vars: bool = True,
) -> PreparedChunk:  # fmt: skip
    """Normalizing, per-row options, vars and the agent contract of one chunk's rows (and
    `with_json`: the JSON text the store keeps of each row). Without `with_vars` the rows'
    vars dicts are not made (nor sent from a worker): a pass that only checks the list, or
    stores their JSON text, has no use for them, and `ContactList.row_vars` makes them from
    the cells if asked (a tenth of a worker's time on a 5-column list)."""
    clock = time.perf_counter()
    timings = dict.fromkeys(PHASES, 0.0)
    roles = plan.roles
    unknown_regions: dict[str, None] = {}
    regions = _row_regions(frame, plan, unknown_regions)
    e164, reasons, row_warnings, region_codes = normalize_column(
        frame[roles.phone], regions, workers=workers
    )
    now = time.perf_counter()
    timings["normalizing"] += now - clock
    clock = now

    ok = _is_none(reasons)
    from_numbers = _from_numbers(frame, plan, reasons, ok, workers)
    agent_ids = _optional_text(frame, roles.agent)
    unknown_zones: dict[str, None] = {}
    timezones = _timezones(frame, plan, row_warnings, unknown_zones)
    stripped = stripped_columns(frame, plan.mapping)
    agent = plan.agent
    row_vars = (
        vars_from_stripped(plan.mapping, stripped, len(frame))
        if with_vars or agent is not None  # the contract looks at each row's vars
        else None
    )
    if agent is not None:
        assert row_vars is not None
        ok = _is_none(reasons)
        applies = ok & np.array([a is None or a == agent.agent_id for a in agent_ids], dtype=bool)
        contract = missing_var_reasons(row_vars, agent, applies)
        reasons = np.where(_is_none(contract), reasons, contract)
    hashes = vars_hashes(stripped, len(frame))
    dialable = ~_is_none(e164)
    keys = np.zeros(len(frame), dtype=np.int64)
    keys[dialable] = e164_keys(e164[dialable])
    order = fingerprint_order(plan.mapping)
    fingerprint_hashes = row_hashes(
        np.where(dialable, e164, ""), [stripped[position] for position in order]
    )
    raw_json = vars_json = None
    if with_json:
        columns = plan.columns
        raw_json = json_objects(columns, [frame[c].to_numpy(dtype=object) for c in columns])
        vars_json = json_objects(list(plan.mapping.values()), stripped, omit_empty=True)
    timings["vars"] += time.perf_counter() - clock
    return PreparedChunk(
        e164=e164,
        reasons=reasons,
        row_warnings=row_warnings,
        region_codes=region_codes,
        from_numbers=from_numbers,
        agent_ids=agent_ids,
        timezones=timezones,
        row_vars=_object_array(row_vars) if row_vars is not None and with_vars else None,
        var_hashes=hashes,
        unknown_regions=list(unknown_regions),
        unknown_zones=list(unknown_zones),
        timings=timings,
        keys=keys,
        fingerprint_hashes=fingerprint_hashes,
        raw_json=raw_json,
        vars_json=vars_json,
    )


def finish_chunk(
    plan: ListPlan, table: Table, prepared: PreparedChunk, state: ChunkState
) -> ContactList:
    """Duplicates against the chunks before, each row's status, and the chunk as a list."""
    clock = time.perf_counter()
    for phase, seconds in prepared.timings.items():
        state.timings[phase] += seconds
    for value in prepared.unknown_regions:
        state.unknown_regions.setdefault(value, None)
    for value in prepared.unknown_zones:
        state.unknown_zones.setdefault(value, None)
    frame, roles, region, agent = table.frame, plan.roles, plan.region.code, plan.agent
    e164, reasons = prepared.e164, prepared.reasons
    ok = _is_none(reasons)
    duplicate, duplicate_of, differs = find_duplicates(
        e164, ok, table.lines, prepared.var_hashes, state.seen, keys=prepared.keys
    )
    status = np.full(len(frame), "invalid", dtype=object)
    status[ok] = "valid"
    status[duplicate] = "duplicate"
    for position in np.flatnonzero(duplicate):
        first = duplicate_of[position]
        reasons[position] = (
            f"same number as line {first} with different values: only line {first}'s are sent"
            if differs[position]
            else f"same number as line {first}"
        )
    state.lap("deduplicating", clock)

    reserved: dict[str, Any] = {
        "_line": table.lines,
        "_e164": e164,
        "_status": status,
        "_reason": reasons,
        "_duplicate_of": duplicate_of,
        "_vars": prepared.row_vars
        if prepared.row_vars is not None
        else np.full(len(frame), None, dtype=object),
        "_from_number": prepared.from_numbers,
        "_agent_id": prepared.agent_ids,
        "_timezone": prepared.timezones,
        "_region": prepared.region_codes,
        "_warning": prepared.row_warnings,
    }
    for name, values in reserved.items():
        dtype = np.int64 if name == "_line" else object
        frame[name] = pd.Series(values, index=frame.index, dtype=dtype)
    return ContactList(
        source_name=plan.source.name,
        columns=plan.columns,
        phone_column=roles.phone,
        phone_column_found_by=roles.phone_found_by,
        var_mapping=plan.mapping,
        frame=frame,
        warnings=[],
        region=region,
        region_source=plan.region.source,
        region_reason=plan.region.reason,
        region_column=roles.region,
        from_column=roles.from_number,
        agent_column=roles.agent,
        timezone_column=roles.timezone,
        agent_id=agent.agent_id if agent is not None else None,
        encoding=plan.encoding,
        delimiter=plan.delimiter_name,
        sheet=plan.sheet,
        raw_json=prepared.raw_json,
        vars_json=prepared.vars_json,
        vars_made=prepared.row_vars is not None,
    )


def _is_none(values: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(values), dtype=bool)


def _blanked(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A copy of `values` (object array) with None where `mask` is set."""
    out = np.array(values, dtype=object)
    out[mask] = None
    return out


def _object_array(values: list[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _row_regions(frame: pd.DataFrame, plan: ListPlan, unknown: dict[str, None]) -> str | np.ndarray:
    """The default region, or one per row from the region column (default where blank)."""
    default = plan.region.code
    column = plan.roles.region
    if column is None:
        return default
    codes, uniques = pd.factorize(frame[column].astype(object), use_na_sentinel=False)
    resolved = [resolve_region(value) for value in uniques]
    for value, code in zip(uniques, resolved, strict=True):
        if code is None and str(value).strip():
            unknown.setdefault(str(value), None)
    per_value = np.array([code or default for code in resolved], dtype=object)
    return per_value[codes]


def _from_numbers(
    frame: pd.DataFrame,
    plan: ListPlan,
    reasons: np.ndarray,
    ok: np.ndarray,
    workers: int | None,
) -> np.ndarray:
    """Per-row caller numbers in E.164 (None = campaign default); a bad one rejects the row."""
    column = plan.roles.from_number
    if column is None:
        return np.full(len(frame), None, dtype=object)
    raw = frame[column]
    blank = (raw.str.strip() == "").to_numpy(dtype=bool)
    e164, from_reasons, _, _ = normalize_column(raw, plan.region.code, workers=workers)
    bad = ok & ~blank & ~_is_none(from_reasons)
    for position in np.flatnonzero(bad):
        reasons[position] = f"invalid {column} ({from_reasons[position]})"
    return _blanked(e164, blank)


def _optional_text(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None:
        return np.full(len(frame), None, dtype=object)
    values = frame[column].str.strip().to_numpy(dtype=object)
    return _blanked(values, values == "")


@cache
def _zone(name: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _timezones(
    frame: pd.DataFrame, plan: ListPlan, row_warnings: np.ndarray, unknown: dict[str, None]
) -> np.ndarray:
    """Per-row IANA zone from the time zone column; an unknown name is a warning, not a guess."""
    values = _optional_text(frame, plan.roles.timezone)
    if plan.roles.timezone is None:
        return values
    zones = np.array([None if v is None else _zone(v) for v in values], dtype=object)
    bad = _is_none(zones) & ~_is_none(values)
    if bad.any():
        for position in np.flatnonzero(bad):
            note = "unknown time zone ignored"
            previous = row_warnings[position]
            row_warnings[position] = note if previous is None else f"{previous}; {note}"
        for value in values[bad]:
            unknown.setdefault(str(value), None)
    return zones


def _shown(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN_VALUES])
    return shown + (
        f" and {len(values) - _SHOWN_VALUES} more" if len(values) > _SHOWN_VALUES else ""
    )
