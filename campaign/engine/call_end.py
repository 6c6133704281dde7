"""The `CallEnd` one final status makes, from a scan, a call-get or a webhook delivery alike.

    end = call_end(tracked, summary, "failed", now, settings, source=EndSource.WEBHOOK)

The contact's fate is decided when the end is written (`CallEnd.decide`, with the count of
its placed attempts read in that transaction) by the pure `policy.after_call`. A redial's
delay counts from the hang-up as the API dates it (within `REDIAL_FROM_WITHIN` of our
clock), not from when the runner learned of the end: a scan's or a delivery's lag is no
part of the wait the user asked for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaign.calls.ends import CallEnd
from campaign.calls.fate import Decision
from campaign.calls.vocab import EndSource
from campaign.engine.policy import after_call
from campaign.engine.reconcile import TrackedCall
from campaign.engine.settings import RunSettings
from campaign.voicy.models import CallSummary, StatusCategory

#: A redial's delay counts from the hang-up when the API's date of it is this close to ours.
REDIAL_FROM_WITHIN = timedelta(seconds=60)


def call_end(
    tracked: TrackedCall,
    call: CallSummary,
    category: StatusCategory,
    now: datetime,
    settings: RunSettings,
    *,
    teammate: bool = False,
    source: EndSource = EndSource.POLLED,
) -> CallEnd:
    started = ms_time(call.start_timestamp)
    ended = (
        ms_time(call.start_timestamp + call.duration_ms)
        if call.start_timestamp is not None and call.duration_ms is not None
        else now
    )
    status = call.call_status
    hung_up = now if ended is None else max(now - REDIAL_FROM_WITHIN, min(now, ended))

    def decide(placed: int) -> Decision:
        return after_call(category, status, placed, settings, hung_up)

    return CallEnd(
        attempt_id=tracked.attempt_id,
        status=status,
        category=category,
        started_at=started,
        ended_at=ended,
        duration_ms=call.duration_ms,
        decide=decide,
        source=source,
        teammate=teammate,
        call_id=tracked.call_id,
    )


def ms_time(value: int | None) -> datetime | None:
    """An API timestamp (unix ms) as an aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value / 1000, tz=UTC)
