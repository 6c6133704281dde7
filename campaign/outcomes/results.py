"""The results table: one row per input row, or one row per placed call.

This is the data `export` writes and `campaign.results()` returns. A results row holds every
original column under its original header with its original text, then what happened:

    to_number, outcome, call_status, attempts, call_id, started_at, ended_at, duration_s,
    summary, error, duplicate_of, duplicate_of_outcome, wait_reason, wait_detail,
    next_call_at,
    extracted.<name>..., collected.<name>...

With a `--goal`, `goal_reached` follows `outcome`: `true`, `false`, or blank when the
person was never reached. An extracted callback time is kept as said
(`extracted.<callback var>`), parseable or not.

A row not final yet says why it waits (`wait_reason`: redial, window, scheduled,
recently_called, daily_cap), in words where the rule said more (`wait_detail`: `holiday (Yom
Kippur)`, `closed day (Saturday)`), and when its next call may be (`next_call_at`).

Rejected and duplicate rows stay in, in input order, so the table joins back to the source.
A duplicate row's outcome is `duplicate`, as in the report and status (it was not called
itself); alongside it are the line it duplicates (`duplicate_of`), that row's outcome
(`duplicate_of_outcome`) and that row's call details (the same person's result). Call
details come from the contact's last placed call. A generated column whose name an input
column already uses is prefixed `campaign.` (a re-imported export).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from campaign.calls.vocab import Outcome

# The table's vocabulary lives in campaign.outcomes.columns (no pandas: the streamed
# export needs it without loading pandas); re-exported here, where readers look for it.
from campaign.outcomes.columns import (
    CALL_COLUMNS,
    COLLECTED,
    DUPLICATE,
    EXTRACTED,
    GOAL_COLUMN,
    LOCAL_CALL_COLUMNS,
    LOCAL_RESULT_COLUMNS,
    LOCAL_ZONE,
    OUTCOMES,
    PENDING,
    RESULT_COLUMNS,
    TEXT_COLUMNS,
    parse_only,
    variable_text,
)
from campaign.outcomes.frames import CampaignRows
from campaign.outcomes.recipients import recipient_zone

__all__ = [
    "CALL_COLUMNS",
    "COLLECTED",
    "DUPLICATE",
    "EXTRACTED",
    "GOAL_COLUMN",
    "LOCAL_CALL_COLUMNS",
    "LOCAL_RESULT_COLUMNS",
    "LOCAL_ZONE",
    "OUTCOMES",
    "PENDING",
    "RESULT_COLUMNS",
    "TEXT_COLUMNS",
    "attempts_frame",
    "parse_only",
    "results_frame",
    "transcript_text",
    "variable_text",
]

# Columns a duplicate row takes from the row it duplicates (its own outcome stays
# `duplicate`; the other row's goes to `duplicate_of_outcome`).
_CARRIED = (
    "duplicate_of_outcome",
    "call_status",
    "attempts",
    "call_id",
    "started_at",
    "ended_at",
    "duration_s",
    "summary",
    LOCAL_ZONE,
)


def results_frame(rows: CampaignRows, *, only: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per input row, in input order (see the module doc for the columns)."""
    contacts = rows.contacts.reset_index(drop=True)
    last = _last_calls(rows.attempts)
    by_contact = last.reindex(contacts["id"]).reset_index(drop=True)
    pending = contacts["outcome"].isna()
    table = pd.DataFrame(
        {
            "to_number": contacts["to_number"].astype(object),
            "outcome": contacts["outcome"].fillna(PENDING).astype(object),
            "call_status": contacts["last_status"].fillna(by_contact["voicy_status"]),
            "attempts": contacts["attempts"].astype("int64"),
            "call_id": by_contact["call_id"].fillna(contacts["last_call_id"]),
            "started_at": by_contact["started_at"],
            "ended_at": by_contact["ended_at"],
            "duration_s": by_contact["duration_ms"] / 1000.0,
            "summary": by_contact["summary"],
            "error": _errors(contacts, by_contact),
            "duplicate_of": contacts["duplicate_of_line"].astype("Int64"),
            # Filled from the primary row for duplicates, below; empty for the others.
            "duplicate_of_outcome": contacts["outcome"].fillna(PENDING).astype(object),
            "wait_reason": contacts["wait_reason"].where(pending, None),
            "wait_detail": contacts["wait_detail"].where(pending, None),
            "next_call_at": contacts["next_attempt_at"].where(pending, pd.NaT),
            LOCAL_ZONE: _zones(contacts),
        }
    )
    variables = _variables(by_contact)
    table = pd.concat([table, variables], axis=1)
    table = _carry_primary(contacts, table, [*_CARRIED, *variables.columns])
    has_primary = contacts["duplicate_of_line"].notna()
    table["duplicate_of_outcome"] = table["duplicate_of_outcome"].where(has_primary, None)
    local = _local_times(table, table.pop(LOCAL_ZONE), ("started_at", "ended_at"))
    base = [name for name in RESULT_COLUMNS if name not in LOCAL_RESULT_COLUMNS]
    table = pd.concat([table[base], local, table.drop(columns=base)], axis=1)
    if rows.campaign.settings.get("goal"):
        table.insert(2, GOAL_COLUMN, _goal_reached(contacts, rows.attempts))
    if only:
        table = table[_outcome_mask(table, parse_only(only))]
    return _with_originals(rows, contacts.loc[table.index], table.reset_index(drop=True))


