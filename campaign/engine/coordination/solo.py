"""Alone on a campaign (SQLite): the campaign's lock, an in-process budget, no fences."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import datetime

from sqlalchemy.orm import Session

from campaign.calls.due import Candidate, due_contacts
from campaign.calls.intents import ClaimCheck
from campaign.calls.ledger import Ledger
from campaign.calls.recovery import TakeOver
from campaign.calls.vocab import StopReason
from campaign.clock import Clock
from campaign.engine.budget import RequestBudget
from campaign.engine.coordination import lock
from campaign.store.db import Database


class Solo:
    """One runner per campaign, behind the campaign's lock."""

    owner: str | None = None
    heartbeat_every = lock.HEARTBEAT_EVERY

    def __init__(
        self, db: Database, campaign_id: int, me: lock.RunnerIdentity, rate: int, clock: Clock
    ) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.me = me
        self.budget = RequestBudget(rate, clock)

    def join(self) -> bool:
        lock.acquire(self.db, self.campaign_id, self.me)
        return True

    def leave(self, session: Session | None = None) -> int:
        if session is None:
            lock.release(self.db, self.campaign_id, self.me)
        return 0  # the lock goes in the `finally` of the run, after the end is written

    def take_over(self, ledger: Ledger, now: datetime, *, starting: bool) -> TakeOver | None:
        if starting:
            ledger.recover(now)
        return None

    def due(self, now: datetime, limit: int) -> list[Candidate]:
        return due_contacts(self.db, self.campaign_id, now, limit)

    def release(self, contact_ids: list[int]) -> None:
        return None

    def dial_turn(self, chosen: list[Candidate]) -> AbstractAsyncContextManager[ClaimCheck | None]:
        return nullcontext()  # the dials' tokens were acquired one by one already

    def free_lines(self, local_free: int) -> int:
        return local_free

    def beat(self) -> StopReason | None:
        alive = lock.heartbeat(self.db, self.campaign_id, self.me)
        return None if alive else StopReason.LOCK_LOST

    def covers_team(self, poll_interval: float) -> bool:
        return False

    def work_elsewhere(self) -> bool:
        return False

    def hold_take_overs(self, seconds: float) -> None:
        return None  # alone: nobody to take over
