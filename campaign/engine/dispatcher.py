"""The dispatcher: who is due, which rule holds whom, and the intents of the next dials.

    each due contact: calling rules (a hold, written set-based) → caller ID → (alone) its
    request token; then one intent transaction for the batch (in a team it also takes the
    key's lines and tokens); then each dial in its own task (`Dialer`).

The whole campaign may be held (`--start-at`): then nothing is read and no contact is
written; the dispatcher waits for the hold's end. When no contact is due it asks `Ending`
whether the run's dialing is over, else sleeps until the next one is due (or a line frees).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import anyio
from anyio.abc import TaskGroup

from campaign.calls.due import Candidate
from campaign.calls.holds import Hold, HoldScope
from campaign.calls.intents import BlockedBy, Intent, IntentRequest
from campaign.calls.ledger import Ledger
from campaign.calls.vocab import StopReason
from campaign.clock import Clock
from campaign.engine.api_health import ApiHealth
from campaign.engine.budget import RequestBudget
from campaign.engine.coordination import Coordination
from campaign.engine.crashpoints import crash_point
from campaign.engine.dialer import Dialer
from campaign.engine.ending import Ending
from campaign.engine.lines import Lines
from campaign.engine.policy import dial_order
from campaign.engine.rules_bridge import CallerIds, DialRules
from campaign.engine.settings import RunSettings
from campaign.engine.spend import SpendCap
from campaign.errors import FatalAPIError

#: How many due contacts the dispatcher reads from the store at once.
BATCH = 256
#: Contacts zoned at once when a zone hold meets contacts without a zone key.
ZONE_AHEAD = 5000
#: With other runners (PostgreSQL), how often to look again at what they may have freed
#: (lines, claims, calls ended): clock seconds, and real seconds under a compressed clock.
TEAM_RECHECK = 2.0
TEAM_RECHECK_REAL = 0.1


class Dispatcher:
    def __init__(
        self,
        ledger: Ledger,
        coordination: Coordination,
        rules: DialRules,
        caller_ids: CallerIds,
        dialer: Dialer,
        *,
        runner: str,
        clock: Clock,
        settings: RunSettings,
        budget: RequestBudget,
        lines: Lines,
        busy: Callable[[], int],
        ending: Ending,
        details_left: Callable[[], bool] | None = None,
        spend: SpendCap | None = None,
        health: ApiHealth | None = None,
    ) -> None:
        self.ledger = ledger
        self.coordination = coordination
        self.rules = rules
        self.caller_ids = caller_ids
        self.dialer = dialer
        self.runner = runner
        self.clock = clock
        self.settings = settings
        self.budget = budget
        self.lines = lines
        self.busy = busy
        self.ending = ending
        self.details_left = details_left
        self.spend = spend
        self.health = health
        self._in_team = ledger.owner is not None
        self._token_race = False
        self._held: Hold | None = None  # the campaign-wide hold as last written
        self._held_written = False
        #: No contact waits for a dial (none queued): what is open are the last calls.
        self.drained = False

    async def loop(self, tg: TaskGroup) -> None:
        """Dial until the run's dialing is over (`Ending` decides) or a stop is asked."""
        ending, lines = self.ending, self.lines
        while not ending.stopping:
            now = self.clock.now()
            if ending.past_stop_at(now):
                return
            if self.health is not None and not self.health.dialing_allowed:
                # No dial into an outage: wait for the API (and its unknown dials) first.
                await self.health.back.wait(ending.wake_by(self.clock.time() + 30.0))
                continue
            free = self.settings.concurrency - self.busy()
            if free > 0 and not lines.api_full:
                free = self.coordination.free_lines(free)
            if free <= 0 or lines.api_full:
                await lines.freed.wait(self._recheck_at(self.clock.time() + 5.0))
                continue
            if self.spend is not None:
                fits = self.spend.allowed(free)
                if fits <= 0:
                    if await self._spend_capped():
                        return
                    continue
                free = fits
            held_until = self._campaign_held(now)
            if held_until is not None:
                if ending.stopping:
                    return
                await lines.freed.wait(ending.wake_by(held_until))
                continue
            due = self.coordination.due(now, min(BATCH, free * 4))
            batch = dial_order(due, self.settings.max_attempts)
            self.drained = False
            if not batch:
                if await self._nothing_due():
                    return
                continue
            try:
                started = await self._dial_batch(tg, batch, free)
            finally:
                self.coordination.release([c.contact_id for c in batch])  # claims not dialed
            if self.spend is not None:
                self.spend.started(started)
            if started == 0:
                if self._in_team and not self._token_race:
                    await lines.freed.wait(self._recheck_at(self.clock.time() + 3600.0))
                else:
                    await anyio.sleep(0)

    async def _spend_capped(self) -> bool:
        """No dial fits under --max-cost: wait for this runner's calls in progress (what
        they cost may leave room), else stop with the spend cap (True)."""
        assert self.spend is not None
        if self.busy() or self.spend.pending() or not self.spend.reached():
            await self.lines.freed.wait(self._recheck_at(self.clock.time() + 5.0))
            self.spend.refresh()
            return False
        self.ending.stop(StopReason.SPEND_CAP, self.spend.describe())
        return True

    def _recheck_at(self, otherwise: float) -> float:
        """In a team, look again soon: other runners free lines and claims."""
        if not self._in_team:
            return otherwise
        scale = float(getattr(self.clock, "scale", 1.0))
        return self.clock.time() + max(TEAM_RECHECK, TEAM_RECHECK_REAL * scale)

    def _campaign_held(self, now: datetime) -> float | None:
        """The campaign-wide hold (written once when it changes): until when, or None."""
        hold = self.rules.campaign_hold(now)
        if hold != self._held or not self._held_written:
            self.ledger.hold_campaign(hold)
            self._held, self._held_written = hold, True
        if hold is None:
            return None
        if self.ending.until_idle and self.busy() == 0:
            self.ending.idle_until(hold.until)
        return hold.until.timestamp()

    async def _nothing_due(self) -> bool:
        """No contact is due now: True when the dialing is over, else wait for the next."""
        queue = self.ledger.queue()
        self.drained = not queue.waiting
        # Other runners' calls (their redials, or a take-over) keep this one here.
        elsewhere = self.coordination.work_elsewhere()
        busy = self.busy()
        if self.details_left is not None and self.details_left():
            # A connected call's details may still queue it again (a callback, no goal):
            # neither over nor idle until they are written.
            busy += 1
        if self.ending.nothing_left(queue, busy, elsewhere):
            return True
        horizon = self.clock.time() + (5.0 if busy else 3600.0)
        if elsewhere or queue.waiting:
            horizon = min(horizon, self._recheck_at(horizon))
        until = min(queue.next_due.timestamp(), horizon) if queue.next_due else horizon
        await self.lines.freed.wait(self.ending.wake_by(until))
        return False

    async def _dial_batch(self, tg: TaskGroup, batch: list[Candidate], free: int) -> int:
        """Intents for as many due contacts as there are free lines, in one transaction."""
        chosen: list[IntentRequest] = []
        candidates: list[Candidate] = []
        zone_holds: dict[str, Hold] = {}
        contact_holds: list[tuple[int, Hold]] = []
        zoned: list[tuple[int, str]] = []  # zone keys learned now (written with the holds)
        zoned_ahead = False
        for candidate in batch:
            if len(chosen) >= free or self.ending.stopping or self.lines.api_full:
                break
            if self.health is not None and not self.health.dialing_allowed:
                break
            if candidate.zone_key is not None and candidate.zone_key in zone_holds:
                continue  # the zone's hold covers it
            hold = self.rules.hold(candidate, self.clock.now())
            if hold is not None:
                if hold.scope is HoldScope.ZONE:
                    zone = candidate.zone_key
                    if zone is None:
                        if not zoned_ahead:  # the hold will cover the next ones too
                            self.ledger.zone_ahead(self.rules.zone_key, ZONE_AHEAD)
                            zoned_ahead = True
                        zone = self.rules.zone_key(candidate.to_number, candidate.timezone)
                        zoned.append((candidate.contact_id, zone))
                    zone_holds.setdefault(zone, hold)
                else:
                    contact_holds.append((candidate.contact_id, hold))
                continue
            try:
                from_number = candidate.from_number or self.caller_ids.choose(candidate.to_number)
            except (LookupError, FatalAPIError) as exc:
                detail = exc.message if isinstance(exc, FatalAPIError) else str(exc)
                self.ending.stop(StopReason.FROM_NUMBERS_REFUSED, detail)
                break
            if not self._in_team:  # alone: each dial's token before its intent
                if chosen and self.budget.next_free_in() > 0:
                    break  # send what is ready now; the rest waits for the next token
                await self.budget.acquire("call-dial")
                if self.ending.stopping:
                    break
            agent = candidate.agent_id or self.settings.agent_id
            chosen.append(IntentRequest(candidate.contact_id, from_number, agent))
            candidates.append(candidate)
        if zone_holds or contact_holds:
            self.ledger.hold(zone_holds, contact_holds, zoned=zoned)
        if not chosen:
            return 0
        crash_point("before_intent")
        async with self.coordination.dial_turn(candidates) as claim:
            written = self.ledger.intents(
                chosen,
                runner=self.runner,
                now=self.clock.now(),
                min_gap=self.settings.min_gap,
                claim=claim,
            )
        # Another runner took the key's token first: go again at once (the turn waits).
        self._token_race = any(
            not isinstance(w, Intent) and w.reason is BlockedBy.NO_TOKEN for w in written
        )
        started = 0
        for intent in written:
            if not isinstance(intent, Intent):
                if intent.reason is BlockedBy.LEASE_LOST:
                    self.ending.stop(StopReason.LEASE_LOST)
                continue
            crash_point("after_intent")
            self.dialer.start(tg, intent)
            started += 1
        return started
