"""What a connected call said: summary, transcript, vars, cost, recorded on its attempt.

The details come from call-get today; anything that yields a `CallDetail` (a webhook
delivery carries the same shape) records them the same way, in its own transaction.
"""

from __future__ import annotations

from sqlalchemy import JSON, Table, bindparam, func, update
from sqlalchemy.orm import Session

from campaign.calls.fencing import Fence, owned
from campaign.calls.transitions import Step, attempt_from
from campaign.store.models import Attempt
from campaign.voicy.models import CallDetail


def record_details(
    session: Session, details: list[tuple[int, CallDetail]], fence: Fence | None = None
) -> None:
    """Details of connected calls, by attempt id, in one executemany (an attempt not ended
    yet is left alone; a duration the details lack keeps the one the end recorded)."""
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