def _goal_reached(contacts: pd.DataFrame, attempts: pd.DataFrame) -> pd.Series:
    """`true` / `false` for each contact reached at least once, blank when never connected."""
    reached_once = set(attempts.loc[attempts["category"] == "connected", "contact_id"])
    connected = contacts["id"].isin(reached_once) | contacts["outcome"].isin(
        [Outcome.GOAL_REACHED.value, Outcome.NO_GOAL.value]
    )
    goal = contacts["outcome"] == Outcome.GOAL_REACHED.value
    values = goal.map({True: "true", False: "false"}).astype(object)
    return values.where(connected, None)


def attempts_frame(rows: CampaignRows, *, only: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per placed call, in input order then attempt number.

    `outcome` is the contact's final outcome, so `only` picks the calls of those contacts.
    """
    calls = rows.attempts.reset_index(drop=True)
    contacts = rows.contacts.set_index("id", drop=False)
    owner = contacts.reindex(calls["contact_id"]).reset_index(drop=True)
    transcript = calls["transcript"].map(transcript_text) if "transcript" in calls else None
    table = pd.DataFrame(
        {
            "line": owner["line"].astype("Int64"),
            "attempt": calls["number"].astype("Int64"),
            "outcome": owner["outcome"].fillna(PENDING).astype(object),
            "call_status": calls["voicy_status"],
            "category": calls["category"],
            "call_id": calls["call_id"],
            "from_number": calls["from_number"],
            "to_number": calls["to_number"],
            "requested_at": calls["requested_at"],
            "started_at": calls["started_at"],
            "ended_at": calls["ended_at"],
            "duration_s": calls["duration_ms"] / 1000.0,
            "cost": calls["cost"],
            "currency": calls["currency"],
            "summary": calls["summary"],
            "error": calls["error"],
        }
    )
    local = _local_times(table, _zones(owner), ("requested_at", "started_at", "ended_at"))
    table = pd.concat([table, local], axis=1)
    table["transcript"] = transcript
    table = pd.concat([table, _variables(calls)], axis=1)
    if only:
        table = table[_outcome_mask(table, parse_only(only))]
    return _with_originals(rows, owner.loc[table.index], table.reset_index(drop=True))


def transcript_text(transcript: Any) -> str | None:
    """A transcript as `role: words` lines (the older API gives it as one text already).

    A call without a transcript (failed calls, details not fetched) reads from the store as
    None or, through pandas, NaN: both give None.
    """
    if isinstance(transcript, str):
        return transcript
    if not isinstance(transcript, list | tuple):
        return None
    lines = []
    for turn in transcript:
        if isinstance(turn, dict):
            content = turn.get("content")
            if content:
                lines.append(f"{turn.get('role') or '?'}: {content}")
        elif turn:
            lines.append(str(turn))
    return "\n".join(lines)


def _zones(contacts: pd.DataFrame) -> pd.Series:
    """Each contact's zone for local times (see `campaign.outcomes.recipients`)."""
    return pd.Series(
        [
            recipient_zone(
                number if isinstance(number, str) else None, zone if isinstance(zone, str) else None
            )
            for number, zone in zip(contacts["to_number"], contacts["timezone"], strict=True)
        ],
        index=contacts.index,
        dtype=object,
    )


def _local_times(table: pd.DataFrame, zones: pd.Series, columns: tuple[str, ...]) -> pd.DataFrame:
    """`<column>_local` for each of `columns`: the recipient's local time in `zones`, without
    a zone (a spreadsheet reads it as a date), and the zone in `local_timezone`."""
    zones = zones.set_axis(table.index)
    local = pd.DataFrame({LOCAL_ZONE: zones}, index=table.index)
    for column in columns:
        values = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
        times = table[column]
        for zone, rows in zones.groupby(zones).groups.items():
            converted = pd.to_datetime(times.loc[rows], utc=True).dt.tz_convert(str(zone))
            values.loc[rows] = converted.dt.tz_localize(None).to_numpy()
        local[f"{column}_local"] = values
    return local


def _last_calls(attempts: pd.DataFrame) -> pd.DataFrame:
    """The last placed call of each contact, indexed by contact id."""
    ordered = attempts.sort_values(["contact_id", "number", "id"], kind="stable")
    return ordered.drop_duplicates("contact_id", keep="last").set_index("contact_id")


def _errors(contacts: pd.DataFrame, last: pd.DataFrame) -> pd.Series:
    rejected = contacts["import_status"] != "valid"
    error = contacts["error"].where(contacts["error"].notna(), last["error"])
    error = error.where(~rejected, contacts["reason"].fillna(contacts["error"]))
    duplicate = (contacts["import_status"] == DUPLICATE) & error.isna()
    line_text = "duplicate of line " + contacts["duplicate_of_line"].astype(str)
    return error.where(~duplicate, line_text).astype(object)


def _variables(calls: pd.DataFrame) -> pd.DataFrame:
    """`extracted.<name>` and `collected.<name>` columns, names sorted for a stable order."""
    parts = []
    for source, prefix in (("vars_extracted", EXTRACTED), ("vars_collected", COLLECTED)):
        records = [
            {f"{prefix}{k}": variable_text(v) for k, v in d.items()} if isinstance(d, dict) else {}
            for d in calls[source]
        ]
        frame = pd.DataFrame.from_records(records, index=calls.index).astype(object)
        parts.append(frame.reindex(columns=sorted(frame.columns)))
    return pd.concat(parts, axis=1)


def _carry_primary(contacts: pd.DataFrame, table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    is_duplicate = (contacts["import_status"] == DUPLICATE) & contacts["duplicate_of_line"].notna()
    if not is_duplicate.any():
        return table
    primaries = contacts.loc[~is_duplicate, ["line"]].reset_index().drop_duplicates("line")
    row_of_line = primaries.set_index("line")["index"]
    wanted = contacts.loc[is_duplicate, "duplicate_of_line"].astype("int64")
    found = wanted[wanted.isin(row_of_line.index)]
    source_rows = row_of_line.reindex(found.to_numpy()).to_numpy()
    for column in columns:
        table.loc[found.index, column] = table[column].iloc[source_rows].to_numpy()
    return table


def _outcome_mask(table: pd.DataFrame, wanted: frozenset[str]) -> pd.Series:
    return table["outcome"].isin(wanted)


def _with_originals(rows: CampaignRows, owners: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Prefix the original columns (original headers, original text) to `table`."""
    headers = list(rows.campaign.source_columns) or _raw_headers(owners["raw"])
    originals = pd.DataFrame.from_records(
        [raw if isinstance(raw, dict) else {} for raw in owners["raw"]],
        columns=headers,
    ).astype(object)
    originals = originals.where(originals.notna(), None)
    taken = set(headers)
    renamed = {}
    for name in table.columns:
        final = name
        while final in taken:
            final = f"campaign.{final}"
        taken.add(final)
        renamed[name] = final
    return pd.concat([originals, table.rename(columns=renamed)], axis=1)


def _raw_headers(raws: pd.Series) -> list[str]:
    headers: dict[str, None] = {}
    for raw in raws:
        if isinstance(raw, dict):
            headers.update(dict.fromkeys(raw))
    return list(headers)
