"""The first state of an imported row: queued for a dial, or final without a call.

The campaign service stores the rows (`campaign.campaigns.create`); the columns of a call's
life come from here, so an import never names a state itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

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
    """`first_state` for a chunk of rows, column-wise, for the bulk insert of a list (one
    pass, no dict per row); the columns not given (due time, wait reason, last call) start
    NULL. A unit test holds it equal to `first_state` row by row."""
    states: list[Any] = []
    outcomes: list[Any] = []
    errors: list[Any] = []
    finals: list[Any] = []
    queued, done = ContactState.QUEUED, ContactState.DONE
    for status, why, dnc in zip(import_status, reason, suppressed, strict=True):
        outcome = _FINAL_AT_IMPORT.get(status)
        if outcome is None and dnc:
            outcome = Outcome.DNC
        states.append(queued if outcome is None else done)
        outcomes.append(outcome)
        errors.append(
            why if outcome is Outcome.INVALID else _DNC if outcome is Outcome.DNC else None
        )
        finals.append(None if outcome is None else now)
    return {
        "state": states,
        "attempts": [0] * len(states),
        "outcome": outcomes,
        "error": errors,
        "final_at": finals,
    }
