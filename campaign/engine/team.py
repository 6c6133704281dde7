"""How a runner shares its campaign: alone behind the campaign lock, or in a team.

- `Solo` (SQLite, the default): one runner per campaign, the lock row with a heartbeat in
  `campaigns` (engine/lock.py), an in-process request budget. A restart recovers the whole
  campaign's unanswered intents.
- `Team` (PostgreSQL): any number of runners. Each registers with a lease (engine/runners.py),
  claims due contacts with SKIP LOCKED and a fencing token (engine/claims.py), shares the
  key's request budget and concurrent-call cap through the database (shared_budget.py,
  lines.py), and takes over the open calls of runners whose lease passed. Every write about
  a call names its owner, so a runner declared dead cannot record over its successor.

The runner asks its strategy, never the dialect.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.clock import Clock
from campaign.engine import claims, lock, records, runners
from campaign.engine.budget import RequestBudget
from campaign.engine.dispatch import Candidate, due_contacts
from campaign.engine.intents import ClaimCheck
from campaign.engine.lines import LineCap, key_fingerprint
from campaign.engine.shared_budget import SharedBudget
from campaign.store.db import Database
from campaign.store.models import OPEN_ATTEMPT_STATES, Attempt


class Coordination(Protocol):
    #: Written on every call write as its owner check; None: the campaign lock suffices.
    owner: str | None
    #: Real seconds between heartbeats.
    heartbeat_every: float
    budget: RequestBudget
    #: Whether this runner scans call-list for the whole team (see track.py).
    scanner: bool

    def join(self) -> None: ...

    def leave(self) -> None: ...

    def recover(self, now: datetime) -> runners.TakeOver | None: ...

    def due(self, now: datetime, limit: int) -> list[Candidate]: ...

    def release(self, contact_ids: list[int]) -> None: ...

    def claim_check(self, chosen: list[Candidate]) -> ClaimCheck | None: ...

    def dial_turn(self) -> AbstractAsyncContextManager[object]: ...

    def free_lines(self, local_free: int) -> int: ...

    def beat(self) -> bool: ...

    def adopt(self, now: datetime) -> runners.TakeOver | None: ...

    def others_open(self) -> int: ...

    def awaiting_dead(self) -> bool: ...

    def alone(self) -> bool: ...

    def leave_in(self, session: Session) -> int: ...


class Solo:
    """One runner per campaign, behind the campaign's lock (SQLite)."""

    owner: str | None = None
    heartbeat_every = lock.HEARTBEAT_EVERY
    scanner = True

    def __init__(
        self, db: Database, campaign_id: int, me: lock.RunnerIdentity, rate: int, clock: Clock
    ) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.me = me
        self.budget = RequestBudget(rate, clock)

    def join(self) -> None:
        lock.acquire(self.db, self.campaign_id, self.me)

    def leave(self) -> None:
        lock.release(self.db, self.campaign_id, self.me)

    def recover(self, now: datetime) -> runners.TakeOver | None:
        records.recover_after_crash(self.db, self.campaign_id, now)
        return None

    def due(self, now: datetime, limit: int) -> list[Candidate]:
        return due_contacts(self.db, self.campaign_id, now, limit)

    def release(self, contact_ids: list[int]) -> None:
        return None

    def claim_check(self, chosen: list[Candidate]) -> ClaimCheck | None:
        return None

    def dial_turn(self) -> AbstractAsyncContextManager[object]:
        return nullcontext()  # the dials' tokens were acquired one by one already

    def free_lines(self, local_free: int) -> int:
        return local_free

    def beat(self) -> bool:
        return lock.heartbeat(self.db, self.campaign_id, self.me)

    def adopt(self, now: datetime) -> runners.TakeOver | None:
        return None

    def others_open(self) -> int:
        return 0

    def awaiting_dead(self) -> bool:
        return False

    def alone(self) -> bool:
        return True

    def leave_in(self, session: Session) -> int:
        return 0


