"""A call's end: the attempt's final status, and the contact's fate (final, or a redial).

An end comes from a source (`EndSource`): a call-list scan saw it, or call-get was asked.
The contact's fate is decided in the writing transaction from its placed attempts
(`CallEnd.decide`), so two ends recorded together agree on the count.

With several runners (PostgreSQL) the team's scanner also records the ends of teammates'
placed calls: a fact read from the API; each attempt stays its dialer's, who fetches the
details. An own call a teammate ended meanwhile is skipped; one another runner took over is
refused (the fence reports it and the runner stops).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from campaign.calls.fate import Decision, fate_columns
from campaign.calls.fencing import Fence, registered
from campaign.calls.transitions import Step, attempt_from
from campaign.calls.vocab import AttemptStatus, EndSource, Outcome
from campaign.store.models import Attempt, Contact


@dataclass(frozen=True)
class CallEnd:
    attempt_id: int
    status: str
    category: str
    started_at: datetime | None
    ended_at: datetime | None
    duration_ms: int | None
    #: The contact's fate, given its placed attempts (read in the same transaction).
    decide: Callable[[int], Decision]
    source: EndSource = EndSource.POLLED
    #: A call of another runner of the team (PostgreSQL), seen ending by this one's scan.
    teammate: bool = False
    call_id: str = ""


def record_ended(
    session: Session,
    ends: Iterable[CallEnd],
    now: datetime,
    fence: Fence | None = None,
    once_connected: Outcome | None = None,
) -> list[tuple[CallEnd, Decision]]:
    """Final statuses (e.g. of one scan) in the caller's transaction; what was recorded.

    `once_connected` (a campaign with a goal or callbacks): the outcome of a contact whose
    last redial failed after an earlier call connected (a callback or a no-goal redial that
    met a busy line): it reads as reached (`no_goal`, `connected`), never as failed.
    """
    ends = list(ends)
    if fence is not None:
        ends = _team_ends(session, ends, fence)
    open_rows = dict(
        session.execute(
            select(Attempt.id, Attempt.contact_id).where(
                Attempt.id.in_([e.attempt_id for e in ends]),
                Attempt.state.in_(attempt_from(Step.ENDED)),
            )
        ).all()
    )
    ends = [e for e in ends if e.attempt_id in open_rows]
    if not ends:
        return []
    placed = dict(
        session.execute(
            select(Contact.id, Contact.attempts).where(
                Contact.id.in_([open_rows[e.attempt_id] for e in ends])
            )
        ).all()
    )
    attempts = _table(Attempt)
    session.execute(
        update(attempts)
        .where(attempts.c.id == bindparam("b_id"))
        .values(
            state=AttemptStatus.ENDED,
            voicy_status=bindparam("b_status"),
            category=bindparam("b_category"),
            started_at=bindparam("b_started"),
            ended_at=bindparam("b_ended"),
            duration_ms=bindparam("b_duration"),
            ended_by=bindparam("b_source"),
        ),
        [
            {
                "b_id": e.attempt_id,
                "b_status": e.status,
                "b_category": e.category,
                "b_started": e.started_at,
                "b_ended": e.ended_at,
                "b_duration": e.duration_ms,
                "b_source": e.source,
            }
            for e in ends
        ],
    )
    decisions: list[tuple[CallEnd, Decision]] = []
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for end in ends:
        contact_id = open_rows[end.attempt_id]
        decision = end.decide(int(placed.get(contact_id) or 0))
        failed = decision.final and decision.outcome is Outcome.FAILED
        if (
            once_connected is not None
            and failed
            and _connected_before(session, contact_id, end.attempt_id)
        ):
            decision = Decision.ends(once_connected)
        decisions.append((end, decision))
        columns = {"last_status": end.status, **fate_columns(decision, now)}
        # One executemany per shape of row: a final contact and a redial set other columns.
        rows = by_shape.setdefault(tuple(columns), [])
        rows.append({"b_id": contact_id, **{f"b_{k}": v for k, v in columns.items()}})
    contacts = _table(Contact)
    for shape, rows in by_shape.items():
        session.execute(
            update(contacts)
            .where(contacts.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in shape}),
            rows,
        )
    return decisions


def _connected_before(session: Session, contact_id: int, attempt_id: int) -> bool:
    return (
        session.scalar(
            select(Attempt.id)
            .where(
                Attempt.contact_id == contact_id,
                Attempt.id != attempt_id,
                Attempt.category == "connected",
            )
            .limit(1)
        )
        is not None
    )


def _table(model: type[Attempt] | type[Contact]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _team_ends(session: Session, ends: list[CallEnd], fence: Fence) -> list[CallEnd]:
    """The ends this runner may record: of its own placed calls, and of teammates' ones."""
    placed_by = dict(
        session.execute(
            select(Attempt.id, Attempt.runner)
            .where(
                Attempt.id.in_([e.attempt_id for e in ends]),
                Attempt.state.in_(attempt_from(Step.ENDED)),
            )
            .with_for_update()
        ).all()
    )
    mine: list[CallEnd] = []
    theirs: list[CallEnd] = []
    refused: list[int] = []
    for end in ends:
        holder = placed_by.get(end.attempt_id)
        if holder is None:
            continue  # no longer placed: a teammate recorded this end first
        if holder == fence.owner:
            mine.append(end)
        elif end.teammate:
            theirs.append(end)
        else:
            refused.append(end.attempt_id)
    if refused:
        fence.on_refused(refused)
    if theirs and registered(session, fence.owner):
        mine.extend(theirs)
    return mine
