"""One of several runners of a campaign, coordinated through PostgreSQL (see the package)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from campaign.calls.due import Candidate, claim_due, release
from campaign.calls.intents import ClaimCheck
from campaign.calls.ledger import Ledger
from campaign.calls.reads import open_attempt_count
from campaign.calls.recovery import TakeOver
from campaign.calls.vocab import StopReason
from campaign.clock import Clock
from campaign.engine.budget import RequestBudget
from campaign.engine.coordination import leases
from campaign.engine.coordination.lines import LineCap
from campaign.engine.coordination.lock import RunnerIdentity
from campaign.engine.coordination.shared_budget import SharedBudget
from campaign.store.db import Database
from campaign.store.runners import live_runners

#: Claims taken at once: a small batch, so the team shares the due contacts.
_CLAIM_AT_MOST = 64


class Team:
    """One of several runners of a campaign, coordinated through PostgreSQL."""

    def __init__(
        self,
        db: Database,
        campaign_id: int,
        me: RunnerIdentity,
        *,
        key_hash: str,
        rate: int,
        concurrency: int,
        clock: Clock,
    ) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.me = me
        self.owner: str | None = me.owner
        self.clock = clock
        self.key_hash = key_hash
        self.lease = leases.lease_seconds()
        self.heartbeat_every = leases.heartbeat_every(self.lease)
        self.lines = LineCap(db, self.key_hash, concurrency)
        # Nothing is written before `join` (which rides out a store outage).
        self.shared = SharedBudget(rate, clock, db, self.key_hash, create_row=False)
        self.budget: RequestBudget = self.shared
        self.scanner = False  # elected at each heartbeat: the oldest live runner
        self._no_take_over_until = 0.0  # time.monotonic(): see hold_take_overs
        self._joined = False
        self._sweep_due = False  # a start's sweep, held by hold_take_overs

    def join(self) -> bool:
        self.shared.create_row()
        leases.register(self.db, self.campaign_id, self.me, self.key_hash, self.lease)
        self._joined = True
        with self.db.read_session() as session:
            live = live_runners(session, self.campaign_id)
        return all(r.id == self.me.owner for r in live)

    def leave(self, session: Session | None = None) -> int:
        if session is not None:
            others = leases.leave_and_count_others(session, self.campaign_id, self.me.owner)
            self._joined = False
            return others
        if self._joined:
            with self.db.session() as own:
                leases.deregister(own, self.me.owner)
            self._joined = False
        return 0

    def hold_take_overs(self, seconds: float) -> None:
        self._no_take_over_until = time.monotonic() + seconds

    def take_over(self, ledger: Ledger, now: datetime, *, starting: bool) -> TakeOver | None:
        if time.monotonic() < self._no_take_over_until:
            # Back from a store outage (mid-run, or while starting): every teammate's lease
            # lapsed with it; they renew first. A start's sweep waits for the next one.
            self._sweep_due = self._sweep_due or starting
            return None
        sweep, self._sweep_due = starting or self._sweep_due, False
        taken = ledger.take_over(self.me.owner, now, sweep=sweep)
        if not starting:
            with self.db.read_session() as session:
                live = live_runners(session, self.campaign_id)
            self.scanner = bool(live) and live[0].id == self.me.owner
        return taken

    def due(self, now: datetime, limit: int) -> list[Candidate]:
        return claim_due(
            self.db,
            self.campaign_id,
            self.me.owner,
            now,
            min(limit, _CLAIM_AT_MOST),
            self.lease,
        )

    def release(self, contact_ids: list[int]) -> None:
        release(self.db, self.me.owner, contact_ids)

    def dial_turn(self, chosen: list[Candidate]) -> AbstractAsyncContextManager[ClaimCheck | None]:
        return self._turn(chosen)

    @asynccontextmanager
    async def _turn(self, chosen: list[Candidate]) -> AsyncIterator[ClaimCheck | None]:
        # The tokens are taken in the intent's own transaction, for the dials it admits,
        # right before they go; this waits for the key's next one.
        async with self.shared.turn("call-dial"):
            yield ClaimCheck(
                owner=self.me.owner,
                fences={c.contact_id: c.fence or 0 for c in chosen},
                key_hash=self.key_hash,
                lines=self.lines,
                tokens=self.shared,
            )

    def free_lines(self, local_free: int) -> int:
        return min(local_free, self.lines.free())

    def beat(self) -> StopReason | None:
        alive = leases.renew(self.db, self.me.owner, self.lease)
        return None if alive else StopReason.LEASE_LOST

    def covers_team(self, poll_interval: float) -> bool:
        """The scanner covers the team; another runner does when the team's last scan
        (seen in the key's shared request log) is overdue, e.g. while a dead scanner's
        lease runs out."""
        if self.scanner:
            return True
        last = self.shared.last_shared_grant("call-list")
        return last is None or self.clock.time() - last > 3 * poll_interval

    def work_elsewhere(self) -> bool:
        """Open attempts of other runners (live, dead or gone), or a teammate that stopped
        heart-beating: wait for its lease to run out and take it over (its details may be
        due), so the last runner out can finish the campaign. Live teammates are not waited
        for otherwise: each leaves, and the last one out finishes it."""
        with self.db.read_session() as session:
            others = open_attempt_count(session, self.campaign_id, not_owner=self.me.owner)
            return bool(
                others
                or leases.silent_teammates(
                    session, self.campaign_id, self.me.owner, self.heartbeat_every
                )
            )