class Team:
    """One of several runners of a campaign, coordinated through PostgreSQL."""

    def __init__(
        self,
        db: Database,
        campaign_id: int,
        me: lock.RunnerIdentity,
        *,
        api_key: str,
        rate: int,
        concurrency: int,
        clock: Clock,
    ) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.me = me
        self.owner: str | None = me.owner
        self.key_hash = key_fingerprint(api_key)
        self.lease = runners.lease_seconds()
        self.heartbeat_every = runners.heartbeat_every(self.lease)
        self.lines = LineCap(db, self.key_hash, concurrency)
        self.shared = SharedBudget(rate, clock, db, self.key_hash)
        self.budget: RequestBudget = self.shared
        self.scanner = False  # elected at each heartbeat: the oldest live runner
        self._joined = False

    @property
    def _me(self) -> str:
        return self.me.owner

    def join(self) -> None:
        runners.register(self.db, self.campaign_id, self.me, self.key_hash, self.lease)
        self._joined = True

    def leave(self) -> None:
        if self._joined:
            with self.db.session() as session:
                runners.deregister(session, self._me)
            self._joined = False

    def leave_in(self, session: Session) -> int:
        """Deregister in the finishing transaction; how many other runners still live."""
        others = runners.leave_and_count_others(session, self.campaign_id, self._me)
        self._joined = False
        return others

    def recover(self, now: datetime) -> runners.TakeOver | None:
        runners.requeue_stranded(self.db, self.campaign_id)
        return runners.take_over(self.db, self.campaign_id, self._me, now, sweep=True)

    def adopt(self, now: datetime) -> runners.TakeOver | None:
        taken = runners.take_over(self.db, self.campaign_id, self._me, now)
        with self.db.read_session() as session:
            live = runners.live_runners(session, self.campaign_id)
        self.scanner = bool(live) and live[0].id == self._me
        return taken

    def due(self, now: datetime, limit: int) -> list[Candidate]:
        return claims.claim_due(
            self.db, self.campaign_id, self._me, now, min(limit, 64), self.lease
        )

    def release(self, contact_ids: list[int]) -> None:
        claims.release(self.db, self._me, contact_ids)

    def claim_check(self, chosen: list[Candidate]) -> ClaimCheck | None:
        return ClaimCheck(
            owner=self._me,
            fences={c.contact_id: c.fence or 0 for c in chosen},
            key_hash=self.key_hash,
            lines=self.lines,
            tokens=self.shared,
        )

    def dial_turn(self) -> AbstractAsyncContextManager[object]:
        return self.shared.turn("call-dial")

    def free_lines(self, local_free: int) -> int:
        return min(local_free, self.lines.free())

    def beat(self) -> bool:
        return runners.renew(self.db, self._me, self.lease)

    def others_open(self) -> int:
        """Open attempts of this campaign owned by other runners (live, dead or gone)."""
        with self.db.read_session() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(Attempt)
                    .where(
                        Attempt.campaign_id == self.campaign_id,
                        Attempt.state.in_(OPEN_ATTEMPT_STATES),
                        Attempt.runner != self._me,
                    )
                )
                or 0
            )

    def awaiting_dead(self) -> bool:
        """A teammate stopped heart-beating: wait for its lease to run out and take it over
        (its details may be due), so the last runner out can finish the campaign. Live
        teammates are not waited for: each leaves, and the last one out finishes it."""
        with self.db.read_session() as session:
            return bool(
                runners.silent_teammates(session, self.campaign_id, self._me, self.heartbeat_every)
            )

    def alone(self) -> bool:
        with self.db.read_session() as session:
            live = runners.live_runners(session, self.campaign_id)
        return all(r.id == self._me for r in live)


def coordination_for(
    db: Database,
    campaign_id: int,
    me: lock.RunnerIdentity,
    *,
    api_key: str,
    rate: int,
    concurrency: int,
    clock: Clock,
) -> Coordination:
    """Solo on SQLite (one runner, unchanged), Team on PostgreSQL (several runners)."""
    if db.dialect == "postgresql":
        return Team(
            db, campaign_id, me, api_key=api_key, rate=rate, concurrency=concurrency, clock=clock
        )
    return Solo(db, campaign_id, me, rate, clock)
