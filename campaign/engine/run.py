"""The runner: one task group tying dispatch, dialing, tracking, reconciling and details.

    dispatch ──intent──▶ dial ──201──▶ tracked ──scan──▶ ended ──▶ details (connected)
                           └─unknown─▶ reconcile ──found──▶ tracked
                                                 └─grace─▶ not placed ──▶ queued again

Every arrow is a committed write in the store before the next request, so a `kill -9`
anywhere leaves a state `resume` can finish without a duplicate call.
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
from anyio.abc import TaskGroup
from sqlalchemy import select, update

from campaign.clock import Clock, sleep_until
from campaign.engine import lock, records
from campaign.engine.budget import RequestBudget
from campaign.engine.crashpoints import crash_point, crash_point_armed
from campaign.engine.dispatch import (
    CallerIds,
    Candidate,
    DialRules,
    due_contacts,
    hold_many,
    queued_summary,
)
from campaign.engine.intents import IntentRequest, write_intents
from campaign.engine.policy import Decision, after_not_placed
from campaign.engine.progress import Progress
from campaign.engine.reconcile import DEFAULT_GRACE
from campaign.engine.recorder import Recorder
from campaign.engine.rules_bridge import parse_instant
from campaign.engine.settings import RunSettings
from campaign.engine.track import Tracker
from campaign.errors import FatalAPIError
from campaign.store.db import Database
from campaign.store.models import (
    CANCELED,
    DONE,
    FINISHED,
    INTERRUPTED,
    PAUSED,
    QUEUED,
    RUNNING,
    Attempt,
    Campaign,
    Contact,
)
from campaign.store.queries import add_event
from campaign.voicy import errors as verr
from campaign.voicy.client import VoicyClient
from campaign.voicy.models import CallDetail, RateLimit

_request_kind: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "campaign_request_kind", default=None
)

#: How many due contacts the dispatcher reads from the store at once.
_BATCH = 256


@dataclass(frozen=True)
class RunResult:
    state: str  # finished | interrupted | paused | canceled
    message: str
    progress: Progress
    fatal: str | None = None  # why the API refused the whole campaign
    idle: bool = False  # stopped by --until-idle: every remaining contact waits


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
        self.budget = RequestBudget(settings.rate, clock)
        self.tracker = Tracker(self, grace=grace)
        self.recorder = Recorder(db)
        self.in_flight = 0
        self.details: deque[tuple[int, str]] = deque()
        self.stopping = False
        self.stop_reason = INTERRUPTED
        self.fatal: str | None = None
        self.idle = False
        self.stop_note: str | None = None
        self.concurrency_hold = False
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
        await self.budget.acquire(_request_kind.get() or endpoint)

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
        lock.acquire(self.db, self.campaign_id, self.identity)
        try:
            self._prepare()
            async with anyio.create_task_group() as tg:
                self._tg = tg
                tg.start_soon(self._heartbeat_loop)
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
                lock.release(self.db, self.campaign_id, self.identity)

    def _prepare(self) -> None:
        now = self.clock.now()
        records.recover_after_crash(self.db, self.campaign_id, now)
        with self.db.session() as session:
            campaign = session.get(Campaign, self.campaign_id)
            assert campaign is not None
            self._name = campaign.name
            campaign.state = RUNNING
            campaign.requested_action = None
            campaign.started_at = campaign.started_at or now
            add_event(
                session,
                now,
                "run",
                f"runner {self.identity.owner} started",
                campaign_id=self.campaign_id,
            )
        self.tracker.load()
        with self.db.read_session() as session:
            pending = session.execute(
                select(Attempt.id, Attempt.call_id).where(
                    Attempt.campaign_id == self.campaign_id,
                    Attempt.category == "connected",
                    Attempt.details_fetched.is_(False),
                    Attempt.call_id.is_not(None),
                )
            ).all()
        self.details.extend((a, str(c)) for a, c in pending)

    def _finish(self) -> RunResult:
        now = self.clock.now()
        remaining, _ = queued_summary(self.db, self.campaign_id)
        open_calls = self.busy_lines
        with self.db.session() as session:
            campaign = session.get(Campaign, self.campaign_id)
            assert campaign is not None
            self._add_counters(campaign)
            if self.stop_reason == CANCELED and open_calls == 0:
                session.execute(
                    update(Contact)
                    .where(Contact.campaign_id == self.campaign_id, Contact.state == QUEUED)
                    .values(
                        state=DONE,
                        outcome="canceled",
                        final_at=now,
                        wait_reason=None,
                        next_attempt_at=None,
                    )
                )
                campaign.state = CANCELED
                campaign.finished_at = now
                message = (
                    f"campaign {self._name} canceled; contacts not yet called are marked canceled"
                )
            elif not self.stopping and remaining == 0 and open_calls == 0 and not self.details:
                campaign.state = FINISHED
                campaign.finished_at = now
                message = f"campaign {self._name} finished"
            else:
                state = PAUSED if self.stop_reason == PAUSED else INTERRUPTED
                campaign.state = state
                verb = "paused" if state == PAUSED else "stopped"
                why = f" ({self.fatal or self.stop_note})" if self.fatal or self.stop_note else ""
                if self.idle and remaining:
                    _, next_due = queued_summary(self.db, self.campaign_id)
                    when = next_due.isoformat(timespec="minutes") if next_due else "later"
                    why = f" (every remaining contact waits; the next is due {when})"
                message = (
                    f"campaign {self._name} {verb}{why}; continue with "
                    f"`python -m campaign resume {self._name}`"
                )
            add_event(session, now, "run_end", message, campaign_id=self.campaign_id)
        return RunResult(campaign.state, message, self.snapshot(), self.fatal, self.idle)

    async def _drain(self) -> None:
        """Track open calls to their end; bounded by the drain timeout once stopping."""
        deadline = self.clock.time() + self.settings.drain_timeout
        while self.busy_lines or (self.details and not self.stopping):
            if self.stopping and self.clock.time() >= deadline:
                return
            await self.nap(self._wake, min(deadline, self.clock.time() + 5.0))

    # --- dispatch -----------------------------------------------------------------------

    async def _dispatch_loop(self) -> None:
        while not self.stopping:
            if self.stop_at is not None and self.clock.now() >= self.stop_at:
                self.stop_note = f"reached --stop-at {self.stop_at.isoformat()}"
                self.request_stop(INTERRUPTED)
                return
            free = self.settings.concurrency - self.busy_lines
            if free <= 0 or self.concurrency_hold:
                await self.nap(self._wake, self.clock.time() + 5.0)
                continue
            now = self.clock.now()
            batch = due_contacts(self.db, self.campaign_id, now, min(_BATCH, free * 4))
            if not batch:
                count, next_due = queued_summary(self.db, self.campaign_id)
                if count == 0 and self.busy_lines == 0:
                    return
                horizon = self.clock.time() + (5.0 if self.busy_lines else 3600.0)
                until = min(next_due.timestamp(), horizon) if next_due else horizon
                if self.settings.until_idle and self.busy_lines == 0 and next_due:
                    self.idle = True
                    self.request_stop(INTERRUPTED)
                    return
                await self.nap(self._wake, until)
                continue
            if await self._dial_batch(batch) == 0:
                await anyio.sleep(0)

    async def _dial_batch(self, batch: list[Candidate]) -> int:
        """Intents for as many due contacts as there are free lines, in one transaction."""
        chosen: list[IntentRequest] = []
        held: list[tuple[int, datetime, str]] = []
        free = self.settings.concurrency - self.busy_lines
        for candidate in batch:
            if len(chosen) >= free or self.stopping or self.concurrency_hold:
                break
            now = self.clock.now()
            wait = self.rules.hold_until(candidate, now)
            if wait is not None:
                held.append((candidate.contact_id, wait[0], wait[1]))
                continue
            try:
                from_number = candidate.from_number or self.caller_ids.choose(candidate.to_number)
            except (LookupError, FatalAPIError) as exc:
                self._fatal(getattr(exc, "message", None) or "every from-number was refused")
                break
            if chosen and self.budget.next_free_in() > 0:
                break  # send what is ready now; the rest waits for the next token
            await self.budget.acquire("call-dial")
            if self.stopping:
                break
            agent = candidate.agent_id or self.settings.agent_id
            chosen.append(IntentRequest(candidate.contact_id, from_number, agent))
        if held:
            hold_many(self.db, held)
        if not chosen:
            return 0
        crash_point("before_intent")
        written = write_intents(
            self.db,
            chosen,
            campaign_id=self.campaign_id,
            runner=self.identity.owner,
            now=self.clock.now(),
            min_gap=self.settings.min_gap,
        )
        started = 0
        assert self._tg is not None
        for intent in written:
            if isinstance(intent, records.Blocked):
                continue
            crash_point("after_intent")
            self.in_flight += 1
            self._tg.start_soon(self._dial, intent)
            started += 1
        return started

    async def _dial(self, intent: records.Intent) -> None:
        try:
            with anyio.CancelScope(shield=self.stopping):
                await self._dial_inner(intent)
        finally:
            self.in_flight -= 1
            self.wake()

    async def _dial_inner(self, intent: records.Intent) -> None:
        try:
            result = await self.client.dial(
                intent.from_number,
                intent.to_number,
                vars_provided=intent.vars or None,
                override_agent_id=intent.agent_id,
            )
        except verr.VoicyError as exc:
            self._dial_failed(intent, exc)
            return
        crash_point("after_answer")
        now = self.clock.now()
        self.recorder.placed(intent.attempt_id, result.call_id, result.call_status, now)
        if crash_point_armed("after_placed"):
            self.recorder.flush()
            crash_point("after_placed")
        self.tracker.add_placed(intent, result.call_id, result.call_status)

    def _dial_failed(self, intent: records.Intent, exc: verr.VoicyError) -> None:
        now = self.clock.now()
        message = f"{type(exc).__name__}: {exc}"
        if exc.placement == "unknown":
            records.record_unknown(self.db, intent.attempt_id, message, now)
            self.tracker.add_unknown(intent)
            return
        if isinstance(exc, verr.AuthError):
            records.record_not_placed(self.db, intent.attempt_id, message, _requeue(now), now)
            self._fatal(f"the API refused the key ({exc.message}); set VOICY_API_KEY")
            return
        if isinstance(exc, verr.Unprocessable):
            records.record_not_placed(self.db, intent.attempt_id, message, _requeue(now), now)
            self.caller_ids.remove(intent.from_number, exc.message)
            self._event(
                "from_number_refused", f"from-number {intent.from_number} refused: {exc.message}"
            )
            if not self.caller_ids.available:
                self._fatal(f"every from-number was refused by the API ({exc.message})")
            return
        if isinstance(exc, verr.InvalidRequest | verr.NotFound):
            records.record_final_request_error(self.db, intent.attempt_id, message, now)
            return
        if isinstance(exc, verr.ConcurrencyLimited):
            self.concurrency_hold = True
            records.record_not_placed(self.db, intent.attempt_id, message, _requeue(now), now)
            return
        retry_at = exc.reset_at if isinstance(exc, verr.RateLimited) else None
        tries = records.count_not_placed(self.db, intent.contact_id) + 1
        records.record_not_placed(
            self.db, intent.attempt_id, message, after_not_placed(tries, now, retry_at), now
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
        token = _request_kind.set("call-get")
        try:
            while True:
                if not self.details:
                    await self.nap(self._details_wake, self.clock.time() + 30.0)
                    continue
                attempt_id, call_id = self.details[0]
                try:
                    detail = await self.client.get_call(call_id)
                except verr.NotFound as exc:
                    records.record_details_failed(self.db, attempt_id, str(exc))
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
            _request_kind.reset(token)

    # --- heartbeat, control and progress -----------------------------------------------

    async def _heartbeat_loop(self) -> None:
        beats = 0
        while True:
            await anyio.sleep(1.0)
            beats += 1
            with self.db.read_session() as session:
                action = session.scalar(
                    select(Campaign.requested_action).where(Campaign.id == self.campaign_id)
                )
            if action in (PAUSED, "pause"):
                self.request_stop(PAUSED)
            elif action in (CANCELED, "cancel"):
                self.request_stop(CANCELED)
            if beats % int(lock.HEARTBEAT_EVERY) == 0:
                if not lock.heartbeat(self.db, self.campaign_id, self.identity):
                    self._fatal("another runner took over this campaign")
                self._flush_counters()

    def _flush_counters(self) -> None:
        with self.db.session() as session:
            campaign = session.get(Campaign, self.campaign_id)
            assert campaign is not None
            self._add_counters(campaign)

    def _add_counters(self, campaign: Campaign) -> None:
        granted, limited = self.budget.granted, self.budget.rate_limited
        campaign.requests_used = (campaign.requests_used or 0) + granted - self._flushed[0]
        campaign.rate_limited = (campaign.rate_limited or 0) + limited - self._flushed[1]
        self._flushed = (granted, limited)

    async def _progress_loop(self) -> None:
        if self.on_progress is None:
            return
        while True:
            self.on_progress(self.snapshot())
            await anyio.sleep(0.25)

    def snapshot(self) -> Progress:
        from campaign.engine.snapshot import build_progress

        return build_progress(self)


def _requeue(now: datetime) -> Decision:
    return Decision(final=False, next_attempt_at=now)


__all__ = ["FatalAPIError", "RunResult", "Runner"]
