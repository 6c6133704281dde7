"""The oracle: the same calls as a campaign, scheduled by a runner that knew every call's end
the instant it happened.

It takes the simulator's ground truth (each number's planned outcome and durations for its
1st, 2nd, ... dial, `World.planned_outcome`) and schedules the campaign as the engine's rules
say, with nothing but dials costing a request:
- dials in list order, never-dialed contacts first, then due redials (the engine's order);
- a redial of a retryable failure (busy, no_answer, error) `retry_delay(status)` after the
  call ended, until `max_attempts` calls were placed;
- dials held to the plan's rate (at most `rate` in any 60 s, as the engine's budget) and to
  the concurrent-call cap (a line is busy from the dial to the hang-up).
A line is free, and a redial due, the instant a call ends: no scan, no call-get, no lag.

    result = schedule(numbers, world.planned_outcome, rate=60, lines=10, max_attempts=3,
                      retry_delays={"busy": 600, ...})
    result.wall        # seconds from the first dial to the last hang-up
    result.dials       # requests the oracle spent (one per call)
    result.connected   # connected calls (each needs a call-get unless a webhook brought it)
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from campaign.simulator.calls import INITIATED_SECONDS, Outcome
from campaign.voicy.models import RETRYABLE_STATUSES, status_category

WINDOW = 60.0


@dataclass(frozen=True)
class OracleCall:
    position: int
    number: str
    attempt: int  # 0-based
    start: float
    end: float
    status: str

    @property
    def connected(self) -> bool:
        return status_category(self.status) == "connected"


@dataclass
class OracleResult:
    calls: list[OracleCall] = field(default_factory=list)
    #: When the last call-get was spent (with `call_gets`).
    last_get: float = 0.0

    @property
    def wall(self) -> float:
        """First dial (0) to the last hang-up, or to the last call-get with `call_gets`."""
        return max(max((c.end for c in self.calls), default=0.0), self.last_get)

    @property
    def dials(self) -> int:
        return len(self.calls)

    @property
    def connected(self) -> int:
        return sum(1 for c in self.calls if c.connected)

    @property
    def line_seconds(self) -> float:
        """Total time the calls held a line (dial to hang-up)."""
        return sum(c.end - c.start for c in self.calls)

    def lower_bound(self, rate: int, lines: int) -> float:
        """No schedule of these calls ends sooner: the last dial cannot go before minute
        (dials - 1) // rate, and the calls need their line time spread over the lines."""
        last_dial = (self.dials - 1) // rate * WINDOW if self.dials else 0.0
        return max(last_dial, self.line_seconds / lines)

    @property
    def required_requests(self) -> int:
        """A dial per call and a call-get per connected call (what polling must spend)."""
        return self.dials + self.connected


def call_length(outcome: Outcome) -> float:
    """Dial to hang-up, as the simulator's timeline has it (see `SimCall`)."""
    return INITIATED_SECONDS + outcome.ring_seconds + outcome.talk_seconds


def schedule(
    numbers: Sequence[str],
    planned: Callable[[str, int], Outcome],
    *,
    rate: int,
    lines: int,
    max_attempts: int,
    retry_delays: Mapping[str, float],
    call_gets: bool = False,
) -> OracleResult:
    """Schedule every contact of `numbers` (list order) to its final call; see the module.

    `call_gets`: also spend a call-get on each connected call from the instant it ends
    (after any dial that is possible then): the bound of a runner that must fetch details.
    """
    result = OracleResult()
    fresh = deque(range(len(numbers)))  # never dialed, in list order
    redials: list[tuple[float, int]] = []  # (due, position)
    ready: list[int] = []  # redials due now, by position
    attempts = [0] * len(numbers)
    busy: list[float] = []  # end times of calls in progress
    granted: deque[float] = deque()  # request times of the last minute
    gets: list[float] = []  # connected calls' ends whose call-get is still to spend
    now = 0.0
    while fresh or redials or ready or gets:
        while redials and redials[0][0] <= now:
            heapq.heappush(ready, heapq.heappop(redials)[1])
        while busy and busy[0] <= now:
            heapq.heappop(busy)
        while granted and granted[0] + WINDOW <= now:
            granted.popleft()
        budget = len(granted) < rate
        waiting = bool(fresh or ready)
        if waiting and budget and len(busy) < lines:
            position = fresh.popleft() if fresh else heapq.heappop(ready)
            number = numbers[position]
            attempt = attempts[position]
            outcome = planned(number, attempt)
            end = now + call_length(outcome)
            attempts[position] += 1
            granted.append(now)
            heapq.heappush(busy, end)
            call = OracleCall(position, number, attempt, now, end, outcome.status)
            result.calls.append(call)
            if call_gets and call.connected:
                heapq.heappush(gets, end)
            if outcome.status in RETRYABLE_STATUSES and attempts[position] < max_attempts:
                delay = float(retry_delays.get(outcome.status, retry_delays.get("*", 300.0)))
                heapq.heappush(redials, (end + delay, position))
            continue
        if gets and gets[0] <= now and budget:
            heapq.heappop(gets)
            granted.append(now)
            result.last_get = now
            continue
        # Nothing to do now: move to the first instant something that blocks may clear.
        blockers = []
        if not budget:
            blockers.append(granted[0] + WINDOW)
        if waiting and len(busy) >= lines:
            blockers.append(busy[0])
        if not waiting and redials:
            blockers.append(redials[0][0])
        if gets and gets[0] > now:
            blockers.append(gets[0])
        now = max(now, min(blockers))
    return result
