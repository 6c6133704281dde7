"""The receiver's wake-up for runners in the same process: a nudge, never a second path.

    relay = DeliveryRelay()
    async with listening(db, spec, clock=clock, on_delivery=relay):     # or WebhookReceiver
        with relay.attached(runner.delivery_arrived):
            await runner.run()

A delivery is stored in the inbox (and answered 200) first; only then is the relay told, and
each runner attached to it reads its campaign's pending inbox entries at once instead of at
its next periodic read. The inbox stays the one way a delivery reaches a runner: a runner
in another process, or one attached late, finds the same rows on its own schedule. Repeats
and unknown calls (nothing new to read) wake nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from campaign.store.inbox import Stored

#: Told that a new delivery is in the inbox (e.g. `Runner.delivery_arrived`); must not block.
Listener = Callable[[], None]

log = logging.getLogger("campaign.receiver")


class DeliveryRelay:
    """An `OnDelivery` hook that wakes every attached listener when a delivery is new."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def __call__(self, call_id: str, stored: Stored) -> None:
        if stored is not Stored.NEW:
            return
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # one runner's failing hook never keeps the others asleep
                log.exception("a delivery listener failed")

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    @contextmanager
    def attached(self, listener: Listener) -> Iterator[None]:
        """Wake `listener` on each new delivery while the block runs."""
        self._listeners.append(listener)
        try:
            yield
        finally:
            self._listeners.remove(listener)
