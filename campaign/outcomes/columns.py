"""The results and calls tables' columns and their vocabulary (see `campaign.outcomes.results`).

Kept free of pandas, so the streamed export (`campaign.outcomes.stream`) starts without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from campaign.calls.vocab import Outcome
from campaign.errors import InputError

PENDING = Outcome.PENDING.value
DUPLICATE = Outcome.DUPLICATE.value
#: Every value the `outcome` column takes (stored outcomes plus `pending`).
OUTCOMES = tuple(outcome.value for outcome in Outcome)

#: The recipient's local time of each call time, as plain (zone-less) datetimes a
#: spreadsheet reads as dates, and the zone they are in; the UTC columns stay as they are.
LOCAL_ZONE = "local_timezone"
LOCAL_RESULT_COLUMNS = (LOCAL_ZONE, "started_at_local", "ended_at_local")
LOCAL_CALL_COLUMNS = (LOCAL_ZONE, "requested_at_local", "started_at_local", "ended_at_local")
RESULT_COLUMNS = (
    "to_number",
    "outcome",
    "call_status",
    "attempts",
    "call_id",
    "started_at",
    "ended_at",
    "duration_s",
    "summary",
    "error",
    "duplicate_of",
    "duplicate_of_outcome",
    "wait_reason",
    "wait_detail",
    "next_call_at",
    *LOCAL_RESULT_COLUMNS,
)
CALL_COLUMNS = (
    "line",
    "attempt",
    "outcome",
    "call_status",
    "category",
    "call_id",
    "from_number",
    "to_number",
    "requested_at",
    "started_at",
    "ended_at",
    "duration_s",
    "cost",
    "currency",
    "summary",
    "error",
    *LOCAL_CALL_COLUMNS,
    "transcript",
)
#: With a --goal: after `outcome`, `true`/`false`, blank when never connected.
GOAL_COLUMN = "goal_reached"
EXTRACTED = "extracted."
COLLECTED = "collected."
#: Columns holding phone numbers or ids: always text, never numbers.
TEXT_COLUMNS = frozenset({"to_number", "from_number", "call_id"})


def parse_only(values: Iterable[str] | None) -> frozenset[str]:
    """`--only failed --only pending` or `--only failed,pending` as a set of outcomes."""
    wanted = {
        part.strip().lower() for value in values or () for part in value.split(",") if part.strip()
    }
    unknown = sorted(wanted - set(OUTCOMES))
    if unknown:
        raise InputError(
            f"--only {', '.join(unknown)}: not an outcome; use one or more of {', '.join(OUTCOMES)}"
        )
    return frozenset(wanted)


def variable_text(value: Any) -> Any:
    """A variable's value for a table cell: scalars as they are, nested values as JSON."""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False)
    return value
