"""Batched tracking: one call-list scan refreshes every call in progress and every dial
whose outcome is unknown. Never one call-get per active call per tick.

The scan lists outgoing calls that started after the oldest open attempt (minus a margin
for clock skew), oldest first, page by page, and stops as soon as every tracked call has
been seen. Unknown dials are matched on (from_number, to_number, started after the intent)
against calls no attempt in the database has claimed; the reconciliation itself lives in
`reconcile.py`.

With several runners (PostgreSQL) one scan serves the team: the team's scanner (its oldest
live runner) also covers the placed calls of the other runners and records the ends it sees;
each attempt stays its dialer's, who fetches the details. The team spends on scans what one
runner would. The others scan only for their own unknown dials, or when the team's last
scan (seen in the key's shared request log) is overdue, e.g. while a dead scanner's lease
runs out.
"""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import select

from campaign.engine import records
from campaign.engine.crashpoints import crash_point
from campaign.engine.policy import Decision, after_call
from campaign.engine.reconcile import SKEW_MS, ScanResult, UnknownDial, resolve
from campaign.store.models import PLACED, UNKNOWN, Attempt
from campaign.voicy import errors as verr
from campaign.voicy.client import VoicyClient
from campaign.voicy.models import CallDetail, CallSummary


@dataclass
class TrackedCall:
    attempt_id: int
    contact_id: int
    call_id: str
    to_number: str
    from_number: str
    requested_at: datetime
    status: str = "initiated"
    not_seen_scans: int = 0


async def scan(
    client: VoicyClient,
    tracked: dict[str, TrackedCall],
    unknown: dict[int, UnknownDial],
) -> ScanResult:
    """One pass over call-list covering every tracked call and unknown dial."""
    result = ScanResult()
    starts = [t.requested_at for t in tracked.values()] + [u.requested_at for u in unknown.values()]
    if not starts:
        return result
    lower_ms = int(min(starts).timestamp() * 1000) - SKEW_MS
    wanted = set(tracked)
    pairs = {(u.from_number, u.to_number) for u in unknown.values()}
    # Every scan is budgeted as "call-list": the team's scan election and the adaptive
    # interval both count scans by that kind.
    calls = client.iter_calls(direction="outgoing", start_after_ms=lower_ms, sort_order="ascending")
    async with aclosing(calls):
        async for call in calls:
            if call.call_id in wanted:
                result.seen[call.call_id] = call
            pair = (call.from_number or "", call.to_number or "")
            if pair in pairs:
                result.candidates.setdefault(pair, []).append(call)
            # Unknown dials need the whole range; tracked calls only until all are seen.
            if not unknown and len(result.seen) == len(wanted):
                break
    return result


