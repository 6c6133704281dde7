"""When and how long idempotent reads are retried (never a dial: it could ring twice).

Retried: 5xx, 429 and transport failures. Not retried: 4xx answers that the same request
would get again. A 429 waits until the rate window resets; anything else backs off
exponentially with jitter. Every wait runs on the injected clock.
"""

from __future__ import annotations

import logging
import random

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from campaign.clock import Clock
from campaign.voicy.errors import RateLimited, ServerError, TransportError

log = logging.getLogger("campaign.voicy")

#: Backoff for 5xx and transport failures: 0.5 s, 1 s, 2 s, … capped, plus up to 0.5 s jitter.
_BACKOFF = wait_exponential(multiplier=0.5, max=20.0) + wait_random(0.0, 0.5)
#: Past a window reset: a server that counts the reset second in the old window still lets
#: the retry through, and spread readers do not all wake on the same instant.
_RESET_MARGIN = 0.25
_RESET_JITTER = 0.5
#: The rate window is one minute; a longer wait means clocks disagree, so do not trust it.
MAX_RATE_LIMIT_WAIT = 120.0


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ServerError | RateLimited | TransportError)


def rate_limit_wait(error: RateLimited, now: float) -> float | None:
    """Seconds until the 429's window is over, or None when the answer does not say."""
    waits: list[float] = []
    if error.retry_after is not None:
        waits.append(error.retry_after)
    if error.reset_at is not None:
        waits.append(error.reset_at - now)
    if not waits:
        return None
    wait = max(waits) + _RESET_MARGIN + random.uniform(0.0, _RESET_JITTER)
    return min(max(0.0, wait), MAX_RATE_LIMIT_WAIT)


def read_retrying(clock: Clock, retries: int) -> AsyncRetrying:
    """A fresh tenacity loop for one read: `retries` retries after the first attempt."""

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited):
            until_reset = rate_limit_wait(exc, clock.time())
            if until_reset is not None:
                return until_reset
        return float(_BACKOFF(state))

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.info("%s; retry %d/%d in %.1fs", exc, state.attempt_number, retries, delay)

    return AsyncRetrying(
        sleep=clock.sleep,
        stop=stop_after_attempt(retries + 1),
        wait=wait,
        retry=retry_if_exception(is_retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
