"""What a scan sees, and resolving dials whose outcome is unknown from the API's call list.

A dial that timed out, lost its connection or got a 5xx may have placed a call. Before the
contact may be dialed again, its call is looked for in call-list: an outgoing call from the
same from_number to the same to_number that started after the intent (less a skew margin)
and that no attempt in the database has claimed. Found: the attempt is linked and tracked
like any placed call. Not found after a grace period (the list may lag): not placed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from campaign.voicy.models import CallSummary

#: Calls may show a start a little before our intent (clock skew between us and the API).
SKEW_MS = 120_000
#: A tracked call not seen yet is looked for from its intent less this much, plus how far
#: the API's clock was seen to lag ours; a call a scan missed is looked for with `SKEW_MS`.
TRACKED_MARGIN_MS = 2_000
#: A call requested this recently may not be in the list yet: not missed.
LIST_LAG = timedelta(seconds=5)


@dataclass
class TrackedCall:
    """A placed call the runner follows to its end."""

    attempt_id: int
    contact_id: int
    call_id: str
    to_number: str
    from_number: str
    requested_at: datetime
    status: str = "initiated"
    #: Its start on the API's clock, once a scan saw it (the next scans start there).
    started_ms: int | None = None
    #: A whole scan passed without it although it was placed a while ago.
    missed: bool = False
    #: When a scan last saw it running (None: not yet; its request time stands in).
    seen_running_at: datetime | None = None


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass
class ClockLag:
    """How far behind ours the API's clock was seen to run, from the calls it listed."""

    lag_ms: int = 0

    def observe(self, requested_at: datetime, start_ms: int | None) -> None:
        if start_ms is not None:
            self.lag_ms = max(self.lag_ms, min(SKEW_MS, _ms(requested_at) - start_ms))

    @property
    def margin_ms(self) -> int:
        return min(SKEW_MS, TRACKED_MARGIN_MS + self.lag_ms)


def scan_floor(
    tracked: Iterable[TrackedCall], unknown: Iterable[UnknownDial], lag: ClockLag
) -> int | None:
    """Where a scan starts (`start_after_ms`): an unknown dial needs the whole skew margin
    (reconciling it must not miss its call); a tracked call seen before starts where the
    API said it did; one not seen yet needs the lag seen so far, or the whole margin once a
    scan missed it. None: nothing to look for."""
    floors = [_ms(dial.requested_at) - SKEW_MS for dial in unknown]
    for call in tracked:
        if call.started_ms is not None:
            floors.append(call.started_ms)
        else:
            margin = SKEW_MS if call.missed else lag.margin_ms
            floors.append(_ms(call.requested_at) - margin)
    return min(floors) if floors else None


@dataclass
class UnknownDial:
    attempt_id: int
    contact_id: int
    to_number: str
    from_number: str
    requested_at: datetime


@dataclass
class ScanResult:
    seen: dict[str, CallSummary] = field(default_factory=dict)
    #: Calls that may belong to unknown dials: (from, to) → summaries, oldest first.
    candidates: dict[tuple[str, str], list[CallSummary]] = field(default_factory=dict)


#: How long a dial stays unknown before "not in the list" means "not placed".
DEFAULT_GRACE = timedelta(seconds=90)


@dataclass(frozen=True)
class Match:
    dial: UnknownDial
    call: CallSummary


@dataclass(frozen=True)
class Resolution:
    matches: list[Match]
    not_placed: list[UnknownDial]
    still_unknown: list[UnknownDial]


def resolve(
    unknown: dict[int, UnknownDial],
    scan: ScanResult,
    claimed_call_ids: set[str],
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> Resolution:
    """Match unknown dials (oldest first) to unclaimed calls of the same pair."""
    matches: list[Match] = []
    not_placed: list[UnknownDial] = []
    still: list[UnknownDial] = []
    used = set(claimed_call_ids)
    for dial in sorted(unknown.values(), key=lambda d: (d.requested_at, d.attempt_id)):
        lower = int(dial.requested_at.timestamp() * 1000) - SKEW_MS
        found = None
        for call in scan.candidates.get((dial.from_number, dial.to_number), []):
            if call.call_id in used:
                continue
            if call.start_timestamp is not None and call.start_timestamp < lower:
                continue
            found = call
            break
        if found is not None:
            used.add(found.call_id)
            matches.append(Match(dial, found))
        elif now - dial.requested_at >= grace:
            not_placed.append(dial)
        else:
            still.append(dial)
    return Resolution(matches, not_placed, still)


def dial_for_delivery(
    unknown: Iterable[UnknownDial],
    from_number: str | None,
    to_number: str | None,
    start_ms: int | None,
) -> UnknownDial | None:
    """The unknown dial a delivered call (not claimed by any attempt) belongs to: the same
    pair, requested before the call started (less the skew margin); the oldest such dial,
    as `resolve` matches them."""
    fits = [
        dial
        for dial in unknown
        if dial.to_number == to_number
        and (not from_number or dial.from_number == from_number)
        and (start_ms is None or start_ms >= _ms(dial.requested_at) - SKEW_MS)
    ]
    return min(fits, key=lambda d: (d.requested_at, d.attempt_id), default=None)
