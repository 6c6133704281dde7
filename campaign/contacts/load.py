"""load_contacts: a list file → a ContactList where every input row says what becomes of it.

Reading, column roles, normalizing, vars, the agent contract and deduplication are each
in their own module; this one runs them in order and assembles the frame. No network: the
agent, when there is a contract to check, is fetched by the caller and passed in.
"""

from __future__ import annotations

import time
import zoneinfo
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from campaign.contacts.bulk import normalize_column
from campaign.contacts.columns import ColumnRoles, detect_roles
from campaign.contacts.dedupe import find_duplicates
from campaign.contacts.headers import build_table
from campaign.contacts.model import ContactList
from campaign.contacts.options import ImportOptions
from campaign.contacts.read import read_grid
from campaign.contacts.regions import require_region, resolve_region
from campaign.contacts.source import ContactSource, read_source
from campaign.contacts.vars import (
    build_mapping,
    build_vars,
    contract_warnings,
    missing_var_reasons,
    parse_var_specs,
)
from campaign.voicy.models import Agent

_SHOWN_VALUES = 5


def load_contacts(
    source: ContactSource,
    options: ImportOptions | None = None,
    *,
    agent: Agent | None = None,
    filename: str | None = None,
    workers: int | None = None,
) -> ContactList:
    """Read, normalize, check and deduplicate a contact list; no row is ever dropped.

    `source` is a path, bytes or a binary file; `filename` names it in messages (and gives
    the extension for bytes). `agent` turns on the var-contract check. `workers` caps the
    processes used to normalize large lists (default: every core). Raises InputError with
    the fix when the file cannot be used at all.
    """
    options = options or ImportOptions()
    timings: dict[str, float] = {}
    started = clock = time.perf_counter()
    region = require_region(options.region)
    src = read_source(source, filename)
    grid = read_grid(src, options.sheet)
    table = build_table(src.name, grid, region)
    frame, columns, warnings = table.frame, table.columns, list(table.warnings)
    roles = detect_roles(frame, columns, options, src.name, region)
    mapping = build_mapping(columns, roles, parse_var_specs(options.vars, columns, src.name), agent)
    clock = _lap(timings, "reading", clock)

    regions = _row_regions(frame, roles, region, warnings)
    e164, reasons, row_warnings, region_codes = normalize_column(
        frame[roles.phone], regions, workers=workers
    )
    clock = _lap(timings, "normalizing", clock)

    ok = _is_none(reasons)
    from_numbers = _from_numbers(frame, roles, region, reasons, ok, workers)
    agent_ids = _optional_text(frame, roles.agent)
    timezones = _timezones(frame, roles, row_warnings, warnings)
    row_vars = build_vars(frame, mapping)
    if agent is not None:
        ok = _is_none(reasons)
        applies = ok & np.array([a is None or a == agent.agent_id for a in agent_ids], dtype=bool)
        contract = missing_var_reasons(row_vars, agent, applies)
        reasons = np.where(_is_none(contract), reasons, contract)
        warnings.extend(contract_warnings(mapping, agent))
    clock = _lap(timings, "vars", clock)

    ok = _is_none(reasons)
    duplicate, duplicate_of = find_duplicates(e164, ok, table.lines)
    status = np.full(len(frame), "invalid", dtype=object)
    status[ok] = "valid"
    status[duplicate] = "duplicate"
    for position in np.flatnonzero(duplicate):
        reasons[position] = f"same number as line {duplicate_of[position]}"
    _lap(timings, "deduplicating", clock)

    reserved: dict[str, Any] = {
        "_line": table.lines,
        "_e164": e164,
        "_status": status,
        "_reason": reasons,
        "_duplicate_of": duplicate_of,
        "_vars": _object_array(row_vars),
        "_from_number": from_numbers,
        "_agent_id": agent_ids,
        "_timezone": timezones,
        "_region": region_codes,
        "_warning": row_warnings,
    }
    for name, values in reserved.items():
        dtype = np.int64 if name == "_line" else object
        frame[name] = pd.Series(values, index=frame.index, dtype=dtype)
    timings["total"] = time.perf_counter() - started
    return ContactList(
        source_name=src.name,
        columns=columns,
        phone_column=roles.phone,
        phone_column_found_by=roles.phone_found_by,
        var_mapping=mapping,
        frame=frame,
        warnings=warnings,
        region=region,
        region_column=roles.region,
        from_column=roles.from_number,
        agent_column=roles.agent,
        timezone_column=roles.timezone,
        agent_id=agent.agent_id if agent is not None else None,
        encoding=grid.encoding,
        delimiter=grid.delimiter_name,
        sheet=grid.sheet,
        timings=timings,
    )


def _lap(timings: dict[str, float], phase: str, since: float) -> float:
    now = time.perf_counter()
    timings[phase] = now - since
    return now


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


def _row_regions(
    frame: pd.DataFrame, roles: ColumnRoles, default: str, warnings: list[str]
) -> str | np.ndarray:
    """The default region, or one per row from the region column (default where blank)."""
    if roles.region is None:
        return default
    codes, uniques = pd.factorize(frame[roles.region].astype(object), use_na_sentinel=False)
    resolved = [resolve_region(value) for value in uniques]
    unknown = [
        str(value)
        for value, code in zip(uniques, resolved, strict=True)
        if code is None and str(value).strip()
    ]
    if unknown:
        warnings.append(
            f"column {roles.region!r} has values that are not countries "
            f"({_shown(unknown)}): those rows were read as {default} numbers; use two-letter "
            "country codes such as US or GB"
        )
    per_value = np.array([code or default for code in resolved], dtype=object)
    return per_value[codes]


def _from_numbers(
    frame: pd.DataFrame,
    roles: ColumnRoles,
    region: str,
    reasons: np.ndarray,
    ok: np.ndarray,
    workers: int | None,
) -> np.ndarray:
    """Per-row caller numbers in E.164 (None = campaign default); a bad one rejects the row."""
    if roles.from_number is None:
        return np.full(len(frame), None, dtype=object)
    raw = frame[roles.from_number]
    blank = (raw.str.strip() == "").to_numpy(dtype=bool)
    e164, from_reasons, _, _ = normalize_column(raw, region, workers=workers)
    bad = ok & ~blank & ~_is_none(from_reasons)
    for position in np.flatnonzero(bad):
        reasons[position] = f"invalid {roles.from_number} ({from_reasons[position]})"
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
    frame: pd.DataFrame, roles: ColumnRoles, row_warnings: np.ndarray, warnings: list[str]
) -> np.ndarray:
    """Per-row IANA zone from the time zone column; an unknown name is a warning, not a guess."""
    values = _optional_text(frame, roles.timezone)
    if roles.timezone is None:
        return values
    zones = np.array([None if v is None else _zone(v) for v in values], dtype=object)
    bad = _is_none(zones) & ~_is_none(values)
    if bad.any():
        for position in np.flatnonzero(bad):
            note = "unknown time zone ignored"
            previous = row_warnings[position]
            row_warnings[position] = note if previous is None else f"{previous}; {note}"
        names = list(dict.fromkeys(str(v) for v in values[bad]))
        warnings.append(
            f"column {roles.timezone!r} has unknown time zones ({_shown(names)}): use IANA "
            "names such as America/New_York; those rows use the number's time zone"
        )
    return zones


def _shown(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN_VALUES])
    return shown + (
        f" and {len(values) - _SHOWN_VALUES} more" if len(values) > _SHOWN_VALUES else ""
    )
