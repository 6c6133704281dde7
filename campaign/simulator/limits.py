"""Plans and the fixed-window request budget the simulator enforces.

Voicy counts requests per API key in fixed one-minute windows aligned to the clock
(a window starts at a multiple of 60 unix seconds); every endpoint draws on the same budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Plan:
    """The limits of one Voicy plan."""

    name: str
    requests_per_minute: int
    concurrent_calls: int
    max_call_seconds: float


PLANS: dict[str, Plan] = {
    "standard": Plan(
        "standard", requests_per_minute=60, concurrent_calls=10, max_call_seconds=1800
    ),
    "enterprise": Plan("enterprise", 600, 100, 3600),
    # Not a real plan: limits so large they never bind, to measure engine overhead alone.
    "unlimited": Plan("unlimited", 1_000_000_000, 1_000_000_000, 3600),
}


def window_start(t: float) -> int:
    """Unix seconds at which the window holding instant `t` began."""
    return math.floor(t / WINDOW_SECONDS) * WINDOW_SECONDS


@dataclass(frozen=True)
class Admission:
    """The rate-limit verdict on one request, and the headers that report it."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # unix seconds when the window ends
    retry_after: int  # whole seconds until the reset (at least 1)

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class RequestBudget:
    """One key's fixed-window counter; every request counts, served or refused."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._window = -1
        self._count = 0
        #: Ground truth: window start → requests made in it (served or refused).
        self.requests_per_window: dict[int, int] = {}

    def _roll(self, t: float) -> int:
        start = window_start(t)
        if start != self._window:
            self._window = start
            self._count = self.requests_per_window.get(start, 0)
        return start

    def admit(self, t: float) -> Admission:
        """Count one request at `t` and say whether it is within the budget."""
        start = self._roll(t)
        self._count += 1
        self.requests_per_window[start] = self._count
        return self._verdict(t, start, allowed=self._count <= self.limit)

    def peek(self, t: float) -> Admission:
        """The current state without counting a request (for unauthenticated answers)."""
        start = self._roll(t)
        return self._verdict(t, start, allowed=True)

    def _verdict(self, t: float, start: int, *, allowed: bool) -> Admission:
        reset = start + WINDOW_SECONDS
        return Admission(
            allowed=allowed,
            limit=self.limit,
            remaining=max(0, self.limit - self._count),
            reset=reset,
            retry_after=max(1, math.ceil(reset - t)),
        )
