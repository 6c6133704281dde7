"""How a runner shares its campaign: alone behind the campaign's lock, or in a team.

- `Solo` (SQLite, the default): one runner per campaign, the lock row with a heartbeat in
  `campaigns` (`lock.py`), an in-process request budget. A restart recovers the whole
  campaign's unanswered intents.
- `Team` (PostgreSQL): any number of runners. Each registers with a lease (`leases.py`),
  claims due contacts with SKIP LOCKED and a fencing token (`campaign.calls.due`), shares
  the key's request budget and concurrent-call cap through the database
  (`shared_budget.py`, `lines.py`), and takes over the open calls of runners whose lease
  passed. Every write about a call names its owner, so a runner declared dead cannot record
  over its successor.

The runner asks its strategy (`Coordination`), never the dialect.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from campaign.calls.due import Candidate
from campaign.calls.intents import ClaimCheck
from campaign.calls.ledger import Ledger
from campaign.calls.recovery import TakeOver
from campaign.calls.vocab import StopReason
from campaign.clock import Clock
from campaign.engine.budget import RequestBudget
from campaign.engine.coordination.lock import RunnerIdentity
from campaign.store.db import Database


class Coordination(Protocol):
    #: Written on every call write as its owner check; None: the campaign's lock suffices.
    owner: str | None
    #: Real seconds between heartbeats.
    heartbeat_every: float
    budget: RequestBudget

    def join(self) -> bool:
        """Take the campaign (lock, or registration); True when no other runner is on it."""
        ...

    def leave(self, session: Session | None = None) -> int:
        """Let go of the campaign (in `session`, the finishing transaction, if given); how
        many other runners are still at work on it."""
        ...

    def take_over(self, ledger: Ledger, now: datetime, *, starting: bool) -> TakeOver | None:
        """Recover what dead runners left: at start, and at each heartbeat after."""
        ...

    def due(self, now: datetime, limit: int) -> list[Candidate]: ...

    def release(self, contact_ids: list[int]) -> None:
        """Claims of `due` contacts that were not dialed."""
        ...

    def dial_turn(self, chosen: list[Candidate]) -> AbstractAsyncContextManager[ClaimCheck | None]:
        """Wait for the key's turn to dial `chosen`; what the intents must prove."""
        ...

    def free_lines(self, local_free: int) -> int: ...

    def beat(self) -> StopReason | None:
        """Renew the lock or lease; why the run must stop when another runner took it."""
        ...

    def covers_team(self, poll_interval: float) -> bool:
        """Whether this runner's scans cover the team's placed calls now (see tracker.py)."""
        ...

    def work_elsewhere(self) -> bool:
        """Other runners' open calls, or a silent teammate whose calls will be taken over."""
        ...

    def hold_take_overs(self, seconds: float) -> None:
        """Take over nobody for `seconds` (real): after a store outage every teammate's
        lease lapsed with it, and each needs a heartbeat to renew it."""
        ...


def coordination_for(
    db: Database,
    campaign_id: int,
    me: RunnerIdentity,
    *,
    key_hash: str,
    rate: int,
    concurrency: int,
    clock: Clock,
) -> Coordination:
    """Solo on SQLite (one runner), Team on PostgreSQL (several runners)."""
    if db.dialect == "postgresql":
        from campaign.engine.coordination.team import Team

        return Team(
            db, campaign_id, me, key_hash=key_hash, rate=rate, concurrency=concurrency, clock=clock
        )
    from campaign.engine.coordination.solo import Solo

    return Solo(db, campaign_id, me, rate, clock)
