"""A contact's columns for a decision, an imported row's first state, and the tally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from campaign.calls.births import first_state, first_states
from campaign.calls.fate import Decision, fate_columns
from campaign.calls.tally import tally
from campaign.calls.vocab import ContactState, Outcome, WaitReason

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("decision", "error", "expected"),
    [
        (
            Decision.ends(Outcome.CONNECTED, "ignored"),
            None,
            {"state": "done", "outcome": "connected", "error": None, "final_at": NOW},
        ),
        (
            Decision.ends(Outcome.FAILED, "busy after 3 attempt(s)"),
            "dial error",
            {"state": "done", "outcome": "failed", "error": "busy after 3 attempt(s)"},
        ),
        (
            Decision.again_at(LATER),
            None,
            {"state": "queued", "next_attempt_at": LATER, "wait_reason": "redial", "error": None},
        ),
        (
            Decision.again_at(LATER),
            "ConnectError: down",
            {"state": "queued", "wait_reason": "redial", "error": "ConnectError: down"},
        ),
        (
            Decision(final=False, next_attempt_at=LATER, reason=WaitReason.WINDOW, detail="x"),
            None,
            {"state": "queued", "wait_reason": "window", "wait_detail": "x"},
        ),
        (
            Decision(final=True),  # final without an outcome: never left pending
            None,
            {"state": "done", "outcome": "unknown"},
        ),
    ],
)
def test_a_decision_becomes_the_contacts_columns(
    decision: Decision, error: str | None, expected: dict[str, Any]
) -> None:
    columns = fate_columns(decision, NOW, error)
    assert {key: columns[key] for key in expected} == expected
    if decision.final:
        assert columns["next_attempt_at"] is None and columns["wait_reason"] is None


@pytest.mark.parametrize(
    ("status", "suppressed", "state", "outcome", "error"),
    [
        ("valid", False, ContactState.QUEUED, None, None),
        ("valid", True, ContactState.DONE, Outcome.DNC, "on the do-not-call list"),
        ("invalid", False, ContactState.DONE, Outcome.INVALID, "bad number"),
        ("invalid", True, ContactState.DONE, Outcome.INVALID, "bad number"),
        ("duplicate", False, ContactState.DONE, Outcome.DUPLICATE, None),
    ],
)
def test_an_imported_row_starts_queued_or_final(
    status: str, suppressed: bool, state: ContactState, outcome: Outcome | None, error: str | None
) -> None:
    values = first_state(status, "bad number" if status == "invalid" else None, suppressed, NOW)
    assert (values["state"], values["outcome"], values["error"]) == (state, outcome, error)
    assert values["attempts"] == 0
    assert values["final_at"] == (None if state is ContactState.QUEUED else NOW)


@pytest.mark.parametrize(
    ("outcomes", "total", "done", "called", "eta_at_1h"),
    [
        ({"connected": 40, "failed": 10, "invalid": 6, "duplicate": 4, "pending": 50},
         100, 50, 50, 3600.0),
        ({"connected": 10, "dnc": 40, "pending": 50}, 100, 50, 10, 18000.0),  # dnc: no call
        ({"connected": 5}, 5, 5, 5, 0.0),  # done
        ({"pending": 5}, 5, 0, 0, None),  # nothing ended yet: no pace
        ({}, 0, 0, 0, 0.0),
    ],
)  # fmt: skip
def test_the_tally_counts_people_and_their_pace(
    outcomes: dict[str, int], total: int, done: int, called: int, eta_at_1h: float | None
) -> None:
    counts = tally(outcomes)
    assert (counts.total, counts.done, counts.called) == (total, done, called)
    assert counts.eta_seconds(3600.0) == eta_at_1h


def test_the_column_wise_first_states_are_the_row_wise_ones() -> None:
    statuses = ["valid", "valid", "invalid", "invalid", "duplicate", "duplicate"]
    reasons = [None, None, "bad", "bad", None, None]
    suppressed = [False, True, False, True, False, True]
    columns = first_states(statuses, reasons, suppressed, NOW)
    for i, (status, why, dnc) in enumerate(zip(statuses, reasons, suppressed, strict=True)):
        row = first_state(status, why, dnc, NOW)
        assert {name: values[i] for name, values in columns.items()} == {
            name: row[name] for name in columns
        }