class Tracker:
    """Keeps every open call of a runner up to date with as few requests as possible."""

    def __init__(self, runner: Any, *, grace: timedelta) -> None:
        self.runner = runner
        self.grace = grace
        self.tracked: dict[str, TrackedCall] = {}
        self.unknown: dict[int, UnknownDial] = {}
        self._changed = anyio.Event()
        self.scans = 0

    # --- what is open -------------------------------------------------------------------

    def load(self, attempt_ids: list[int] | None = None) -> None:
        """Rebuild the open calls from the store (after a restart, a crash or a take-over).

        With several runners (a fence), only the attempts this runner owns; with
        `attempt_ids`, only those (just taken over from a dead runner).
        """
        runner = self.runner
        query = select(Attempt).where(
            Attempt.campaign_id == runner.campaign_id,
            Attempt.state.in_((PLACED, UNKNOWN)),
        )
        if runner.fence is not None:
            query = query.where(Attempt.runner == runner.fence.owner)
        if attempt_ids is not None:
            query = query.where(Attempt.id.in_(attempt_ids))
        with runner.db.read_session() as session:
            rows = session.execute(query).scalars()
            for a in rows:
                if a.state == PLACED and a.call_id:
                    self.tracked[a.call_id] = TrackedCall(
                        a.id,
                        a.contact_id,
                        a.call_id,
                        a.to_number,
                        a.from_number,
                        a.requested_at,
                        a.voicy_status or "initiated",
                    )
                else:
                    self.unknown[a.id] = UnknownDial(
                        a.id, a.contact_id, a.to_number, a.from_number, a.requested_at
                    )

    def add_placed(self, intent: Any, call_id: str, status: str) -> None:
        self.tracked[call_id] = TrackedCall(
            intent.attempt_id,
            intent.contact_id,
            call_id,
            intent.to_number,
            intent.from_number,
            intent.requested_at,
            status,
        )
        self._notify()

    def add_unknown(self, intent: Any) -> None:
        self.unknown[intent.attempt_id] = UnknownDial(
            intent.attempt_id,
            intent.contact_id,
            intent.to_number,
            intent.from_number,
            intent.requested_at,
        )
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    # --- polling ------------------------------------------------------------------------

    def poll_interval(self) -> float:
        configured = self.runner.settings.poll_interval
        if configured:
            return float(configured)
        # Scans take what the budget leaves after dials and details (less a 10% reserve so
        # a dial never waits for a token): the sooner an end is seen, the sooner its line
        # dials again. At 60 requests/min and ~30 other requests/min, one scan every ~2.5 s.
        budget = self.runner.budget
        spare = budget.rate * 0.9 - budget.used_last_minute(exclude="call-list")
        return min(10.0, max(0.5, 60.0 / max(1.0, spare)))

    def _scans_for_team(self) -> bool:
        """PostgreSQL: whether this runner scans the team's calls now (see module doc)."""
        runner = self.runner
        if runner.fence is None:
            return False
        if runner.team.scanner:
            return True
        last = runner.budget.last_shared_grant("call-list")
        return last is None or runner.clock.time() - last > 3 * self.poll_interval()

    async def loop(self) -> None:
        runner = self.runner
        while True:
            if not self.tracked and not self.unknown and not self._scans_for_team():
                await runner.nap(self._changed, runner.clock.time() + 30.0)
                continue
            await runner.clock.sleep(self.poll_interval())
            if runner.fence is not None and not self.unknown and not self._scans_for_team():
                runner.recorder.flush()
                self._team_calls()  # the scanner records own calls' ends: let them go
                continue
            try:
                await self.scan_once()
            except verr.AuthError as exc:
                runner._fatal(f"the API refused the key ({exc.message})")
                await runner.clock.sleep(5.0)
            except verr.VoicyError:
                await runner.clock.sleep(self.poll_interval())

    async def scan_once(self) -> None:
        runner = self.runner
        team: dict[str, TrackedCall] = {}
        if runner.fence is not None:
            runner.recorder.flush()  # so the team view sees this runner's placed calls
            team = self._team_calls()
        found = await scan(runner.client, {**team, **self.tracked}, self.unknown)
        runner.recorder.flush()  # answers waiting to be written go first
        self.scans += 1
        now = runner.clock.now()
        if self.unknown:
            self._reconcile(found, now)
        ends: list[records.CallEnd] = []
        for call_id, call in found.seen.items():
            tracked = self.tracked.get(call_id)
            teammate = tracked is None
            tracked = tracked or team.get(call_id)
            if tracked is None:
                continue
            tracked.status = call.call_status
            category = call.category
            if category in ("connected", "failed"):
                ends.append(self._end(tracked, call, category, now, teammate=teammate))
        for call_id, tracked in list(self.tracked.items()):
            if call_id not in found.seen and now - tracked.requested_at > _STUCK_AFTER:
                ends.append(await self._check_stuck(tracked, now))
        if ends:
            crash_point("during_tracking")
            recorded = records.record_ended(runner.db, ends, now, runner.fence)
            own = [end for end in ends if not end.teammate]
            mine = {end.attempt_id for end, _ in recorded if not end.teammate}
            for end in own:
                self.tracked.pop(end.call_id, None)
                if end.attempt_id in mine and end.category == "connected":
                    runner.queue_details(end.attempt_id, end.call_id)
            elsewhere = [end.attempt_id for end in own if end.attempt_id not in mine]
            if elsewhere and runner.fence is not None:  # a teammate recorded these ends first
                self._details_due(elsewhere)
            runner.wake()

    def _team_calls(self) -> dict[str, TrackedCall]:
        """The placed calls of the campaign's other runners, for this scan to cover too.

        Own calls a teammate has already seen end (no longer placed, or no longer ours)
        leave the tracker here, freeing their lines in this runner's count.
        """
        runner = self.runner
        owner = runner.fence.owner
        with runner.db.read_session() as session:
            rows = session.execute(
                select(
                    Attempt.id,
                    Attempt.runner,
                    Attempt.contact_id,
                    Attempt.call_id,
                    Attempt.to_number,
                    Attempt.from_number,
                    Attempt.requested_at,
                    Attempt.voicy_status,
                ).where(Attempt.campaign_id == runner.campaign_id, Attempt.state == PLACED)
            ).all()
        still_mine = {r[0] for r in rows if r[1] == owner}
        team = {
            str(r[3]): TrackedCall(r[0], r[2], str(r[3]), r[4], r[5], r[6], r[7] or "initiated")
            for r in rows
            if r[1] != owner and r[3]
        }
        gone = [c for c, t in self.tracked.items() if t.attempt_id not in still_mine]
        if gone:
            self._details_due([self.tracked.pop(call_id).attempt_id for call_id in gone])
            runner.wake()
        return team

    def _details_due(self, attempt_ids: list[int]) -> None:
        """Own calls whose end a teammate recorded: fetch the details of connected ones."""
        runner = self.runner
        with runner.db.read_session() as session:
            rows = session.execute(
                select(Attempt.id, Attempt.call_id).where(
                    Attempt.id.in_(attempt_ids),
                    Attempt.runner == runner.fence.owner,
                    Attempt.category == "connected",
                    Attempt.details_fetched.is_(False),
                    Attempt.call_id.is_not(None),
                )
            ).all()
        for attempt_id, call_id in rows:
            runner.queue_details(attempt_id, str(call_id))

    def _end(
        self,
        tracked: TrackedCall,
        call: CallSummary,
        category: str,
        now: datetime,
        *,
        teammate: bool = False,
    ) -> records.CallEnd:
        runner = self.runner
        started = _ms(call.start_timestamp)
        ended = (
            _ms(call.start_timestamp + call.duration_ms)
            if call.start_timestamp is not None and call.duration_ms is not None
            else now
        )
        if runner.concurrency_hold:
            runner.concurrency_hold = False
        status, settings = call.call_status, runner.settings

        def decide(placed: int) -> Decision:
            return after_call(category, status, placed, settings, now)  # type: ignore[arg-type]

        return records.CallEnd(
            attempt_id=tracked.attempt_id,
            status=call.call_status,
            category=category,
            started_at=started,
            ended_at=ended,
            duration_ms=call.duration_ms,
            decide=decide,
            teammate=teammate,
            call_id=tracked.call_id,
        )

    async def _check_stuck(self, tracked: TrackedCall, now: datetime) -> records.CallEnd:
        """A call not seen in the list for hours: ask for it once, then give up on it."""
        try:
            detail = await self.runner.client.get_call(tracked.call_id)
            status, category = detail.call_status, detail.category
        except verr.VoicyError as exc:
            status, category = f"unknown ({type(exc).__name__})", "unknown"
        if category == "in_progress":
            category = "unknown"
        summary = CallSummary(call_id=tracked.call_id, call_status=status)
        return self._end(tracked, summary, category, now)

    def _reconcile(self, found: ScanResult, now: datetime) -> None:
        runner = self.runner
        call_ids = [c.call_id for calls in found.candidates.values() for c in calls]
        with runner.db.read_session() as session:
            claimed = (
                set(session.scalars(select(Attempt.call_id).where(Attempt.call_id.in_(call_ids))))
                if call_ids
                else set()
            )
        resolution = resolve(self.unknown, found, {c for c in claimed if c}, now, self.grace)
        for match in resolution.matches:
            dial = match.dial
            if records.record_linked(
                runner.db,
                dial.attempt_id,
                match.call.call_id,
                match.call.call_status,
                now,
                runner.fence,
            ):
                self.unknown.pop(dial.attempt_id, None)
                self.tracked[match.call.call_id] = TrackedCall(
                    dial.attempt_id,
                    dial.contact_id,
                    match.call.call_id,
                    dial.to_number,
                    dial.from_number,
                    dial.requested_at,
                    match.call.call_status,
                )
                found.seen[match.call.call_id] = match.call
        for dial in resolution.not_placed:
            records.record_not_placed(
                runner.db,
                dial.attempt_id,
                "not found in the call list: the dial did not place a call",
                Decision(final=False, next_attempt_at=now),
                now,
                runner.fence,
            )
            self.unknown.pop(dial.attempt_id, None)
            runner.wake()

    def after_details(self, attempt_id: int, detail: CallDetail) -> None:
        """Hook for rules reading a connected call's details (e.g. opt-outs)."""
        hook = getattr(self.runner, "on_details", None)
        if hook is not None:
            hook(attempt_id, detail)


#: A placed call not seen in any scan for this long is looked up directly.
_STUCK_AFTER = timedelta(hours=3)


def _ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, tz=UTC)
