"""What a connected call said: summary, transcript, vars, cost, recorded on its attempt.

The details come from call-get today; anything that yields a `CallDetail` (a webhook
delivery carries the same shape) records them the same way, in its own transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from campaign.calls.fencing import Fence, owned
from campaign.calls.transitions import Step, attempt_from
from campaign.store.models import Attempt
from campaign.voicy.models import CallDetail


def record_details(
    session: Session, details: list[tuple[int, CallDetail]], fence: Fence | None = None
) -> None:
    """Details of connected calls, by attempt id (an attempt not ended yet is left alone)."""
    if details and fence is not None:
        mine = owned(session, [d[0] for d in details], fence)
        details = [d for d in details if d[0] in mine]
    if not details:
        return
    ended = Attempt.state.in_(attempt_from(Step.DETAILS))
    rows: list[dict[str, Any]] = []
    for attempt_id, detail in details:
        rows.append(
            {
                "id": attempt_id,
                "details_fetched": True,
                "summary": detail.summary,
                "transcript": [
                    {"role": e.role, "content": e.content, "timestamp_ms": e.timestamp_ms}
                    for e in detail.transcript
                ],
                "vars_extracted": detail.vars_extracted,
                "vars_collected": detail.vars_collected,
                "cost": detail.cost,
                "currency": detail.currency,
            }
        )
        if detail.duration_ms is not None:
            # A separate statement: bulk rows must all carry the same columns.
            session.execute(
                update(Attempt)
                .where(Attempt.id == attempt_id, ended)
                .values(duration_ms=detail.duration_ms)
            )
    session.execute(update(Attempt), rows)


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
