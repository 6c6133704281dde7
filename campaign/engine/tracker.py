"""Batched tracking: one call-list scan refreshes every call in progress and every dial
whose outcome is unknown. Never one call-get per active call per tick.

The scan lists outgoing calls oldest first, page by page, from where `reconcile.scan_floor`
says (an unknown dial's intent less the whole clock-skew margin; a tracked call's start as
the API gave it, or its intent less the API clock's observed lag), and stops as soon as
every tracked call has been seen. A call a whole scan missed is looked for with the whole
margin next time, so a clock further off than learned costs one scan, never a call.
Unknown dials are matched on (from_number, to_number, started after the intent) against
calls no attempt in the database has claimed; the matching itself is the pure
`reconcile.resolve`.

With several runners (PostgreSQL) one scan serves the team: the runner whose scans cover the
team (`Coordination.covers_team`: its oldest live runner, or anyone when the team's scans are
overdue) also covers the placed calls of the other runners and records the ends it sees;
each attempt stays its dialer's, who fetches the details. The team spends on scans what one
runner would; the others scan only for their own unknown dials.

When the scans come is `scan_cadence`'s to say (the budget's spare without webhooks, the
scan schedule with them); which calls are open is `open_calls`'. Either way a redial's
delay counts from the hang-up the API dates, not from when the end was learned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from campaign.calls.ends import CallEnd
from campaign.calls.fate import Decision
from campaign.calls.ledger import Ledger
from campaign.calls.vocab import EndSource, StopReason
from campaign.clock import Clock
from campaign.engine.api_health import ApiHealth
from campaign.engine.budget import RequestBudget
from campaign.engine.call_end import call_end
from campaign.engine.coordination import Coordination
from campaign.engine.crashpoints import crash_point
from campaign.engine.ending import Ending
from campaign.engine.lines import Lines
from campaign.engine.open_calls import OpenCalls, tracked_from
from campaign.engine.reconcile import (
    DEFAULT_GRACE,
    LIST_LAG,
    ClockLag,
    ScanResult,
    TrackedCall,
    UnknownDial,
    resolve,
)
from campaign.engine.recorder import Recorder
from campaign.engine.rules_bridge import Openings
from campaign.engine.scan import CallLister, scan
from campaign.engine.scan_cadence import ScanCadence
from campaign.engine.scan_schedule import Coverage, ScanSchedule
from campaign.engine.settings import RunSettings
from campaign.voicy import errors as verr
from campaign.voicy.models import CallSummary, StatusCategory

#: A placed call not seen in any scan for this long is looked up directly.
STUCK_AFTER = timedelta(hours=3)


class DetailsQueue(Protocol):
    def queue(self, attempt_id: int, call_id: str) -> None: ...


class Tracker:
    """Keeps every open call of a runner up to date with as few requests as possible."""

    def __init__(
        self,
        client: CallLister,
        ledger: Ledger,
        recorder: Recorder,
        *,
        clock: Clock,
        budget: RequestBudget,
        settings: RunSettings,
        coordination: Coordination,
        details: DetailsQueue,
        lines: Lines,
        ending: Ending,
        grace: timedelta = DEFAULT_GRACE,
        openings: Openings | None = None,
        health: ApiHealth | None = None,
    ) -> None:
        self.client = client
        #: Moves a redial's due time into the recipient's next calling opening.
        self.openings = openings
        self.health = health
        self.ledger = ledger
        self.recorder = recorder
        self.clock = clock
        self.settings = settings
        self.details = details
        self.lines = lines
        self.ending = ending
        self.grace = grace
        self.scans = 0
        self.lag = ClockLag()
        #: When this campaign's calls end, what the webhooks cover, scans spent.
        self.schedule = ScanSchedule()
        #: The calls this runner holds lines for (the dialer adds, scans and deliveries end).
        self.calls = OpenCalls(ledger, lines, clock, on_dial=self.schedule.dialed)
        #: Whether webhook deliveries are arriving (set by the delivery consumer).
        self.webhooks_live: Callable[[], bool] = lambda: False
        self.cadence = ScanCadence(
            self.calls,
            self.schedule,
            clock=clock,
            budget=budget,
            settings=settings,
            coordination=coordination,
            in_team=self._in_team,
            webhooks_live=lambda: self.webhooks_live(),
        )
        #: Told (call id, kind) when a scan or a lookup ends an own call.
        self.on_end: Callable[[str, str], None] | None = None

    @property
    def _in_team(self) -> bool:
        return self.ledger.owner is not None

    @property
    def coverage(self) -> Coverage:
        """What the webhook deliveries cover (the delivery consumer records it)."""
        return self.schedule.coverage

    def learn_end(self, tracked: TrackedCall, category: str, ended_at: datetime | None) -> None:
        """A call of this runner ended at `ended_at` (as the API says): its age teaches the
        schedule when calls of its kind end."""
        if ended_at is not None:
            self.schedule.ended(category, (ended_at - tracked.requested_at).total_seconds())

    async def loop(self) -> None:
        while True:
            calls = self.calls
            if not calls and not self.cadence.covers_team():
                await calls.changed.wait(self.clock.time() + 30.0)
                continue
            await self.cadence.wait()
            if not calls and not self._in_team:
                continue  # every open call was told ended meanwhile (webhooks)
            if self._in_team and not calls.unknown and not self.cadence.covers_team():
                self.recorder.flush()
                self._team_calls()  # the scanner records own calls' ends: let them go
                continue
            try:
                await self.scan_once()
            except verr.AuthError as exc:
                self.ending.stop(StopReason.KEY_REFUSED, exc.message)
                await self.clock.sleep(5.0)
            except verr.VoicyError as exc:
                if self.health is not None:
                    self.health.failed(exc)
                await self.clock.sleep(self.cadence.poll_interval())

    async def scan_once(self) -> None:
        team: dict[str, TrackedCall] = {}
        if self._in_team:
            self.recorder.flush()  # so the team view sees this runner's placed calls
            team = self._team_calls()
        scanned_at = self.clock.now()
        self.cadence.scanned()
        calls = self.calls
        # The dials this scan covers, fixed before it starts: a dial that becomes unknown
        # while the scan pages (a take-over, a timed-out dial) was not looked for in it, and
        # "not in this scan" must not make it "not placed" (that would dial it twice).
        covered = dict(calls.unknown)
        found = await scan(self.client, {**team, **calls.tracked}, covered, self.lag)
        self.recorder.flush()  # answers waiting to be written go first
        self.scans += 1
        self.schedule.scanned(self.webhooks_live())
        now = self.clock.now()
        self._learn(found, scanned_at)
        covered = {i: d for i, d in covered.items() if i in calls.unknown}
        if covered:
            self._reconcile(found, covered, now)
        ends: list[CallEnd] = []
        for call_id, call in found.seen.items():
            tracked = calls.tracked.get(call_id)
            teammate = tracked is None
            tracked = tracked or team.get(call_id)
            if tracked is None:
                continue
            tracked.status = call.call_status
            if call.category in ("connected", "failed"):
                ends.append(self.end_of(tracked, call, call.category, now, teammate=teammate))
                if not teammate:
                    self.learn_end(tracked, call.category, ends[-1].ended_at)
            else:
                tracked.seen_running_at = scanned_at
        for call_id, tracked in list(calls.tracked.items()):
            if call_id not in found.seen and now - tracked.requested_at > STUCK_AFTER:
                ends.append(await self._check_stuck(tracked, now))
        if ends:
            crash_point("during_tracking")
            recorded = self.ledger.ended(ends, now)
            if any(end.category == "connected" for end, _ in recorded):
                crash_point("after_end")
            own = [end for end in ends if not end.teammate]
            mine = {end.attempt_id for end, _ in recorded if not end.teammate}
            calls.released([end.call_id for end in own], [])
            for end in own:
                if end.attempt_id in mine and self.on_end is not None:
                    self.on_end(end.call_id, end.category)
                if end.attempt_id in mine and end.category == "connected":
                    self.details.queue(end.attempt_id, end.call_id)
            elsewhere = [end.attempt_id for end in own if end.attempt_id not in mine]
            if elsewhere and self._in_team:  # a teammate recorded these ends first
                self._details_due(elsewhere)
            self.lines.call_ended()  # a teammate's call ended: the team's lines are freer

    def _learn(self, found: ScanResult, scanned_at: datetime) -> None:
        """Where each own call starts on the API's clock; which ones the scan missed."""
        for call_id, tracked in self.calls.tracked.items():
            summary = found.seen.get(call_id)
            if summary is not None:
                if tracked.started_ms is None and summary.start_timestamp is not None:
                    tracked.started_ms = summary.start_timestamp
                    self.lag.observe(tracked.requested_at, summary.start_timestamp)
            elif tracked.requested_at < scanned_at - LIST_LAG:
                tracked.missed = True  # the next scans look back the whole skew margin

    def _team_calls(self) -> dict[str, TrackedCall]:
        """The placed calls of the campaign's other runners, for this scan to cover too.

        Own calls a teammate has already seen end (no longer placed, or no longer ours)
        leave the tracker here, freeing their lines in this runner's count.
        """
        owner = self.ledger.owner
        placed = self.ledger.open_attempts(everyone=True)
        still_mine = {a.attempt_id for a in placed if a.runner == owner}
        team = {str(a.call_id): tracked_from(a) for a in placed if a.runner != owner and a.call_id}
        mine = self.calls.tracked
        gone = [c for c, t in mine.items() if t.attempt_id not in still_mine]
        if gone:
            self._details_due([mine[call_id].attempt_id for call_id in gone])
            self.calls.released(gone, [])
        return team

    def _details_due(self, attempt_ids: list[int]) -> None:
        """Own calls whose end a teammate recorded: fetch the details of connected ones."""
        for attempt_id, call_id in self.ledger.details_due(attempt_ids):
            self.details.queue(attempt_id, call_id)

    def end_of(
        self,
        tracked: TrackedCall,
        call: CallSummary,
        category: StatusCategory,
        now: datetime,
        *,
        teammate: bool = False,
        source: EndSource = EndSource.POLLED,
    ) -> CallEnd:
        """The end a final status makes, under this run's settings (see `call_end`)."""
        return call_end(
            tracked,
            call,
            category,
            now,
            self.settings,
            teammate=teammate,
            source=source,
            openings=self.openings,
        )

    async def _check_stuck(self, tracked: TrackedCall, now: datetime) -> CallEnd:
        """A call not seen in the list for hours: ask for it once, then give up on it."""
        category: StatusCategory
        try:
            detail = await self.client.get_call(tracked.call_id)
            status, category = detail.call_status, detail.category
        except verr.VoicyError as exc:
            status, category = f"unknown ({type(exc).__name__})", "unknown"
        if category == "in_progress":
            category = "unknown"
        summary = CallSummary(call_id=tracked.call_id, call_status=status)
        return self.end_of(tracked, summary, category, now, source=EndSource.FETCHED)

    def _reconcile(self, found: ScanResult, covered: dict[int, UnknownDial], now: datetime) -> None:
        """Resolve the unknown dials `found` was scanned for (and only those)."""
        call_ids = [c.call_id for calls in found.candidates.values() for c in calls]
        claimed = self.ledger.claimed_call_ids(call_ids)
        resolution = resolve(covered, found, claimed, now, self.grace)
        for match in resolution.matches:
            dial = match.dial
            if self.ledger.linked(dial.attempt_id, match.call.call_id, match.call.call_status, now):
                self.calls.linked(dial, match.call.call_id, match.call.call_status)
                found.seen[match.call.call_id] = match.call
        for dial in resolution.not_placed:
            self.ledger.not_placed(
                dial.attempt_id,
                "not found in the call list: the dial did not place a call",
                Decision.again_at(now),
                now,
            )
            self.calls.unknown.pop(dial.attempt_id, None)
            self.lines.freed.ring()
