"""The runner: one campaign's run, composed of small parts in one task group.

    Dispatcher ──intents──▶ Dialer ──201──▶ Tracker ──scan──▶ ends ──▶ DetailsFetcher
       (due, holds,           └─unknown─▶ Tracker (reconcile) ─found─▶ tracked
        caller ID, tokens)                           └─grace─▶ not placed ─▶ queued again
    inbox (webhooks) ──▶ DeliveryConsumer ──▶ ends + details (no call-get), lines freed
    Heartbeat: pause / cancel asked, the lock or lease, take-overs, request counters
    Ending: the one place that decides the run is over, why, and the campaign's state

Every write goes through `campaign.calls` (the `Ledger`), committed before the next request,
so a `kill -9` anywhere leaves a state `resume` can finish without a duplicate call. Alone
on SQLite or in a team on PostgreSQL, the differences live in `Coordination`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import anyio

from campaign.calls import runs
from campaign.calls.fencing import Fence
from campaign.calls.ledger import Ledger
from campaign.calls.reads import open_attempt_count
from campaign.calls.recovery import TakeOver
from campaign.calls.vocab import CampaignState, Outcome, StopReason
from campaign.clock import Clock
from campaign.engine.api_health import ApiHealth
from campaign.engine.budget import gate
from campaign.engine.coordination import coordination_for
from campaign.engine.coordination.lock import RunnerIdentity
from campaign.engine.crashpoints import crash_point
from campaign.engine.db_outage import (
    DbOutage,
    store_unavailable_in,
    unless_store_down,
)
from campaign.engine.deliveries import DeliveryConsumer
from campaign.engine.details import DetailsFetcher, DetailsHook
from campaign.engine.dialer import Dialer
from campaign.engine.dispatcher import Dispatcher
from campaign.engine.ending import Ending
from campaign.engine.heartbeat import Heartbeat
from campaign.engine.journal import Journal
from campaign.engine.judge import DetailsJudge
from campaign.engine.lines import Lines
from campaign.engine.progress import Progress, ProgressReporter, RequestCounters, RunResult
from campaign.engine.reconcile import DEFAULT_GRACE
from campaign.engine.reconnect import Reconnection
from campaign.engine.recorder import Recorder
from campaign.engine.rules_bridge import CallerIds, DialRules, Openings
from campaign.engine.settings import RunSettings
from campaign.engine.spend import SpendCap
from campaign.engine.tracker import Tracker
from campaign.store.db import Database
from campaign.store.queries import add_event
from campaign.voicy.client import VoicyClient

__all__ = ["Progress", "RunResult", "Runner"]


class Runner:
    """Runs one campaign to its end (or until stopped); the engine's entry point.

    Build it with its rules through `campaign.campaigns.runs.build_runner` (what the CLI,
    the web page and library users share), or give `rules` and `caller_ids` yourself.
    """

    def __init__(
        self,
        db: Database,
        campaign_id: int,
        client: VoicyClient,
        settings: RunSettings,
        clock: Clock,
        *,
        rules: DialRules,
        caller_ids: CallerIds,
        on_progress: Callable[[Progress], None] | None = None,
        on_details: DetailsHook | None = None,
        identity: RunnerIdentity | None = None,
        grace: timedelta = DEFAULT_GRACE,
        openings: Openings | None = None,
    ) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.clock = clock
        self.settings = settings
        self.rules = rules
        self.caller_ids = caller_ids
        self.on_progress = on_progress
        self.identity = identity or RunnerIdentity()
        self.coordination = coordination_for(
            db,
            campaign_id,
            self.identity,
            key_hash=client.key_fingerprint,
            rate=settings.rate,
            concurrency=settings.concurrency,
            clock=clock,
        )
        self.budget = self.coordination.budget
        gate(client, self.budget)
        owner = self.coordination.owner
        fence = Fence(owner, self._refused) if owner is not None else None
        # A goal or a callback var: the details of a connected call decide its fate again.
        judge = DetailsJudge.for_settings(settings, openings)
        reached = Outcome.NO_GOAL if settings.goal else Outcome.CONNECTED
        self.ledger = Ledger(
            db, campaign_id, fence, judge, once_connected=reached if judge is not None else None
        )
        self.lines = Lines(clock)
        journal = Journal(db, campaign_id, clock)
        self.health = ApiHealth(
            clock,
            probe=lambda: client.list_calls(direction="outgoing", limit=1),
            unknown_dials=lambda: len(self.tracker.calls.unknown),
            note=journal.note,
            back=self.lines.freed,
        )
        self.health.watch(client)
        self.ending = Ending(clock, settings, self.lines.freed)
        self.recorder = Recorder(self.ledger, self.lines.freed.ring)
        self.details = DetailsFetcher(
            client,
            self.ledger,
            self.recorder,
            clock=clock,
            ending=self.ending,
            lines=self.lines,
            on_details=on_details,
        )
        self.tracker = Tracker(
            client,
            self.ledger,
            self.recorder,
            clock=clock,
            budget=self.budget,
            settings=settings,
            coordination=self.coordination,
            details=self.details,
            lines=self.lines,
            ending=self.ending,
            grace=grace,
            openings=openings,
            health=self.health,
        )
        self.deliveries = DeliveryConsumer(
            self.ledger,
            self.tracker,
            self.details,
            self.recorder,
            clock=clock,
            on_details=on_details,
        )
        self.ending.when_lease_lost(self.tracker.calls.forget, self.details.forget)
        self.spend = (
            SpendCap(
                db,
                campaign_id,
                settings.max_cost,
                first_wave=settings.concurrency,
                pending=lambda: self.details.pending,
            )
            if settings.max_cost is not None
            else None
        )
        self.journal = journal
        self.reconnection = Reconnection(
            owner=self.identity.owner, clock=clock, coordination=self.coordination,
            ledger=self.ledger, recorder=self.recorder, open_calls=self.tracker.calls,
            in_flight=lambda: set(self.dialer.in_flight), journal=journal,
            stop=self.ending.stop, freed=self.lines.freed,
        )  # fmt: skip
        self.db_outage = DbOutage(db, limit=settings.db_outage, on_back=self.reconnection.mid_run)
        self.dialer = dialer = Dialer(
            client,
            self.ledger,
            self.recorder,
            open_calls=self.tracker.calls,
            caller_ids=caller_ids,
            lines=self.lines,
            ending=self.ending,
            journal=journal,
            clock=clock,
            health=self.health,
        )
        self.dispatcher = Dispatcher(
            self.ledger,
            self.coordination,
            rules,
            caller_ids,
            dialer,
            runner=self.identity.owner,
            clock=clock,
            settings=settings,
            budget=self.budget,
            lines=self.lines,
            busy=self.busy_lines,
            ending=self.ending,
            # Judged details may queue a contact again: dialing is not over until written.
            details_left=(lambda: self.details.pending) if judge is not None else None,
            spend=self.spend,
            health=self.health,
        )
        # No contact waits: the last calls' ends are the campaign's end.
        self.tracker.cadence.tail = lambda: self.dispatcher.drained
        self.counters = RequestCounters(db, campaign_id, self.budget)
        self.heartbeat = Heartbeat(
            self.ledger,
            self.coordination,
            clock=clock,
            ending=self.ending,
            counters=self.counters,
            adopt=self._adopt,
            lost=self._lost,
        )
        self.progress = ProgressReporter(
            db, campaign_id, clock=clock, budget=self.budget, busy=self.busy_lines,
            ending=self.ending, api_down=lambda: self.health.down_since,
        )  # fmt: skip
        self._name = ""

    # --- what other parts ask -----------------------------------------------------------

    def busy_lines(self) -> int:
        return self.lines.dialing + len(self.tracker.calls)

    @property
    def stopping(self) -> bool:
        return self.ending.stopping

    def delivery_arrived(self, *_: object) -> None:
        """The receiver in this process stored a delivery: use it now (else within
        `INBOX_EVERY`)."""
        self.deliveries.arrived()

    def _hurry(self) -> None:
        """Only details are left: where every ended call fires (no request bound to keep),
        fetch them now rather than wait seconds for their deliveries."""
        if self.tracker.schedule.all_fire(self.deliveries.live):
            self.details.hurry()

    def request_stop(self, reason: StopReason = StopReason.INTERRUPTED) -> None:
        """Stop dialing, follow the calls in progress to their end (Ctrl-C, serve stopping)."""
        self.ending.stop(reason)

    def snapshot(self) -> Progress:
        return self.progress.snapshot()

    def _refused(self, attempt_ids: list[int]) -> None:
        """A write was refused: another runner took this one's calls (its lease ran out)."""
        self.ending.stop(StopReason.LEASE_LOST)

    def _lost(self, reason: StopReason) -> None:
        self.ending.stop(reason)

    def _adopt(self, taken: TakeOver) -> None:
        """Open calls taken over from runners whose lease ran out (PostgreSQL)."""
        self.tracker.calls.load(taken.attempts)
        for attempt_id, call_id in taken.details:
            self.details.queue(attempt_id, call_id)
        self.lines.freed.ring()

    # --- the run ------------------------------------------------------------------------

    async def run(self) -> RunResult:
        ride = self.db_outage.ride  # every step waits out a store outage (see db_outage.py)
        try:
            # The first and last steps too (nothing is in flight there to recover).
            await ride(self._start, on_back=self.reconnection.starting)
            async with anyio.create_task_group() as tg:
                tg.start_soon(ride, self.heartbeat.loop)
                tg.start_soon(ride, self.tracker.loop)
                tg.start_soon(ride, self.details.loop)
                tg.start_soon(ride, self.deliveries.loop)
                tg.start_soon(ride, self.recorder.loop)
                tg.start_soon(ride, self.health.loop)
                if self.on_progress is not None:
                    on_progress = self.on_progress
                    tg.start_soon(ride, lambda: self.progress.loop(on_progress))
                await ride(lambda: self.dispatcher.loop(tg))
                await self.ending.drain(self.busy_lines, lambda: self.details.pending, self._hurry)
                tg.cancel_scope.cancel()
            return await ride(self._end, on_back=self.reconnection.ending)
        except Exception as exc:
            unwritable = store_unavailable_in(exc)
            if unwritable is not None:
                # Dialing stopped with the task group; what was not written is reconciled
                # from the API on resume (its intents are in the store), never redialed.
                raise unwritable.with_resume(self._name or str(self.campaign_id)) from None
            with anyio.CancelScope(shield=True):
                self._failed(exc)
            raise
        finally:
            with anyio.CancelScope(shield=True), unless_store_down():
                self.recorder.flush()
                self.coordination.leave()

    async def _start(self) -> None:
        """Take the campaign and load what it left (again after an outage: each step is
        safe to repeat)."""
        crash_point("before_start")
        self._prepare(self.coordination.join())

    async def _end(self) -> RunResult:
        crash_point("before_finish")
        self.recorder.flush()
        return self._finish()

    def _prepare(self, alone: bool) -> None:
        now = self.clock.now()
        self.coordination.take_over(self.ledger, now, starting=True)
        with self.db.session() as session:
            start = runs.begin_run(
                session, self.campaign_id, now, runner=self.identity.owner, alone=alone
            )
        self._name = start.name
        self.progress.begin(start.name)
        self.tracker.calls.load()
        # Deliveries that arrived while no runner was up (kill -9, a pause) end their calls
        # before anything else; the scans and call-gets then cover only what is left.
        self.deliveries.consume_once()
        if start.pending_cancel:
            # A cancel that had to wait for open calls: settle them, then cancel; dial nothing.
            self.ending.stop(StopReason.CANCELED)
        for attempt_id, call_id in self.ledger.details_due():
            self.details.queue(attempt_id, call_id)

    def _finish(self) -> RunResult:
        """Write the campaign's state at the end of a run and say what happened."""
        now = self.clock.now()
        remaining = self.ledger.queue().waiting
        open_calls = self.busy_lines()
        with self.db.session() as session:
            # With other runners still at work, the last one out decides the campaign's state.
            others = self.coordination.leave(session)
            if self.ledger.owner is not None:
                open_calls = max(open_calls, open_attempt_count(session, self.campaign_id))
            self.counters.add_to(session)
            conclusion = self.ending.conclude(
                self._name,
                remaining=remaining,
                open_calls=open_calls,
                details_left=self.details.pending,
                others=others,
            )
            if conclusion.end is not None:
                runs.end_run(session, self.campaign_id, conclusion.end, now, conclusion.message)
            else:
                add_event(session, now, "run_end", conclusion.message, campaign_id=self.campaign_id)
        end = conclusion.end
        state = end.state if end is not None else CampaignState.RUNNING
        return RunResult(
            state,
            conclusion.message,
            self.snapshot(),
            self.ending.fatal,
            self.ending.idle,
            stop_reason=end.reason if end is not None else self.ending.reason,
        )

    def _failed(self, exc: Exception) -> None:
        """An unexpected error stops the run: say so on the campaign (best effort; in a team
        the others carry on, and the last one out decides)."""
        if self.ledger.owner is not None:
            return
        detail = f"{type(exc).__name__}: {exc}"
        try:
            with self.db.session() as session:
                runs.end_run(
                    session,
                    self.campaign_id,
                    runs.RunEnd(CampaignState.INTERRUPTED, StopReason.ERROR, detail),
                    self.clock.now(),
                    f"campaign {self._name} stopped on an error: {detail}",
                )
        except Exception:  # the store may be what failed; status then reads the runner gone
            return
