"""What a dial's answer means for its attempt and contact: placed, unknown or not placed,
and what reconciliation found for an unknown one.

Order of writes is the never-twice guarantee: the intent is committed before the request,
the call_id right after the answer, and a contact only becomes dialable again after its
open attempt is resolved (ended, not placed, or reconciled). Each function writes in the
caller's transaction; with a `Fence` (PostgreSQL) only the fence's runner's attempts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from campaign.calls.fate import Decision, fate_columns
from campaign.calls.fencing import Fence, owned
from campaign.calls.transitions import Step, attempt_from
from campaign.calls.vocab import AttemptStatus, Outcome
from campaign.store.models import Attempt, Contact
from campaign.store.queries import add_event

#: A 201's answer: (attempt id, call_id, Voicy status, when).
Answer = tuple[int, str, str, datetime]


def _attempts_table() -> Table:
    table = Attempt.__table__
    assert isinstance(table, Table)
    return table


def _contacts_table() -> Table:
    table = Contact.__table__
    assert isinstance(table, Table)
    return table


def record_placed_many(
    session: Session, answers: list[Answer], fence: Fence | None = None
) -> list[int]:
    """201 answers: the call_id on each attempt, one more placed call on each contact.

    Returns the attempts written (an attempt no longer an intent is left alone).
    """
    if answers and fence is not None:
        mine = owned(session, [a[0] for a in answers], fence)
        answers = [a for a in answers if a[0] in mine]
    if not answers:
        return []
    contact_of = dict(
        session.execute(
            select(Attempt.id, Attempt.contact_id).where(
                Attempt.id.in_([a[0] for a in answers]),
                Attempt.state.in_(attempt_from(Step.PLACED)),
            )
        ).all()
    )
    answers = [a for a in answers if a[0] in contact_of]
    if not answers:
        return []
    attempts = _attempts_table()
    session.execute(
        update(attempts)
        .where(attempts.c.id == bindparam("b_attempt"))
        .values(
            state=AttemptStatus.PLACED,
            call_id=bindparam("b_call"),
            voicy_status=bindparam("b_status"),
            category="in_progress",
            answered_at=bindparam("b_at"),
        ),
        [
            {"b_attempt": attempt_id, "b_call": call_id, "b_status": status, "b_at": at}
            for attempt_id, call_id, status, at in answers
        ],
    )
    contacts = _contacts_table()
    session.execute(
        update(contacts)
        .where(contacts.c.id == bindparam("b_contact"))
        .values(
            attempts=contacts.c.attempts + 1,
            last_call_id=bindparam("b_call"),
            last_status=bindparam("b_status"),
        ),
        [
            {"b_contact": contact_of[attempt_id], "b_call": call_id, "b_status": status}
            for attempt_id, call_id, status, _ in answers
        ],
    )
    return [a[0] for a in answers]


def record_unknown(
    session: Session, attempt_id: int, error: str, now: datetime, fence: Fence | None = None
) -> bool:
    """The dial may have placed a call: the attempt waits for reconciliation."""
    if not owned(session, [attempt_id], fence):
        return False
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.state not in attempt_from(Step.UNKNOWN):
        return False
    attempt.state = AttemptStatus.UNKNOWN
    attempt.error = error
    add_event(
        session,
        now,
        "dial_unknown",
        error,
        campaign_id=attempt.campaign_id,
        contact_id=attempt.contact_id,
        attempt_id=attempt_id,
    )
    return True


def count_not_placed(session: Session, contact_id: int) -> int:
    """Dials of the contact that certainly placed no call (for the not-placed backoff)."""
    return int(
        session.scalar(
            select(func.count()).where(
                Attempt.contact_id == contact_id, Attempt.state == AttemptStatus.NOT_PLACED
            )
        )
        or 0
    )


def record_not_placed(
    session: Session,
    attempt_id: int,
    error: str,
    decision: Decision,
    now: datetime,
    fence: Fence | None = None,
) -> bool:
    """The dial certainly made no call: the contact's fate is `decision` (not counted as an
    attempt; final when the API refused this contact for good)."""
    if not owned(session, [attempt_id], fence):
        return False
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.state not in attempt_from(Step.NOT_PLACED):
        return False
    attempt.state = AttemptStatus.NOT_PLACED
    attempt.error = error
    session.execute(
        update(Contact)
        .where(Contact.id == attempt.contact_id)
        .values(**fate_columns(decision, now, error))
        .execution_options(synchronize_session=False)
    )
    add_event(
        session,
        now,
        "not_placed",
        error,
        campaign_id=attempt.campaign_id,
        contact_id=attempt.contact_id,
        attempt_id=attempt_id,
    )
    return True


def refused_for_good(error: str) -> Decision:
    """The API refused this contact's dial for good (e.g. 400 on its number): final."""
    return Decision.ends(Outcome.FAILED, error)


def record_linked(
    session: Session,
    attempt_id: int,
    call_id: str,
    status: str,
    now: datetime,
    fence: Fence | None = None,
) -> bool:
    """Reconciliation found the call of an unknown attempt. False if already linked."""
    if not owned(session, [attempt_id], fence):
        return False
    taken = session.scalar(select(Attempt.id).where(Attempt.call_id == call_id))
    if taken is not None and taken != attempt_id:
        return False
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.state not in attempt_from(Step.LINKED):
        return False
    attempt.state = AttemptStatus.PLACED
    attempt.call_id = call_id
    attempt.voicy_status = status
    attempt.category = "in_progress"
    session.execute(
        update(Contact)
        .where(Contact.id == attempt.contact_id)
        .values(attempts=Contact.attempts + 1, last_call_id=call_id, last_status=status)
    )
    add_event(
        session,
        now,
        "reconciled",
        f"found call {call_id}",
        campaign_id=attempt.campaign_id,
        contact_id=attempt.contact_id,
        attempt_id=attempt_id,
    )
    return True
