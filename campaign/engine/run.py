"""The runner: one task group tying dispatch, dialing, tracking, reconciling and details.

    dispatch ──intent──▶ dial ──201──▶ tracked ──scan──▶ ended ──▶ details (connected)
                           └─unknown─▶ reconcile ──found──▶ tracked
                                                 └─grace─▶ not placed ──▶ queued again

Every arrow is a committed write in the store before the next request, so a `kill -9`
anywhere leaves a state `resume` can finish without a duplicate call.

Alone on SQLite, or one of several runners on PostgreSQL: the differences (lock or claims,
own or shared request budget and lines, taking over dead runners) live in `team.py`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import timedelta

import anyio
from anyio.abc import TaskGroup
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaign.clock import Clock, sleep_until
from campaign.engine import lock, records
from campaign.engine.budget import RequestBudget, request_kind
from campaign.engine.dial import dial_batch
from campaign.engine.dispatch import (
    CallerIds,
    DialRules,
    queued_summary,
)
from campaign.engine.ending import finish_run
from campaign.engine.heartbeat import heartbeat_loop
from campaign.engine.progress import Progress, RunResult
from campaign.engine.reconcile import DEFAULT_GRACE
from campaign.engine.recorder import Recorder
from campaign.engine.rules_bridge import parse_instant
from campaign.engine.settings import RunSettings
from campaign.engine.team import coordination_for
from campaign.engine.track import Tracker
from campaign.errors import FatalAPIError
from campaign.store.db import Database
from campaign.store.models import (
    CANCELED,
    INTERRUPTED,
    RUNNING,
    Attempt,
    Campaign,
)
from campaign.store.queries import add_event
from campaign.voicy import errors as verr
from campaign.voicy.client import VoicyClient
from campaign.voicy.models import CallDetail, RateLimit

#: How many due contacts the dispatcher reads from the store at once.
_BATCH = 256
#: With other runners (PostgreSQL), how often to look again at what they may have freed
#: (lines, claims, calls ended): clock seconds, and real seconds under a compressed clock.
_TEAM_RECHECK = 2.0
_TEAM_RECHECK_REAL = 0.1


class Runner:
    """Runs one campaign to its end (or until stopped); library entry point of the engine."""

    def __init__(
        self,
        db: Database,
        campaign_id: int,
        client: VoicyClient,
        settings: RunSettings,
        clock: Clock,
        *,
        rules: DialRules | None = None,
        caller_ids: CallerIds | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_details: Callable[[int, CallDetail], None] | None = None,
        identity: lock.RunnerIdentity | None = None,
        grace: timedelta = DEFAULT_GRACE,
    ) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.client = client
        self.settings = settings
        self.clock = clock
        if rules is None or caller_ids is None:
            from campaign.engine.rules_bridge import build_rules

            default_rules, default_pool, hooks = build_rules(db, settings, clock)
            rules = rules or default_rules
            caller_ids = caller_ids or default_pool
            on_details = on_details or hooks.get("on_details")
        self.rules: DialRules = rules
        self.caller_ids: CallerIds = caller_ids
        self.on_progress = on_progress
        self.on_details = on_details
        self.stop_at = parse_instant(settings.stop_at, "--stop-at")
        self.identity = identity or lock.RunnerIdentity()
        self.team = coordination_for(
            db,
            campaign_id,
            self.identity,
            api_key=str(getattr(client, "_api_key", "")),
            rate=settings.rate,
            concurrency=settings.concurrency,
            clock=clock,
        )
        owner = self.team.owner
        self.fence = records.Fence(owner, self._refused) if owner is not None else None
        self.lease_lost = False
        self.budget: RequestBudget = self.team.budget
        self.tracker = Tracker(self, grace=grace)
        self.recorder = Recorder(db, self.fence)
        self.in_flight = 0
        self.details: deque[tuple[int, str]] = deque()
        self.stopping = False
        self.stop_reason = INTERRUPTED
        self.fatal: str | None = None
        self.idle = False
        self.stop_note: str | None = None
        self.concurrency_hold = False
        self._token_race = False
        self._wake = anyio.Event()
        self._details_wake = anyio.Event()
        self._tg: TaskGroup | None = None
        self._started = clock.time()
        self._name = ""
        self._flushed = (0, 0)
        client.before_request = self._before_request
        client.on_response = self._on_response

    # --- budget hooks -------------------------------------------------------------------

    async def _before_request(self, endpoint: str) -> None:
        if endpoint == "call-dial":
            return  # paid for by the dispatcher before the intent was written
        await self.budget.acquire(request_kind.get() or endpoint)

    def _on_response(self, endpoint: str, status: int, rate_limit: RateLimit | None) -> None:
        self.budget.observe(rate_limit, status)

    # --- wake-ups -----------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()
        self._wake = anyio.Event()

    def wake_details(self) -> None:
        self._details_wake.set()
        self._details_wake = anyio.Event()

    async def nap(self, event: anyio.Event, until: float) -> None:
        """Wait for `event` or until the campaign clock reaches `until`."""
        async with anyio.create_task_group() as tg:

            async def sleeper() -> None:
                await sleep_until(self.clock, until)
                tg.cancel_scope.cancel()

            async def waiter() -> None:
                await event.wait()
                tg.cancel_scope.cancel()

            tg.start_soon(sleeper)
            tg.start_soon(waiter)

    @property
    def busy_lines(self) -> int:
        return self.in_flight + len(self.tracker.tracked) + len(self.tracker.unknown)

    # --- lifecycle ----------------------------------------------------------------------

    def request_stop(self, reason: str = INTERRUPTED) -> None:
        if not self.stopping:
            self.stopping = True
            self.stop_reason = reason
        self.wake()

    async def run(self) -> RunResult:
        self.team.join()
        try:
            self._prepare()
            async with anyio.create_task_group() as tg:
                self._tg = tg
                tg.start_soon(heartbeat_loop, self)
                tg.start_soon(self.tracker.loop)
                tg.start_soon(self._details_loop)
                tg.start_soon(self._progress_loop)
                tg.start_soon(self.recorder.loop)
                await self._dispatch_loop()
                await self._drain()
                tg.cancel_scope.cancel()
            self.recorder.flush()
            return self._finish()
        finally:
            with anyio.CancelScope(shield=True):
                self.recorder.flush()
                self.team.leave()

    def _prepare(self) -> None:
        now = self.clock.now()
        self.team.recover(now)
        alone = self.team.alone()
        with self.db.session() as session:
            campaign = session.get(Campaign, self.campaign_id)
            assert campaign is not None
            self._name = campaign.name
            pending_cancel = campaign.requested_action in ("cancel", CANCELED)
            if (alone or campaign.state != RUNNING) and not pending_cancel:
                campaign.requested_action = None  # else: a pause asked of the team stands
            campaign.state = RUNNING
            campaign.started_at = campaign.started_at or now
            add_event(
                session,
                now,
                "run",
                f"runner {self.identity.owner} started",
                campaign_id=self.campaign_id,
            )
        self.tracker.load()
        if pending_cancel:
            # A cancel that had to wait for open calls: settle them, then cancel; dial nothing.
            self.request_stop(CANCELED)
        query = select(Attempt.id, Attempt.call_id).where(
            Attempt.campaign_id == self.campaign_id,
            Attempt.category == "connected",
            Attempt.details_fetched.is_(False),
            Attempt.call_id.is_not(None),
        )
        if self.fence is not None:
            query = query.where(Attempt.runner == self.fence.owner)
        with self.db.read_session() as session:
            pending = session.execute(query).all()
        self.details.extend((a, str(c)) for a, c in pending)

    def _finish(self) -> RunResult:
        return finish_run(self)

    async def _drain(self) -> None:
        """Track open calls to their end; bounded by the drain timeout once stopping."""
        deadline = self.clock.time() + self.settings.drain_timeout
        while self.busy_lines or (self.details and not self.stopping):
            if self.lease_lost or (self.stopping and self.clock.time() >= deadline):
                return
            await self.nap(self._wake, min(deadline, self.clock.time() + 5.0))

    # --- dispatch -----------------------------------------------------------------------

    async def _dispatch_loop(self) -> None:
        while not self.stopping:
            if self.stop_at is not None and self.clock.now() >= self.stop_at:
                self.stop_note = f"reached --stop-at {self.stop_at.isoformat()}"
                self.request_stop(INTERRUPTED)
                return
            team = self.fence is not None
            free = self.settings.concurrency - self.busy_lines
            if free > 0 and not self.concurrency_hold:
                free = self.team.free_lines(free)
            if free <= 0 or self.concurrency_hold:
                await self.nap(self._wake, self._recheck_at() if team else self.clock.time() + 5.0)
                continue
            now = self.clock.now()
            batch = self.team.due(now, min(_BATCH, free * 4))
            if not batch:
                count, next_due = queued_summary(self.db, self.campaign_id)
                # Other runners' calls (their redials, or a take-over) keep this one here.
                others = self.team.others_open()
                if count == 0 and self.busy_lines == 0 and others == 0:
                    if not self.team.awaiting_dead():
                        return
                    others = 1  # a dead teammate's lease is running out: wait to take over
                horizon = self.clock.time() + (5.0 if self.busy_lines else 3600.0)
                if team and (others or count):
                    horizon = min(horizon, self._recheck_at())
                until = min(next_due.timestamp(), horizon) if next_due else horizon
                if self.stop_at is not None:  # wake at --stop-at, not at the next due time
                    until = min(until, self.stop_at.timestamp())
                if self.settings.until_idle and self.busy_lines == 0 and next_due:
                    self.idle = True
                    self.request_stop(INTERRUPTED)
                    return
                await self.nap(self._wake, until)
                continue
            try:
                started = await dial_batch(self, batch, free)
            finally:
                self.team.release([c.contact_id for c in batch])  # claims not dialed
            if started == 0:
                if team and not self._token_race:
                    await self.nap(self._wake, self._recheck_at())
                else:
                    await anyio.sleep(0)

    def _recheck_at(self) -> float:
        scale = float(getattr(self.clock, "scale", 1.0))
        return self.clock.time() + max(_TEAM_RECHECK, _TEAM_RECHECK_REAL * scale)

    def _refused(self, attempt_ids: list[int]) -> None:
        """A write was refused: another runner took this one's calls (its lease ran out)."""
        if self.lease_lost:
            return
        self.lease_lost = True
        self.tracker.tracked.clear()
        self.tracker.unknown.clear()
        self.details.clear()
        self._fatal(
            "this runner's lease ran out and another runner took over its calls; "
            "start it again to rejoin the campaign"
        )

    def _fatal(self, message: str) -> None:
        self.fatal = message
        self._event("fatal", message)
        self.request_stop(INTERRUPTED)

    def _event(self, kind: str, message: str) -> None:
        with self.db.session() as session:
            add_event(session, self.clock.now(), kind, message, campaign_id=self.campaign_id)

    # --- details ------------------------------------------------------------------------

    def queue_details(self, attempt_id: int, call_id: str) -> None:
        self.details.append((attempt_id, call_id))
        self.wake_details()

    async def _details_loop(self) -> None:
        token = request_kind.set("call-get")
        try:
            while True:
                if not self.details:
                    await self.nap(self._details_wake, self.clock.time() + 30.0)
                    continue
                attempt_id, call_id = self.details[0]
                try:
                    detail = await self.client.get_call(call_id)
                except verr.NotFound as exc:
                    records.record_details_failed(self.db, attempt_id, str(exc), self.fence)
                except verr.AuthError as exc:
                    self._fatal(f"the API refused the key ({exc.message})")
                    return
                except verr.VoicyError:
                    await self.clock.sleep(5.0)
                    continue
                else:
                    self.recorder.details(attempt_id, detail)
                    self.tracker.after_details(attempt_id, detail)
                self.details.popleft()
                self.wake()
        finally:
            request_kind.reset(token)

    # --- heartbeat, control and progress -----------------------------------------------

    def _flush_counters(self) -> None:
        with self.db.session() as session:
            self._add_counters(session)

    def _add_counters(self, session: Session) -> None:
        """Add this runner's requests to the campaign's (an increment: runners share it)."""
        granted, limited = self.budget.granted, self.budget.rate_limited
        used, refused = granted - self._flushed[0], limited - self._flushed[1]
        self._flushed = (granted, limited)
        if used or refused:
            session.execute(
                update(Campaign)
                .where(Campaign.id == self.campaign_id)
                .values(
                    requests_used=func.coalesce(Campaign.requests_used, 0) + used,
                    rate_limited=func.coalesce(Campaign.rate_limited, 0) + refused,
                )
                .execution_options(synchronize_session=False)
            )

    async def _progress_loop(self) -> None:
        if self.on_progress is None:
            return
        while True:
            self.on_progress(self.snapshot())
            await anyio.sleep(0.25)

    def snapshot(self) -> Progress:
        from campaign.engine.snapshot import build_progress

        return build_progress(self)


__all__ = ["FatalAPIError", "RunResult", "Runner"]
