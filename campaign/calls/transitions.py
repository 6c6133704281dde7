"""The transition table of a call's life, as data: what each step may change.

Each writer of `campaign.calls` names its step here and takes the states it may move from
(`attempt_from(step)`, `contact_from(step)`) in its own WHERE clause, so a row in another
state is left alone; the table in the package's docstring is rendered from this one (a test
checks they agree). `allowed()` answers whether a change is one of the table's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from campaign.calls.vocab import AttemptStatus, ContactState

A = AttemptStatus
C = ContactState


class Step(StrEnum):
    """What happens to a contact or an attempt (the table's rows, in the order they happen)."""

    IMPORTED = "imported"
    HELD = "held"
    CLAIMED = "claimed"
    RELEASED = "released"
    INTENT = "intent"
    DNC_AT_DIAL = "dnc_at_dial"
    GAP_AT_DIAL = "gap_at_dial"
    PLACED = "placed"
    UNKNOWN = "unknown"
    NOT_PLACED = "not_placed"
    LINKED = "linked"
    ENDED = "ended"
    DETAILS = "details"
    JUDGED = "judged"
    RECOVERED = "recovered"
    STRANDED = "stranded"
    TAKEN_OVER = "taken_over"
    CANCELED = "canceled"


@dataclass(frozen=True)
class Transition:
    step: Step
    #: The contact's states before and after (`None` before: the row is created).
    contact_from: tuple[ContactState | None, ...]
    contact_to: tuple[ContactState, ...]
    #: The attempt's states before and after (empty: no attempt is written).
    attempt_from: tuple[AttemptStatus | None, ...]
    attempt_to: tuple[AttemptStatus, ...]
    writer: str  # the function of campaign.calls that writes it
    says: str
    #: When not every (from, to) pair of the attempt's states is allowed: the pairs that are.
    attempt_pairs: tuple[tuple[AttemptStatus, AttemptStatus], ...] | None = None


_ANY_CONTACT = (C.QUEUED, C.ACTIVE, C.DONE)

TRANSITIONS: dict[Step, Transition] = {
    t.step: t
    for t in (
        Transition(Step.IMPORTED, (None,), (C.QUEUED, C.DONE), (), (), "births.first_state",
             "a list row is stored: queued, or done (invalid, duplicate, do-not-call)"),
        Transition(Step.HELD, (C.QUEUED,), (C.QUEUED,), (), (), "holds.hold_zone, hold_contacts",
             "a rule holds it until a time (its zone's window, the gap, the daily cap)"),
        Transition(Step.CLAIMED, (C.QUEUED,), (C.QUEUED,), (), (), "due.claim_due",
             "PostgreSQL: a runner claims it with a lease and a fencing token"),
        Transition(Step.RELEASED, (C.QUEUED,), (C.QUEUED,), (), (), "due.release",
             "PostgreSQL: a claim not turned into an intent is given back"),
        Transition(Step.INTENT, (C.QUEUED,), (C.ACTIVE,), (None,), (A.INTENT,),
             "intents.write_intents", "the dial is written down before it is sent"),
        Transition(Step.DNC_AT_DIAL, (C.QUEUED,), (C.DONE,), (), (), "intents.write_intents",
             "on the do-not-call list when its intent was to be written: never dialed"),
        Transition(Step.GAP_AT_DIAL, (C.QUEUED,), (C.QUEUED,), (), (), "intents.write_intents",
             "another campaign called the number within --min-gap: waits for the gap"),
        Transition(Step.PLACED, (C.ACTIVE,), (C.ACTIVE,), (A.INTENT,), (A.PLACED,),
             "answers.record_placed_many", "201: the call_id is recorded; it is tracked"),
        Transition(Step.UNKNOWN, (C.ACTIVE,), (C.ACTIVE,), (A.INTENT,), (A.UNKNOWN,),
             "answers.record_unknown", "timeout, dropped connection or 5xx: maybe placed"),
        Transition(Step.NOT_PLACED, (C.ACTIVE,), (C.QUEUED, C.DONE), (A.INTENT, A.UNKNOWN),
             (A.NOT_PLACED,), "answers.record_not_placed",
             "certainly no call (4xx, connect error, not in the call list after the grace)"),
        Transition(Step.LINKED, (C.ACTIVE,), (C.ACTIVE,), (A.UNKNOWN,), (A.PLACED,),
             "answers.record_linked", "reconciliation found the unknown dial's call"),
        Transition(Step.ENDED, (C.ACTIVE,), (C.QUEUED, C.DONE), (A.PLACED,), (A.ENDED,),
             "ends.record_ended", "the call reached a final status: final, or a redial"),
        Transition(Step.DETAILS, _ANY_CONTACT, _ANY_CONTACT, (A.ENDED,), (A.ENDED,),
             "details.record_details", "a connected call's summary, transcript, vars, cost"),
        Transition(Step.JUDGED, (C.DONE,), (C.DONE, C.QUEUED), (A.ENDED,), (A.ENDED,),
             "details.record_details",
             "its details judged (--goal, --callback-var): goal or not, or called again"),
        Transition(Step.RECOVERED, (C.ACTIVE,), (C.ACTIVE,), (A.INTENT,), (A.UNKNOWN,),
             "recovery.recover_after_crash", "a dead runner's unanswered intent: reconcile"),
        Transition(Step.STRANDED, (C.ACTIVE,), (C.QUEUED,), (), (), "recovery.requeue_stranded",
             "active without an open attempt (cannot normally happen): queued again"),
        Transition(Step.TAKEN_OVER, (C.ACTIVE,), (C.ACTIVE,), (A.INTENT, A.PLACED, A.UNKNOWN),
             (A.UNKNOWN, A.PLACED), "recovery.take_over",
             "PostgreSQL: a dead runner's open calls become this runner's (intents unknown)",
             ((A.INTENT, A.UNKNOWN), (A.PLACED, A.PLACED), (A.UNKNOWN, A.UNKNOWN))),
        Transition(Step.CANCELED, (C.QUEUED,), (C.DONE,), (), (), "holds.cancel_waiting",
             "the campaign is canceled: every contact not called yet ends canceled"),
    )
}  # fmt: skip


def transition(step: Step) -> Transition:
    return TRANSITIONS[step]


def contact_from(step: Step) -> tuple[ContactState, ...]:
    """The contact states `step` moves from (for the writer's WHERE clause)."""
    return tuple(state for state in TRANSITIONS[step].contact_from if state is not None)


def attempt_from(step: Step) -> tuple[AttemptStatus, ...]:
    """The attempt states `step` moves from (for the writer's WHERE clause)."""
    return tuple(state for state in TRANSITIONS[step].attempt_from if state is not None)


def allowed(
    step: Step,
    contact: tuple[ContactState | None, ContactState],
    attempt: tuple[AttemptStatus | None, AttemptStatus] | None = None,
) -> bool:
    """Whether `step` may move a contact (from, to) and, if given, its attempt (from, to)."""
    found = TRANSITIONS[step]
    if contact[0] not in found.contact_from or contact[1] not in found.contact_to:
        return False
    if attempt is None:
        return True
    if attempt[0] not in found.attempt_from or attempt[1] not in found.attempt_to:
        return False
    pairs = found.attempt_pairs
    return pairs is None or (attempt[0], attempt[1]) in pairs


def render_table() -> str:
    """The table as the package docstring shows it."""

    def states(values: tuple[object, ...]) -> str:
        return "|".join("(new)" if v is None else str(v) for v in values) or "."

    rows = [("step", "contact", "attempt", "written by")]
    for found in TRANSITIONS.values():
        attempt = f"{states(found.attempt_from)}>{states(found.attempt_to)}"
        if not found.attempt_to:
            attempt = "."
        elif found.attempt_pairs is not None:
            changed = [f"{a}>{b}" for a, b in found.attempt_pairs if a is not b]
            attempt = ", ".join(changed) + " (others kept)"
        contact = f"{states(found.contact_from)}>{states(found.contact_to)}"
        if found.contact_from == _ANY_CONTACT:
            contact = "(unchanged)"
        rows.append((str(found.step), contact, attempt, found.writer))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "    "
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
