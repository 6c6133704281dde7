"""The runner's own lines: how many dials are in flight, and whether the API said the
key's lines are full (a 429 for concurrency: dial nothing until a call ends)."""

from __future__ import annotations

from campaign.clock import Clock
from campaign.engine.alarm import Alarm


class Lines:
    def __init__(self, clock: Clock) -> None:
        self.dialing = 0
        self.api_full = False
        #: Rung when a line may have freed (a dial answered, a call ended, a stop asked).
        self.freed = Alarm(clock)

    def full_at_api(self) -> None:
        self.api_full = True

    def call_ended(self) -> None:
        self.api_full = False
        self.freed.ring()
