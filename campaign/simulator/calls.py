"""One simulated call: its planned outcome and a timeline derived from the clock.

Nothing runs in the background: a call's status at any instant is computed from its start
time and its planned durations, so a clock that jumps ahead stays consistent.

    initiated (1 s) ─┬─ error                                  (technical failure)
                     └─ ringing (ring_seconds) ─┬─ busy / no_answer / canceled
                                                └─ ongoing (call_seconds) ─ end status
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from campaign.voicy.models import FAILED_STATUSES, IN_PROGRESS_STATUSES

INITIATED_SECONDS = 1.0

#: Final statuses and their weights: ~70% connect, 15% no answer, 10% busy, 5% error.
#: `ended` is the call-dial page's own word for a successful call, so clients meet it.
DEFAULT_OUTCOME_WEIGHTS: dict[str, float] = {
    "user_hangup": 0.42,
    "agent_hangup": 0.20,
    "inactivity": 0.05,
    "ended": 0.03,
    "no_answer": 0.15,
    "busy": 0.10,
    "error": 0.05,
}

ACTIVE_STATUSES = frozenset({"initiated", "ringing", "ongoing"})


def check_final_status(status: str) -> str:
    """A status a call may end with; in-progress statuses are refused."""
    if not isinstance(status, str) or not status or status in IN_PROGRESS_STATUSES:
        raise ValueError(f"{status!r} is not a final call status (e.g. busy, user_hangup)")
    return status


class OutcomeTable:
    """Weighted choice of a final status from one uniform draw."""

    def __init__(self, weights: Mapping[str, float] | None = None) -> None:
        weights = dict(DEFAULT_OUTCOME_WEIGHTS if weights is None else weights)
        if not weights or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError("outcome_weights needs at least one positive weight")
        self.statuses = tuple(check_final_status(s) for s in weights)
        self._cumulative = list(itertools.accumulate(weights.values()))
        self._total = self._cumulative[-1]

    def pick(self, u: float) -> str:
        i = bisect.bisect_right(self._cumulative, u * self._total)
        return self.statuses[min(i, len(self.statuses) - 1)]


@dataclass(frozen=True)
class Outcome:
    """What the n-th dial to one number will do, fixed by (seed, number, n)."""

    status: str
    ring_seconds: float
    talk_seconds: float
    content_seed: int


def plan_outcome(
    seed: int,
    to_number: str,
    attempt_index: int,
    *,
    table: OutcomeTable,
    ring_seconds: tuple[float, float],
    call_seconds: tuple[float, float],
    max_call_seconds: float,
    scripted: str | None = None,
) -> Outcome:
    rng = random.Random(f"{seed}|{to_number}|{attempt_index}")
    # Always draw the status first, so a scripted status leaves the other draws unchanged.
    drawn = table.pick(rng.random())
    status = scripted if scripted is not None else drawn
    ring = rng.uniform(*ring_seconds)
    talk = min(rng.uniform(*call_seconds), max_call_seconds)
    content_seed = rng.getrandbits(32)
    if status == "error":
        ring, talk = 0.0, 0.0
    elif status in FAILED_STATUSES:
        talk = 0.0
    return Outcome(status, ring, talk, content_seed)


@dataclass(slots=True, eq=False)
class SimCall:
    """A created call. `start`, `ring_at`, `answer_at` and `end` are unix seconds."""

    call_id: str
    seq: int
    from_number: str
    to_number: str
    agent_id: str
    vars_provided: dict[str, Any]
    attempt_index: int
    start: float
    outcome: Outcome
    #: The fault served with the dial's answer (`ambiguous`, `drop`, `slow`) or None.
    fault: str | None = None
    #: vars_extracted values forced by `World.script_extracted` (win over the drawn ones).
    scripted_extracted: dict[str, Any] = field(default_factory=dict)
    direction: str = "outgoing"
    call_type: str = "phone_call"
    start_ms: int = field(init=False)
    ring_at: float = field(init=False)
    answer_at: float = field(init=False)
    end: float = field(init=False)

    def __post_init__(self) -> None:
        self.start_ms = int(self.start * 1000)
        self.ring_at = self.start + INITIATED_SECONDS
        self.answer_at = self.ring_at + self.outcome.ring_seconds
        self.end = self.answer_at + self.outcome.talk_seconds

    @property
    def final_status(self) -> str:
        return self.outcome.status

    @property
    def connected(self) -> bool:
        return self.outcome.talk_seconds > 0

    @property
    def duration_ms(self) -> int:
        """Length of the whole call, from dial to hang-up."""
        return round((self.end - self.start) * 1000)

    def status_at(self, t: float) -> str:
        if t < self.ring_at:
            return "initiated"
        if t < self.answer_at:
            return "ringing"
        if t < self.end:
            return "ongoing"
        return self.outcome.status

    def is_active(self, t: float) -> bool:
        return self.start <= t < self.end

    def has_ended(self, t: float) -> bool:
        return t >= self.end

    @property
    def timeline(self) -> list[tuple[str, float]]:
        """(status, from when) for every status the call goes through."""
        steps = [("initiated", self.start)]
        if self.answer_at > self.ring_at:
            steps.append(("ringing", self.ring_at))
        if self.end > self.answer_at:
            steps.append(("ongoing", self.answer_at))
        steps.append((self.outcome.status, self.end))
        return steps
