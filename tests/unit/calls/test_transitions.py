"""The transition table of a call's life: what each step may change, table-driven."""

from __future__ import annotations

import importlib
import inspect

import pytest

import campaign.calls as calls
from campaign.calls.transitions import TRANSITIONS, Step, allowed, attempt_from, contact_from
from campaign.calls.vocab import AttemptStatus as A
from campaign.calls.vocab import ContactState as C

NEW = None

CASES = [
    # step, (contact from, to), (attempt from, to) or None, allowed
    (Step.IMPORTED, (NEW, C.QUEUED), None, True),
    (Step.IMPORTED, (NEW, C.DONE), None, True),
    (Step.IMPORTED, (NEW, C.ACTIVE), None, False),
    (Step.HELD, (C.QUEUED, C.QUEUED), None, True),
    (Step.HELD, (C.ACTIVE, C.ACTIVE), None, False),  # an open call is never held
    (Step.CLAIMED, (C.QUEUED, C.QUEUED), None, True),
    (Step.INTENT, (C.QUEUED, C.ACTIVE), (NEW, A.INTENT), True),
    (Step.INTENT, (C.DONE, C.ACTIVE), (NEW, A.INTENT), False),  # final is final
    (Step.INTENT, (C.ACTIVE, C.ACTIVE), (NEW, A.INTENT), False),  # one open call at a time
    (Step.DNC_AT_DIAL, (C.QUEUED, C.DONE), None, True),
    (Step.GAP_AT_DIAL, (C.QUEUED, C.QUEUED), None, True),
    (Step.PLACED, (C.ACTIVE, C.ACTIVE), (A.INTENT, A.PLACED), True),
    (Step.PLACED, (C.ACTIVE, C.ACTIVE), (A.UNKNOWN, A.PLACED), False),  # that is LINKED
    (Step.UNKNOWN, (C.ACTIVE, C.ACTIVE), (A.INTENT, A.UNKNOWN), True),
    (Step.UNKNOWN, (C.ACTIVE, C.ACTIVE), (A.PLACED, A.UNKNOWN), False),  # a call_id is known
    (Step.NOT_PLACED, (C.ACTIVE, C.QUEUED), (A.INTENT, A.NOT_PLACED), True),
    (Step.NOT_PLACED, (C.ACTIVE, C.DONE), (A.UNKNOWN, A.NOT_PLACED), True),
    (Step.NOT_PLACED, (C.ACTIVE, C.QUEUED), (A.PLACED, A.NOT_PLACED), False),  # it exists
    (Step.LINKED, (C.ACTIVE, C.ACTIVE), (A.UNKNOWN, A.PLACED), True),
    (Step.LINKED, (C.ACTIVE, C.ACTIVE), (A.NOT_PLACED, A.PLACED), False),
    (Step.ENDED, (C.ACTIVE, C.QUEUED), (A.PLACED, A.ENDED), True),  # a redial
    (Step.ENDED, (C.ACTIVE, C.DONE), (A.PLACED, A.ENDED), True),  # final
    (Step.ENDED, (C.ACTIVE, C.DONE), (A.UNKNOWN, A.ENDED), False),  # reconcile first
    (Step.DETAILS, (C.DONE, C.DONE), (A.ENDED, A.ENDED), True),
    (Step.DETAILS, (C.ACTIVE, C.ACTIVE), (A.PLACED, A.PLACED), False),  # after the end
    (Step.RECOVERED, (C.ACTIVE, C.ACTIVE), (A.INTENT, A.UNKNOWN), True),
    (Step.RECOVERED, (C.ACTIVE, C.QUEUED), (A.INTENT, A.NOT_PLACED), False),  # never guessed
    (Step.STRANDED, (C.ACTIVE, C.QUEUED), None, True),
    (Step.TAKEN_OVER, (C.ACTIVE, C.ACTIVE), (A.INTENT, A.UNKNOWN), True),
    (Step.TAKEN_OVER, (C.ACTIVE, C.ACTIVE), (A.PLACED, A.PLACED), True),
    (Step.TAKEN_OVER, (C.ACTIVE, C.ACTIVE), (A.INTENT, A.PLACED), False),
    (Step.TAKEN_OVER, (C.ACTIVE, C.ACTIVE), (A.PLACED, A.UNKNOWN), False),
    (Step.CANCELED, (C.QUEUED, C.DONE), None, True),
    (Step.CANCELED, (C.ACTIVE, C.DONE), None, False),  # its call's outcome comes first
]


@pytest.mark.parametrize(("step", "contact", "attempt", "expected"), CASES)
def test_the_table_allows_exactly_its_moves(
    step: Step,
    contact: tuple[C | None, C],
    attempt: tuple[A | None, A] | None,
    expected: bool,
) -> None:
    assert allowed(step, contact, attempt) is expected


def test_every_step_is_in_the_table_and_in_the_docstring() -> None:
    assert set(TRANSITIONS) == set(Step)
    doc = calls.__doc__ or ""
    for step in Step:
        assert f"\n    {step.value} " in doc, step


def test_the_docstring_shows_the_table_as_it_is() -> None:
    from campaign.calls.transitions import render_table

    assert render_table() in (calls.__doc__ or "")


@pytest.mark.parametrize("step", list(Step))
def test_each_step_names_a_writer_that_exists(step: Step) -> None:
    module_name, _, functions = TRANSITIONS[step].writer.partition(".")
    module = importlib.import_module(f"campaign.calls.{module_name}")
    for function in functions.split(", "):
        assert inspect.isfunction(getattr(module, function)), (step, function)


def test_the_from_states_writers_take_leave_out_creation() -> None:
    assert contact_from(Step.INTENT) == (C.QUEUED,)
    assert attempt_from(Step.INTENT) == ()
    assert attempt_from(Step.NOT_PLACED) == (A.INTENT, A.UNKNOWN)
