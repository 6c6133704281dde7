"""One scan: a pass over call-list, oldest first, covering every tracked call and unknown
dial from where `reconcile.scan_floor` says, stopping as soon as every tracked call has been
seen (unknown dials need the whole range)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Protocol

from campaign.engine.reconcile import ClockLag, ScanResult, TrackedCall, UnknownDial, scan_floor
from campaign.voicy.models import CallDetail, CallSummary


class CallLister(Protocol):
    def iter_calls(
        self, *, direction: str, start_after_ms: int, sort_order: str
    ) -> AsyncGenerator[CallSummary, None]: ...

    async def get_call(self, call_id: str) -> CallDetail: ...


async def scan(
    client: CallLister,
    tracked: dict[str, TrackedCall],
    unknown: dict[int, UnknownDial],
    lag: ClockLag | None = None,
) -> ScanResult:
    """One pass over call-list covering every tracked call and unknown dial (from where
    `reconcile.scan_floor` says)."""
    result = ScanResult()
    lower_ms = scan_floor(tracked.values(), unknown.values(), lag or ClockLag())
    if lower_ms is None:
        return result
    wanted = set(tracked)
    pairs = {(u.from_number, u.to_number) for u in unknown.values()}
    # Every scan is budgeted as "call-list": the team's scan election and the adaptive
    # interval both count scans by that kind.
    calls = client.iter_calls(direction="outgoing", start_after_ms=lower_ms, sort_order="ascending")
    async with aclosing(calls):
        async for call in calls:
            if call.call_id in wanted:
                result.seen[call.call_id] = call
            pair = (call.from_number or "", call.to_number or "")
            if pair in pairs:
                result.candidates.setdefault(pair, []).append(call)
            # Unknown dials need the whole range; tracked calls only until all are seen.
            if not unknown and len(result.seen) == len(wanted):
                break
    return result
