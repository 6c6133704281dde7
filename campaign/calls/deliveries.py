"""Webhook deliveries used: a call_ended in the inbox as one more source of a call's end.

A delivery is not a second writer: it is turned into the same `CallEnd` a scan makes (its
source `EndSource.WEBHOOK`) and recorded by `ends.record_ended`, with its details recorded
by `details.record_details` (no call-get), all in one transaction with `mark_consumed`, so
a crash leaves either the whole delivery used or none of it (still pending in the inbox;
`resume` uses it). A delivery for a dial whose outcome was unknown first links the attempt
to the call (`answers.record_linked`, which refuses a call id another attempt claims).

    Delivered(attempt_id, detail, end=CallEnd(...), link=False)   # ends a tracked call
    Delivered(attempt_id, detail)                                 # details of an ended one
    record_delivered(session, [...], now, fence)

A delivery for an attempt that already ended (a scan saw it first) only adds the details
it carries; repeated deliveries never reach this far (the inbox keeps one per call id), and
one that arrives after its attempt is final changes nothing but `consumed_at`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.calls import answers, details, ends
from campaign.calls.fate import Decision
from campaign.calls.fencing import Fence
from campaign.calls.vocab import AttemptStatus
from campaign.store import inbox
from campaign.store.models import Attempt
from campaign.voicy.models import CallDetail


@dataclass(frozen=True)
class Delivered:
    """What one delivery says about one attempt."""

    attempt_id: int
    detail: CallDetail
    #: The end to record (None: the attempt ended already; only its details are new).
    end: ends.CallEnd | None = None
    #: The attempt's dial was unknown: link it to the delivery's call first.
    link: bool = False

    @property
    def call_id(self) -> str:
        return self.detail.call_id


@dataclass(frozen=True)
class AttemptView:
    """Where an attempt a delivery names stands (for the engine to decide what to do)."""

    attempt_id: int
    state: AttemptStatus
    call_id: str | None
    runner: str | None
    category: str | None
    details_fetched: bool


def attempts_named(session: Session, attempt_ids: Iterable[int]) -> dict[int, AttemptView]:
    ids = list(set(attempt_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            Attempt.id,
            Attempt.state,
            Attempt.call_id,
            Attempt.runner,
            Attempt.category,
            Attempt.details_fetched,
        ).where(Attempt.id.in_(ids))
    ).all()
    return {
        int(r[0]): AttemptView(int(r[0]), AttemptStatus(r[1]), r[2], r[3], r[4], bool(r[5]))
        for r in rows
    }


def record_delivered(
    session: Session,
    delivered: Iterable[Delivered],
    now: datetime,
    fence: Fence | None = None,
    *,
    consumed: Iterable[str] = (),
) -> list[tuple[ends.CallEnd, Decision]]:
    """Use deliveries in the caller's transaction; `consumed`: call ids of deliveries that
    say nothing new (marked used too). Returns the ends recorded."""
    delivered = list(delivered)
    usable: list[Delivered] = []
    for item in delivered:
        if item.link and not answers.record_linked(
            session, item.attempt_id, item.call_id, item.detail.call_status, now, fence
        ):
            continue  # another attempt has this call, or the dial was resolved meanwhile
        usable.append(item)
    found = [item.end for item in usable if item.end is not None]
    recorded = ends.record_ended(session, found, now, fence) if found else []
    details.record_details(session, [(item.attempt_id, item.detail) for item in usable], fence)
    # A delivery whose link was refused stays pending: its call may be another attempt's.
    inbox.mark_consumed(session, [*(item.call_id for item in usable), *consumed], now)
    return recorded
