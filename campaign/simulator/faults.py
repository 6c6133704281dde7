"""Injected failures: the ways a real API answer goes wrong, drawn from a seeded RNG.

Dial faults are exclusive; one uniform draw per dial picks at most one of them:
- `5xx`: a 503 before anything happens (no call).
- `ambiguous`: the call IS created, then the answer is a 502.
- `drop`: the call IS created, then the connection closes with no complete answer.
- `slow`: the call IS created, the answer comes `slow_seconds` later on the world's clock.
Reads (call-get, call-list, agent-*) only ever get the `5xx` fault.

An outage (`OutageWindow`, scheduled with `World.outage`) is not drawn: for its window on
the world's clock every request is dropped unanswered, then answered 503, then served.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Literal

DialFault = Literal["5xx", "ambiguous", "drop", "slow"]


@dataclass(frozen=True)
class Faults:
    p_5xx: float = 0.0
    p_ambiguous: float = 0.0
    p_drop: float = 0.0
    p_slow: float = 0.0
    slow_seconds: float = 30.0

    def __post_init__(self) -> None:
        probabilities = (self.p_5xx, self.p_ambiguous, self.p_drop, self.p_slow)
        if any(not 0.0 <= p <= 1.0 for p in probabilities):
            raise ValueError("fault probabilities must be between 0 and 1")
        if sum(probabilities) > 1.0 + 1e-9:
            raise ValueError("fault probabilities must add up to at most 1")
        if self.slow_seconds < 0:
            raise ValueError("slow_seconds must not be negative")

    @property
    def any(self) -> bool:
        return self.p_5xx + self.p_ambiguous + self.p_drop + self.p_slow > 0


NO_FAULTS = Faults()


class FaultPicker:
    """Draws faults in request order from its own seeded stream."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self._rng = random.Random(f"faults:{seed}")
        #: Ground truth: how many of each fault were served.
        self.served: Counter[str] = Counter()

    def for_dial(self) -> DialFault | None:
        """The fault for the next dial; the caller counts it with `count` once served."""
        f = self.faults
        if not f.any:
            return None
        u = self._rng.random()
        choices: tuple[tuple[DialFault, float], ...] = (
            ("5xx", f.p_5xx),
            ("ambiguous", f.p_ambiguous),
            ("drop", f.p_drop),
            ("slow", f.p_slow),
        )
        picked: DialFault | None = None
        for name, p in choices:
            if u < p:
                picked = name
                break
            u -= p
        return picked

    def count(self, fault: str) -> None:
        """Record a fault that was actually served (a drawn fault may be preempted)."""
        self.served[fault] += 1

    def for_read(self) -> bool:
        """True when this read must be refused with a 503."""
        if self.faults.p_5xx <= 0:
            return False
        hit = self._rng.random() < self.faults.p_5xx
        if hit:
            self.served["5xx"] += 1
        return hit


OutagePhase = Literal["refused", "unavailable"]


@dataclass(frozen=True)
class OutageWindow:
    """An API outage on the world's clock: from `start`, `refused` seconds in which every
    request is read and dropped unanswered (the closest an in-process server comes to a
    refused connection: no call is created, the client cannot tell), then `unavailable`
    seconds of 503 to everything, then back."""

    start: float
    refused: float = 0.0
    unavailable: float = 0.0

    @property
    def end(self) -> float:
        return self.start + self.refused + self.unavailable

    def phase(self, now: float) -> OutagePhase | None:
        if now < self.start or now >= self.end:
            return None
        return "refused" if now < self.start + self.refused else "unavailable"
