"""One request budget for every endpoint, kept in step with the server's X-RateLimit headers.

The budget is a sliding 60-second log of granted requests: never more than `rate` in any
window, which also keeps any fixed server window under its limit. Waiting requests are
served by priority (dials first, details before polls) so dials never starve, and the
server's own `remaining`/`reset` figures, or a 429, pause everyone until the reset: the
key may be shared with other programs the budget cannot see.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

import anyio

from campaign.clock import Clock, sleep_until
from campaign.voicy.models import RateLimit

#: Lower runs first.
PRIORITY = {
    "call-dial": 0,
    "reconcile": 1,
    "call-get": 2,
    "agent-get": 2,
    "agent-list": 2,
    "call-list": 3,
}

#: What the request about to be sent is for, when the endpoint alone does not say (a
#: call-list scan resolving unknown dials goes before one that only refreshes statuses).
request_kind: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "campaign_request_kind", default=None
)

WINDOW_SECONDS = 60.0
#: Slack for clock skew and transit time between us and a real server.
SAFETY_SECONDS = 0.25
#: A waiting request re-checks at least this often (in clock seconds).
MAX_NAP = 1.0


class RequestBudget:
    """`await budget.acquire(kind)` before every request; `observe()` after every answer."""

    def __init__(self, rate_per_minute: int, clock: Clock) -> None:
        if rate_per_minute < 1:
            raise ValueError("rate must be at least 1 request per minute")
        self.rate = rate_per_minute
        self.clock = clock
        self._log: deque[float] = deque()
        self._kinds: deque[str] = deque()
        self._waiters: list[list[float]] = []
        self._counter = itertools.count()
        self._changed = anyio.Event()
        self._blocked_until = 0.0
        self._server_remaining: int | None = None
        self._server_reset = 0.0
        self.granted = 0
        self.rate_limited = 0
        self.granted_by_kind: dict[str, int] = {}
        #: Told (clock time, kind) of every request granted (a benchmark's ledger of them).
        self.on_grant: Callable[[float, str], None] | None = None

    # --- figures ------------------------------------------------------------------------

    def used_last_minute(self, exclude: str | None = None) -> int:
        self._expire(self.clock.time())
        if exclude is None:
            return len(self._log)
        return sum(1 for kind in self._kinds if kind != exclude)

    @property
    def limit(self) -> int:
        return self.rate

    # --- granting -----------------------------------------------------------------------

    def _expire(self, now: float) -> None:
        horizon = now - WINDOW_SECONDS - SAFETY_SECONDS
        while self._log and self._log[0] <= horizon:
            self._log.popleft()
            self._kinds.popleft()

    def _next_grant_time(self, now: float) -> float:
        """Earliest instant a request may be sent (== now when one may go at once)."""
        self._expire(now)
        at = now
        if self._blocked_until > at:
            at = self._blocked_until
        if (
            self._server_remaining is not None
            and self._server_remaining <= 0
            and self._server_reset > now
        ):
            at = max(at, self._server_reset + SAFETY_SECONDS)
        if len(self._log) >= self.rate:
            at = max(at, self._log[len(self._log) - self.rate] + WINDOW_SECONDS + SAFETY_SECONDS)
        return at

    def next_free_in(self) -> float:
        now = self.clock.time()
        return max(0.0, self._next_grant_time(now) - now)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def acquire(self, kind: str = "call-list") -> None:
        entry: list[float] = [PRIORITY.get(kind, 3), next(self._counter)]
        heapq.heappush(self._waiters, entry)
        try:
            while True:
                now = self.clock.time()
                if self._waiters[0] is entry:
                    at = self._try_grant(now, kind)
                    if at <= now:
                        heapq.heappop(self._waiters)
                        self._notify()
                        return
                    changed = self._changed
                    with anyio.move_on_after(MAX_NAP):
                        await sleep_until(self.clock, min(at, now + MAX_NAP * 60))
                    if changed.is_set():
                        continue
                else:
                    changed = self._changed
                    with anyio.move_on_after(MAX_NAP):
                        await changed.wait()
        except BaseException:
            if entry in self._waiters:
                self._waiters.remove(entry)
                heapq.heapify(self._waiters)
                self._notify()
            raise

    def _try_grant(self, now: float, kind: str) -> float:
        """Grant a request at `now` (and return `now`), or return when to ask again."""
        at = self._next_grant_time(now)
        if at <= now:
            self._grant(now, kind)
        return at

    def last_shared_grant(self, kind: str) -> float | None:
        """When any runner sharing the key was last granted a `kind` request (none here)."""
        return None

    def _grant(self, now: float, kind: str) -> None:
        self._log.append(now)
        self._kinds.append(kind)
        self.granted += 1
        self.granted_by_kind[kind] = self.granted_by_kind.get(kind, 0) + 1
        if self.on_grant is not None:
            self.on_grant(now, kind)
        if self._server_remaining is not None and now < self._server_reset:
            self._server_remaining -= 1

    # --- keeping in step with the server -----------------------------------------------

    def observe(self, rate_limit: RateLimit | None, status_code: int) -> None:
        now = self.clock.time()
        if rate_limit is not None:
            reset = rate_limit.reset_at(now)
            if rate_limit.limit is not None and rate_limit.limit < self.rate:
                # The plan is smaller than --rate: never plan past what the server allows.
                self.rate = rate_limit.limit
            if rate_limit.remaining is not None and reset is not None:
                if reset > self._server_reset + 0.5 or self._server_remaining is None:
                    self._server_remaining = rate_limit.remaining
                    self._server_reset = reset
                elif abs(reset - self._server_reset) <= 0.5:
                    self._server_remaining = min(self._server_remaining, rate_limit.remaining)
        if status_code == 429:
            self.rate_limited += 1
            reset = rate_limit.reset_at(now) if rate_limit else None
            self.block_until(reset if reset and reset > now else now + 5.0)

    def block_until(self, unix_seconds: float) -> None:
        if unix_seconds > self._blocked_until:
            self._blocked_until = unix_seconds
            self._notify()


class Gated(Protocol):
    """A client whose requests pass through hooks (see `campaign.voicy.client`)."""

    before_request: Callable[[str], Awaitable[None]] | None
    on_response: Callable[[str, int, RateLimit | None], None] | None


def gate(client: Gated, budget: RequestBudget) -> None:
    """Every request of `client` waits for `budget` (dials excepted: the dispatcher takes
    their tokens before writing the intent), and every answer keeps the budget in step."""

    async def before_request(endpoint: str) -> None:
        if endpoint != "call-dial":
            await budget.acquire(request_kind.get() or endpoint)

    def on_response(endpoint: str, status: int, rate_limit: RateLimit | None) -> None:
        budget.observe(rate_limit, status)

    client.before_request = before_request
    client.on_response = on_response
