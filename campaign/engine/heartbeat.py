"""The runner's heartbeat: pause/cancel requests, its lock or lease, take-overs, counters.

Every second (on real time: it is about processes, not calls) the runner reads the
campaign's requested action. Every few seconds it renews its lock (SQLite) or lease
(PostgreSQL) and stops at once if another runner has taken over; in a team it also takes
over the open calls of teammates whose lease ran out.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio

from campaign.calls.ledger import Ledger
from campaign.calls.recovery import TakeOver
from campaign.calls.vocab import Action, StopReason
from campaign.clock import Clock
from campaign.engine.coordination import Coordination
from campaign.engine.ending import Ending
from campaign.engine.progress import RequestCounters


class Heartbeat:
    def __init__(
        self,
        ledger: Ledger,
        coordination: Coordination,
        *,
        clock: Clock,
        ending: Ending,
        counters: RequestCounters,
        adopt: Callable[[TakeOver], None],
        lost: Callable[[StopReason], None],
    ) -> None:
        self.ledger = ledger
        self.coordination = coordination
        self.clock = clock
        self.ending = ending
        self.counters = counters
        self.adopt = adopt
        self.lost = lost

    async def loop(self) -> None:
        every = self.coordination.heartbeat_every  # real seconds
        tick = min(1.0, every)
        per_beat = max(1, round(every / tick))
        beats = 0
        while True:
            await anyio.sleep(tick)
            beats += 1
            action = self.ledger.requested_action()
            if action is Action.PAUSE:
                self.ending.stop(StopReason.PAUSED)
            elif action is Action.CANCEL:
                self.ending.stop(StopReason.CANCELED)
            if beats % per_beat:
                continue
            lost = self.coordination.beat()
            if lost is not None:
                self.lost(lost)
            elif not self.ending.stopping:
                taken = self.coordination.take_over(self.ledger, self.clock.now(), starting=False)
                if taken:
                    self.adopt(taken)
            self.counters.flush()
