"""The simulated Voicy account: its numbers, agents, calls, request budget and ground truth.

The world is plain synchronous state behind one lock, so the ASGI app (on any thread) and a
test reading the ground truth never see it half-updated. Times come from the injected clock.
"""

from __future__ import annotations

import bisect
import heapq
import random
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from campaign.clock import Clock, SystemClock
from campaign.simulator.agents import DEFAULT_AGENT_ID, DEFAULT_AGENTS, SimAgent
from campaign.simulator.calls import (
    Outcome,
    OutcomeTable,
    SimCall,
    check_final_status,
    plan_outcome,
)
from campaign.simulator.faults import (
    NO_FAULTS,
    DialFault,
    FaultPicker,
    Faults,
    OutagePhase,
    OutageWindow,
)
from campaign.simulator.limits import PLANS, Admission, Plan, RequestBudget

TEST_API_KEY = "voicy_sk_test_simulator_7f3a9c2e51d84b06"
DEFAULT_FROM_NUMBERS: tuple[str, ...] = ("+12125550100", "+12125550101", "+442079460000")

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def is_e164(value: object) -> bool:
    return isinstance(value, str) and E164.match(value) is not None


class Refusal(Exception):
    """A request the API answers with an error status and `{"error": message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ListQuery:
    """A parsed call-list request. None in a filter means "no filter"."""

    agent_ids: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    directions: frozenset[str] | None = None
    lower_ms: int | None = None
    upper_ms: int | None = None
    descending: bool = True
    limit: int = 50
    pagination_key: str | None = None


class World:
    def __init__(
        self,
        clock: Clock | None = None,
        plan: Plan = PLANS["standard"],
        seed: int = 0,
        faults: Faults | None = None,
        api_key: str = TEST_API_KEY,
        from_numbers: Iterable[str] = DEFAULT_FROM_NUMBERS,
        call_seconds: tuple[float, float] = (10, 60),
        ring_seconds: tuple[float, float] = (2, 8),
        outcome_weights: Mapping[str, float] | None = None,
        list_lag_seconds: float = 0.0,
        agents: Sequence[SimAgent] = DEFAULT_AGENTS,
    ) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.plan = plan
        self.seed = seed
        self.faults = faults if faults is not None else NO_FAULTS
        self.api_key = api_key
        self.from_numbers = tuple(from_numbers)
        bad = [n for n in self.from_numbers if not is_e164(n)]
        if bad:
            raise ValueError(f"from_numbers must be E.164 (+15551234567): {bad}")
        self.call_seconds = _check_range("call_seconds", call_seconds)
        self.ring_seconds = _check_range("ring_seconds", ring_seconds)
        self.list_lag_seconds = float(list_lag_seconds)
        self.agents: dict[str, SimAgent] = {a.agent_id: a for a in agents}
        #: from_number → its default agent.
        self.number_agents = {n: DEFAULT_AGENT_ID for n in self.from_numbers}
        self._table = OutcomeTable(outcome_weights)
        self._lock = threading.RLock()
        # Ids are unique across worlds (a restarted simulator never repeats one), as real ids are.
        self._ids = random.Random(uuid.uuid4().int)
        self._calls: list[SimCall] = []  # sorted by (start_ms, seq)
        self._keys: list[tuple[int, int]] = []  # (start_ms, seq) of each call, for bisect
        self._by_id: dict[str, SimCall] = {}
        self._active_ends: list[float] = []  # heap of end times of calls that may be active
        self._scripts: dict[str, list[str]] = {}
        self._scripted_extracted: dict[str, dict[str, Any]] = {}
        self._budget = RequestBudget(plan.requests_per_minute)
        self._faults = FaultPicker(self.faults, seed)
        #: Scheduled API outages (`outage`); requests served during them, by phase.
        self.outages: list[OutageWindow] = []
        self.served_in_outage: Counter[str] = Counter()
        # Ground truth.
        self.dial_counts: Counter[str] = Counter()
        self.requests_by_endpoint: Counter[str] = Counter()
        self.served_429 = 0
        self.served_concurrency_429 = 0
        #: Told of every call created (under the world's lock: must be quick, must not call
        #: back into the world), e.g. the webhook sender.
        self.call_listeners: list[Callable[[SimCall], None]] = []

    # --- requests ------------------------------------------------------------------------

    def admit(self, api_key: str | None, endpoint: str) -> tuple[bool, Admission]:
        """(authorized, rate verdict) for one request. Unknown keys draw on no budget."""
        with self._lock:
            self.requests_by_endpoint[endpoint] += 1
            now = self.clock.time()
            if api_key != self.api_key:
                return False, self._budget.peek(now)
            admission = self._budget.admit(now)
            if not admission.allowed:
                self.served_429 += 1
            return True, admission

    def draw_dial_fault(self) -> DialFault | None:
        with self._lock:
            fault = self._faults.for_dial()
            if fault == "5xx":
                self._faults.count(fault)
            return fault

    def outage(self, start_in: float, *, refused: float = 0.0, unavailable: float = 0.0) -> None:
        """Schedule an API outage `start_in` seconds from now (see `OutageWindow`)."""
        with self._lock:
            start = self.clock.time() + start_in
            self.outages.append(OutageWindow(start, refused, unavailable))

    def outage_phase(self, endpoint: str) -> OutagePhase | None:
        """The outage phase a request to `endpoint` meets now (counted), or None."""
        with self._lock:
            now = self.clock.time()
            for window in self.outages:
                phase = window.phase(now)
                if phase is not None:
                    self.served_in_outage[f"{endpoint}:{phase}"] += 1
                    return phase
            return None

    def draw_read_fault(self) -> bool:
        with self._lock:
            return self._faults.for_read()

    def dial(
        self,
        from_number: str,
        to_number: str,
        override_agent_id: str | None = None,
        vars_provided: Mapping[str, Any] | None = None,
        fault: DialFault | None = None,
    ) -> SimCall:
        """Create a call, or raise Refusal (422 number, 404 agent, 429 concurrency)."""
        with self._lock:
            agent_id = self.number_agents.get(from_number)
            if agent_id is None:
                raise Refusal(422, f"from_number {from_number} is not assigned to this account")
            if override_agent_id is not None:
                if override_agent_id not in self.agents:
                    raise Refusal(404, f"Agent {override_agent_id} not found")
                agent_id = override_agent_id
            now = self.clock.time()
            active = self._active_ends
            while active and active[0] <= now:
                heapq.heappop(active)
            if len(active) >= self.plan.concurrent_calls:
                self.served_concurrency_429 += 1
                raise Refusal(
                    429,
                    f"Concurrent call limit reached ({self.plan.concurrent_calls} calls in "
                    "progress). Retry when a call ends.",
                )
            attempt = self.dial_counts[to_number]
            call = SimCall(
                call_id=str(uuid.UUID(int=self._ids.getrandbits(128), version=4)),
                seq=len(self._calls),
                from_number=from_number,
                to_number=to_number,
                agent_id=agent_id,
                vars_provided=dict(vars_provided or {}),
                attempt_index=attempt,
                start=now,
                outcome=self._outcome(to_number, attempt),
                fault=fault if fault != "5xx" else None,
                scripted_extracted=dict(self._scripted_extracted.get(to_number, {})),
            )
            if call.fault is not None:
                self._faults.count(call.fault)
            self.dial_counts[to_number] += 1
            self._insert(call)
            heapq.heappush(active, call.end)
            for listener in self.call_listeners:
                listener(call)
            return call

    def _insert(self, call: SimCall) -> None:
        key = (call.start_ms, call.seq)
        if not self._keys or key >= self._keys[-1]:
            self._keys.append(key)
            self._calls.append(call)
        else:  # the clock was set back: keep the order by start time
            i = bisect.bisect(self._keys, key)
            self._keys.insert(i, key)
            self._calls.insert(i, call)
        self._by_id[call.call_id] = call

    def get_call(self, call_id: str) -> SimCall | None:
        with self._lock:
            return self._by_id.get(call_id)

    def list_calls(self, query: ListQuery) -> tuple[list[SimCall], int]:
        """One page of calls visible in call-list, and how many match in all."""
        if query.directions is not None and "outgoing" not in query.directions:
            return [], 0  # every simulated call is outgoing
        with self._lock:
            now = self.clock.time()
            # New calls show up in the list only after the lag (the real index trails).
            visible_ms = int((now - self.list_lag_seconds) * 1000)
            upper = visible_ms if query.upper_ms is None else min(query.upper_ms, visible_ms)
            lo = 0 if query.lower_ms is None else bisect.bisect_left(self._keys, (query.lower_ms,))
            hi = max(lo, bisect.bisect_left(self._keys, (upper + 1,)))
            if query.pagination_key is not None:
                after = self._by_id.get(query.pagination_key)
                if after is None:
                    raise Refusal(400, "pagination_key is not a known call_id")
                start_i = bisect.bisect_left(self._keys, (after.start_ms, after.seq))
            else:
                start_i = hi if query.descending else lo - 1
            if query.descending:
                order: Iterable[int] = range(min(start_i, hi) - 1, lo - 1, -1)
            else:
                order = range(max(start_i + 1, lo), hi)
            page: list[SimCall] = []
            for i in order:
                call = self._calls[i]
                if _matches(query, call, now):
                    page.append(call)
                    if len(page) >= query.limit:
                        break
            if query.agent_ids is None and query.statuses is None:
                total = hi - lo
            else:
                total = sum(1 for i in range(lo, hi) if _matches(query, self._calls[i], now))
            return page, total

    def agent(self, agent_id: str) -> SimAgent | None:
        return self.agents.get(agent_id)

    # --- outcomes --------------------------------------------------------------------------

    def script(self, to_number: str, statuses: Iterable[str]) -> None:
        """Force the final statuses of the 1st, 2nd, ... dial ever made to `to_number`.

        Entries are by absolute dial index (0 = first dial); dials past the script draw as
        usual. Scripting after some dials were made only affects the later ones.
        """
        checked = [check_final_status(s) for s in statuses]
        with self._lock:
            self._scripts[to_number] = checked

    def script_extracted(self, to_number: str, values: Mapping[str, Any]) -> None:
        """Force these vars_extracted on every connected call to `to_number` dialed from now on
        (e.g. `{"opt_out": True}`: the person asks not to be called again)."""
        with self._lock:
            self._scripted_extracted[to_number] = dict(values)

    def planned_status(self, to_number: str, attempt_index: int) -> str:
        """The status the dial number `attempt_index` (0-based) to `to_number` ends with."""
        with self._lock:
            return self._outcome(to_number, attempt_index).status

    def planned_outcome(self, to_number: str, attempt_index: int) -> Outcome:
        """Status and durations of dial number `attempt_index` (0-based) to `to_number`:
        the ground truth an oracle schedules (see `SimCall` for the timeline)."""
        with self._lock:
            return self._outcome(to_number, attempt_index)

    def _outcome(self, to_number: str, attempt_index: int) -> Outcome:
        scripted = self._scripts.get(to_number, [])
        return plan_outcome(
            self.seed,
            to_number,
            attempt_index,
            table=self._table,
            ring_seconds=self.ring_seconds,
            call_seconds=self.call_seconds,
            max_call_seconds=self.plan.max_call_seconds,
            scripted=scripted[attempt_index] if attempt_index < len(scripted) else None,
        )

    # --- ground truth ------------------------------------------------------------------------

    @property
    def calls(self) -> list[SimCall]:
        """Every call created, in start order."""
        with self._lock:
            return list(self._calls)

    def status_of(self, call_id: str, at: float | None = None) -> str:
        call = self.get_call(call_id)
        if call is None:
            raise KeyError(call_id)
        return call.status_at(self.clock.time() if at is None else at)

    def active_calls(self, at: float | None = None) -> int:
        t = self.clock.time() if at is None else at
        return sum(1 for c in self.calls if c.is_active(t))

    @property
    def max_concurrent(self) -> int:
        """The exact peak of simultaneously active calls, swept over every call interval."""
        # An end at t sorts before a start at t: intervals are [start, end).
        calls = self.calls
        events = sorted([(c.start, 1) for c in calls] + [(c.end, -1) for c in calls])
        peak = level = 0
        for _, delta in events:
            level += delta
            peak = max(peak, level)
        return peak

    @property
    def requests_per_window(self) -> dict[int, int]:
        """Window start (unix s) → requests the account key made in it, served or refused."""
        with self._lock:
            return dict(self._budget.requests_per_window)

    @property
    def max_requests_in_any_window(self) -> int:
        return max(self.requests_per_window.values(), default=0)

    @property
    def faults_served(self) -> Counter[str]:
        with self._lock:
            return Counter(self._faults.served)


def _matches(query: ListQuery, call: SimCall, now: float) -> bool:
    if query.agent_ids is not None and call.agent_id not in query.agent_ids:
        return False
    return query.statuses is None or call.status_at(now) in query.statuses


def _check_range(name: str, value: tuple[float, float]) -> tuple[float, float]:
    low, high = (float(v) for v in value)
    if low < 0 or high < low:
        raise ValueError(f"{name} must be (low, high) with 0 <= low <= high")
    return low, high
