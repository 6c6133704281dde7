"""A contact's fate after a call or a dial: final with an outcome, or queued again.

`Decision` is what the engine's pure policy (`campaign.engine.policy`) hands to this package;
`fate_columns` is the one translation of a decision into the contact's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from campaign.calls.vocab import ContactState, Outcome, WaitReason


@dataclass(frozen=True)
class Decision:
    final: bool
    outcome: Outcome | None = None  # when final
    next_attempt_at: datetime | None = None  # when not final: due again at
    error: str | None = None
    #: When not final: why it waits (a redial today; a callback the user asked for, later).
    reason: WaitReason = WaitReason.REDIAL
    detail: str | None = None

    @classmethod
    def again_at(cls, at: datetime, reason: WaitReason = WaitReason.REDIAL) -> Decision:
        return cls(final=False, next_attempt_at=at, reason=reason)

    @classmethod
    def ends(cls, outcome: Outcome, error: str | None = None) -> Decision:
        return cls(final=True, outcome=outcome, error=error)


def fate_columns(decision: Decision, now: datetime, error: str | None = None) -> dict[str, Any]:
    """The contact's columns for `decision`; `error` is kept on a contact queued again (the
    last dial's error, for people), a final one gets the decision's own."""
    if decision.final:
        outcome = decision.outcome or Outcome.UNKNOWN
        return {
            "state": ContactState.DONE,
            "outcome": outcome,
            "error": None if outcome.connected else decision.error,
            "final_at": now,
            "next_attempt_at": None,
            "wait_reason": None,
            "wait_detail": None,
        }
    return {
        "state": ContactState.QUEUED,
        "next_attempt_at": decision.next_attempt_at,
        "wait_reason": decision.reason,
        "wait_detail": decision.detail,
        "error": error if error is not None else decision.error,
    }
