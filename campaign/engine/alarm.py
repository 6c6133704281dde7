"""An alarm a task can wait on until it rings or the campaign clock reaches a time."""

from __future__ import annotations

import anyio

from campaign.clock import Clock, sleep_until


class Alarm:
    """`ring()` wakes every current waiter; it can ring again for the next ones."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._event = anyio.Event()

    def ring(self) -> None:
        self._event.set()
        self._event = anyio.Event()

    async def wait(self, until: float) -> None:
        """Until the alarm rings or the clock reaches `until` (clock seconds)."""
        event = self._event
        async with anyio.create_task_group() as tg:

            async def sleeper() -> None:
                await sleep_until(self.clock, until)
                tg.cancel_scope.cancel()

            async def waiter() -> None:
                await event.wait()
                tg.cancel_scope.cancel()

            tg.start_soon(sleeper)
            tg.start_soon(waiter)
