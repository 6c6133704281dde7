"""An imported list → the contacts table's columns, a chunk at a time, for the bulk insert.

The column-wise twin of `create._row_values` (the round-trip test holds them equal), with
each row's first state from `campaign.calls.births`:
each chunk of the list becomes one batch of columns, its JSON text made by the workers that
prepared the chunk (contacts/rowjson.py) or else encoded by pandas at C speed, so storing a
million rows costs little more than the database's own work.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from campaign.calls.births import first_states

if TYPE_CHECKING:
    from campaign.contacts import ContactList, ContactRows

#: The columns whose values are JSON text (for insert_columns' json_text).
JSON_COLUMNS = frozenset({"raw", "vars"})


def contact_batches(
    campaign_id: int, contacts: ContactRows, suppressed: set[str], now: datetime
) -> Iterator[dict[str, Sequence[Any]]]:
    """One batch of columns per chunk of `contacts` (every row: rejected and duplicates too)."""
    for chunk in contacts.chunks():
        yield chunk_columns(campaign_id, chunk, suppressed, now)


def _objects(values: Any) -> list[Any]:
    """A column as a list with None for missing values (NaN, pd.NA)."""
    array = np.array(values, dtype=object)
    array[np.asarray(pd.isna(array), dtype=bool)] = None
    return list(array.tolist())


def _json_lines(frame: pd.DataFrame) -> list[str]:
    text = frame.to_json(orient="records", lines=True, force_ascii=False)
    return text.split("\n")[: len(frame)]


def chunk_columns(
    campaign_id: int, chunk: ContactList, suppressed: set[str], now: datetime
) -> dict[str, Sequence[Any]]:
    """One chunk's rows as the contacts table's columns (positions from its first_position)."""
    frame = chunk.frame
    size = len(frame)
    status = frame["_status"].to_numpy(dtype=object)
    e164 = frame["_e164"].to_numpy(dtype=object)
    reason = _objects(frame["_reason"])
    suppressed_now = pd.Series(e164).isin(suppressed).tolist()
    if chunk.raw_json is not None and chunk.vars_json is not None:  # made by the workers
        raw, vars_ = chunk.raw_json.tolist(), chunk.vars_json.tolist()
    else:
        raw = _json_lines(frame[chunk.columns]) if chunk.columns else ["{}"] * size
        vars_ = _json_lines(pd.DataFrame({"v": chunk.row_vars()}))
        vars_ = [line[5:-1] for line in vars_]  # {"v":{...}} → {...}
    duplicate_of = [None if v is None else int(v) for v in _objects(frame["_duplicate_of"])]
    return {
        "campaign_id": [campaign_id] * size,
        "position": list(range(chunk.first_position, chunk.first_position + size)),
        "line": frame["_line"].astype(int).tolist(),
        "raw": raw,
        "raw_phone": frame[chunk.phone_column].tolist(),
        "to_number": _objects(e164),
        "import_status": status.tolist(),
        "reason": reason,
        "warning": _objects(frame["_warning"]),
        "duplicate_of_line": duplicate_of,
        "vars": vars_,
        "from_number": _objects(frame["_from_number"]),
        "agent_id": _objects(frame["_agent_id"]),
        "timezone": _objects(frame["_timezone"]),
        "region": _objects(frame["_region"]),
        **_plain(first_states(status.tolist(), reason, suppressed_now, now)),
    }


def _plain(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The state columns with their enum members as plain text: the driver binds an exact
    str directly, a str subclass through its adapter look-up (about 12% of the insert)."""
    for name in ("state", "outcome"):
        columns[name] = [None if value is None else str(value) for value in columns[name]]
    return columns
