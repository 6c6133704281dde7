"""What a connected call said: summary, transcript, vars, cost, recorded on its attempt.

The details come from call-get or a webhook delivery (both yield a `CallDetail`); either
way they are recorded here, in the caller's transaction, cost included (`call_cost`), so
spend is one sum over attempts whichever source told it.

With a `Judge` (a goal, a callback var: see `campaign.engine.policy.DetailsPolicy`) what
the call said decides the contact's fate again: a contact the end made final as plain
`connected` becomes `goal_reached` or `no_goal`, or is queued again (a callback the person
asked for, a redial of a call that missed the goal). Only the contact's latest call is
judged, and only once (the `judged` step: done(connected) > done | queued).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from campaign.calls.fate import Decision, fate_columns
from campaign.calls.fencing import Fence, owned
from campaign.calls.transitions import Step, attempt_from, contact_from
from campaign.calls.vocab import Outcome
from campaign.store.models import Attempt, Contact
from campaign.store.queries import add_event
from campaign.voicy.models import CallDetail


@dataclass(frozen=True)
class ConnectedCall:
    """What a judge sees of a connected call whose details just arrived."""

    attempt_id: int
    contact_id: int
    #: The contact's placed calls so far (this one included), for --max-attempts.
    placed_attempts: int
    to_number: str
    timezone: str | None
    #: When the call ended (the end's time; the contact's final time if unknown).
    ended_at: datetime
    detail: CallDetail


#: Decides a connected contact's fate from its call's details (None: leave it `connected`).
Judge = Callable[[ConnectedCall], Decision | None]


def record_details(
    session: Session,
    details: list[tuple[int, CallDetail]],
    fence: Fence | None = None,
    judge: Judge | None = None,
) -> None:
    """Details of connected calls, by attempt id, in one executemany (an attempt not ended
    yet is left alone; a duration the details lack keeps the one the end recorded); with a
    `judge`, the fate of each contact whose latest call this is (see the module)."""
    if details and fence is not None:
        mine = owned(session, [d[0] for d in details], fence)
        details = [d for d in details if d[0] in mine]
    if not details:
        return
    attempts = Attempt.__table__
    assert isinstance(attempts, Table)
    (ended,) = attempt_from(Step.DETAILS)  # one state: executemany takes no IN list
    session.execute(
        update(attempts)
        .where(attempts.c.id == bindparam("b_id"), attempts.c.state == ended)
        .values(
            details_fetched=True,
            summary=bindparam("b_summary"),
            transcript=bindparam("b_transcript", type_=JSON()),
            vars_extracted=bindparam("b_extracted", type_=JSON()),
            vars_collected=bindparam("b_collected", type_=JSON()),
            cost=bindparam("b_cost"),
            currency=bindparam("b_currency"),
            duration_ms=func.coalesce(bindparam("b_duration"), attempts.c.duration_ms),
        ),
        [
            {
                "b_id": attempt_id,
                "b_summary": detail.summary,
                "b_transcript": [
                    {"role": e.role, "content": e.content, "timestamp_ms": e.timestamp_ms}
                    for e in detail.transcript
                ],
                "b_extracted": detail.vars_extracted,
                "b_collected": detail.vars_collected,
                "b_cost": detail.cost,
                "b_currency": detail.currency,
                "b_duration": detail.duration_ms,
            }
            for attempt_id, detail in details
        ],
    )
    if judge is not None:
        _judge(session, details, judge)


def _judge(session: Session, details: list[tuple[int, CallDetail]], judge: Judge) -> None:
    by_attempt = dict(details)
    rows = session.execute(
        select(
            Attempt.id,
            Attempt.campaign_id,
            Attempt.contact_id,
            Attempt.ended_at,
            Contact.attempts,
            Contact.to_number,
            Contact.timezone,
            Contact.final_at,
        )
        .join(Contact, Contact.id == Attempt.contact_id)
        .where(
            Attempt.id.in_(list(by_attempt)),
            Attempt.state.in_(attempt_from(Step.JUDGED)),
            Contact.state.in_(contact_from(Step.JUDGED)),
            Contact.outcome == Outcome.CONNECTED,
            Contact.last_call_id == Attempt.call_id,
        )
    ).all()
    for attempt_id, campaign_id, contact_id, ended_at, placed, to, zone, final_at in rows:
        when = ended_at or final_at
        if when is None:
            continue  # a done contact always has its final time: cannot happen
        call = ConnectedCall(
            attempt_id, contact_id, int(placed or 0), str(to or ""), zone, when,
            by_attempt[attempt_id],
        )  # fmt: skip
        decision = judge(call)
        if decision is None:
            continue
        columns = fate_columns(decision, when)
        if not decision.final:  # final once, queued again now: no outcome until the next
            columns.update(outcome=None, final_at=None)
        session.execute(
            update(Contact)
            .where(Contact.id == contact_id, Contact.outcome == Outcome.CONNECTED)
            .values(**columns)
            .execution_options(synchronize_session=False)
        )
        kind = str(decision.outcome) if decision.final else f"again_{decision.reason}"
        add_event(
            session,
            when,
            kind,
            decision.detail or decision.error,
            campaign_id=campaign_id,
            contact_id=contact_id,
            attempt_id=attempt_id,
        )


def record_details_failed(
    session: Session, attempt_id: int, error: str, fence: Fence | None = None
) -> None:
    """call-get could not give the details (404): never asked again."""
    if not owned(session, [attempt_id], fence):
        return
    session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(details_fetched=True, error=error)
        .execution_options(synchronize_session=False)
    )
