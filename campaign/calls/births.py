"""The first state of an imported row: queued for a dial, or final without a call.

The campaign service stores the rows (`campaign.campaigns.create`); the columns of a call's
life come from here, so an import never names a state itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from campaign.calls.vocab import ContactState, Outcome

#: What a row's import status means for its life (rows `valid` and not suppressed: queued).
_FINAL_AT_IMPORT = {"invalid": Outcome.INVALID, "duplicate": Outcome.DUPLICATE}
_DNC = "on the do-not-call list"


def first_state(
    import_status: str, reason: str | None, suppressed: bool, now: datetime
) -> dict[str, Any]:
    """The life columns of a new contact row (`suppressed`: its number is on the DNC list)."""
    values: dict[str, Any] = {
        "state": ContactState.QUEUED,
        "attempts": 0,
        "next_attempt_at": None,
        "wait_reason": None,
        "wait_detail": None,
        "outcome": None,
        "last_status": None,
        "last_call_id": None,
        "error": None,
        "final_at": None,
    }
    outcome = _FINAL_AT_IMPORT.get(import_status)
    if outcome is Outcome.INVALID:
        values.update(state=ContactState.DONE, outcome=outcome, error=reason, final_at=now)
    elif outcome is not None:
        values.update(state=ContactState.DONE, outcome=outcome, final_at=now)
    elif suppressed:
        values.update(state=ContactState.DONE, outcome=Outcome.DNC, error=_DNC, final_at=now)
    return values


def first_states(
    import_status: Sequence[str],
    reason: Sequence[str | None],
    suppressed: Sequence[bool],
    now: datetime,
) -> dict[str, list[Any]]:
    """`first_state` for a chunk of rows, column-wise, for the bulk insert of a list (numpy
    over the chunk, no dict per row); the columns not given (due time, wait reason, last
    call) start NULL. A unit test holds it equal to `first_state` row by row."""
    size = len(import_status)
    status = np.asarray(import_status, dtype=object)
    outcomes = np.full(size, None, dtype=object)
    outcomes[np.asarray(suppressed, dtype=bool)] = Outcome.DNC
    for import_value, outcome in _FINAL_AT_IMPORT.items():  # the row's own fate comes first
        outcomes[status == import_value] = outcome
    final = outcomes != None  # noqa: E711 (element-wise)
    errors = np.full(size, None, dtype=object)
    invalid = outcomes == Outcome.INVALID
    errors[invalid] = np.asarray(reason, dtype=object)[invalid]
    errors[outcomes == Outcome.DNC] = _DNC
    done, queued = ContactState.DONE, ContactState.QUEUED
    states = [done if is_final else queued for is_final in final.tolist()]
    finals = np.full(size, None, dtype=object)
    finals[final] = now
    return {
        "state": states,
        "attempts": [0] * size,
        "outcome": outcomes.tolist(),
        "error": errors.tolist(),
        "final_at": finals.tolist(),
    }
