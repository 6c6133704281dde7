"""When the tracker's next scan comes: the request budget's spare, or the scan schedule.

Without webhooks, scans come as often as the request budget's spare allows (see
`poll_interval`), once the open calls may have ended at all (`scan_schedule.POLL_PRICE`:
no scan while every call is younger than calls end): the sooner an end is seen, the sooner
its line dials again. With webhook deliveries arriving, only when the open calls have likely
wasted a scan's worth of line time where no delivery will tell (`scan_schedule`), and
freely in the campaign's tail (`tail`: no contact waits, the last ends are the campaign's
end); where every ended call fires, as often as the budget's spare allows less a thinner
reserve (scans are then what frees lines sooner), never the minute's last `DIAL_TOKENS`;
unknown dials keep the budget's cadence;
in a team, the scanner covers its teammates' calls only every `TEAM_LIVE_EVERY`, since each
runner ends its own calls from its own deliveries. A fixed `--poll-interval` overrides all.
"""

from __future__ import annotations

from collections.abc import Callable

from campaign.clock import Clock, sleep_until
from campaign.engine.budget import RequestBudget
from campaign.engine.coordination import Coordination
from campaign.engine.open_calls import OpenCalls
from campaign.engine.scan_schedule import ScanSchedule
from campaign.engine.settings import RunSettings

#: How often (clock seconds) the schedule looks again while nothing rings.
SCHEDULE_TICK = 0.25
#: With webhooks live, how often (clock seconds) a team's scanner still scans for the
#: teammates' calls (a lost delivery); their owners end the others from the inbox.
TEAM_LIVE_EVERY = 20.0
#: The share of the budget scans leave untouched, so a dial never waits for a token
#: (where every ended call fires, scans are what frees lines: a thinner reserve).
RESERVE = 0.1
RESERVE_ALL_FIRE = 0.03
#: Scans never take the last tokens of the minute: those are the dials'.
DIAL_TOKENS = 2
#: In the campaign's tail (no contact waits) scans come this often (clock seconds) while
#: the last minute's requests leave the reserve untouched: the last ends are the end.
TAIL_EVERY = 1.0
#: Where every ended call fires, the tail's scans cost no request bound: twice a second.
TAIL_EVERY_ALL_FIRE = 0.5


class ScanCadence:
    """Decides when the next scan is due; `scanned` is told when one starts."""

    def __init__(
        self,
        calls: OpenCalls,
        schedule: ScanSchedule,
        *,
        clock: Clock,
        budget: RequestBudget,
        settings: RunSettings,
        coordination: Coordination,
        in_team: bool,
        webhooks_live: Callable[[], bool],
    ) -> None:
        self.calls = calls
        self.schedule = schedule
        self.clock = clock
        self.budget = budget
        self.settings = settings
        self.coordination = coordination
        self.in_team = in_team
        self.webhooks_live = webhooks_live
        #: Whether no contact waits for a dial any more (set by the runner: the dispatcher).
        self.tail: Callable[[], bool] = lambda: False
        self.last_scan = -1e18

    def scanned(self) -> None:
        """A scan starts now."""
        self.last_scan = self.clock.time()

    def poll_interval(self, reserve: float = RESERVE) -> float:
        configured = self.settings.poll_interval
        if configured:
            return float(configured)
        # Scans take what the budget leaves after dials and details (less a 10% reserve so
        # a dial never waits for a token): the sooner an end is seen, the sooner its line
        # dials again. At 60 requests/min and ~30 other requests/min, one scan every ~2.5 s.
        spare = self.budget.rate * (1 - reserve) - self.budget.used_last_minute(exclude="call-list")
        return min(10.0, max(0.5, 60.0 / max(1.0, spare)))

    def floor(self, tail: bool, all_fire: bool = False) -> float:
        """The least time between two scans: the budget's spare (less a thinner reserve
        where every ended call fires), or `TAIL_EVERY` in the tail while the last minute's
        requests leave room."""
        reserve = RESERVE_ALL_FIRE if all_fire else RESERVE
        if tail and self.budget.used_last_minute() < self.budget.rate * (1 - reserve) - 1:
            every = TAIL_EVERY_ALL_FIRE if all_fire else TAIL_EVERY
            return min(every, self.poll_interval(reserve))
        return self.poll_interval(reserve)

    def room(self) -> bool:
        """Whether the last minute leaves a scan more than the dials' last tokens."""
        if self.settings.poll_interval:
            return True
        return self.budget.used_last_minute() < self.budget.rate - DIAL_TOKENS

    def covers_team(self) -> bool:
        """Whether this runner's scans cover the team's placed calls now."""
        # With webhooks live the team's scans are rarer (`TEAM_LIVE_EVERY`): only a scanner
        # silent for longer than that is overdue.
        every = self.poll_interval()
        if not self.settings.poll_interval and self.webhooks_live():
            every = max(every, TEAM_LIVE_EVERY)
        return self.in_team and self.coordination.covers_team(every)

    async def wait(self) -> None:
        """Until the next scan: a fixed --poll-interval, or the schedule (see
        `scan_schedule`): once the open calls have likely wasted a scan's worth of line
        time, never sooner than the budget's spare requests allow. Unknown dials keep the
        budget's cadence; the team's scanner covers its teammates' calls every
        `TEAM_LIVE_EVERY` (their deliveries end the rest: each runner uses its own)."""
        live = self.webhooks_live()
        if self.settings.poll_interval or (not live and self.in_team):
            # A team's scans also cover the teammates' calls, whose ages are theirs.
            await self.clock.sleep(self.poll_interval())
            return
        if not live and self.tail():
            # The last calls: scan as often as the budget has room, whatever is likely.
            await sleep_until(self.clock, self.last_scan + self.floor(tail=True))
            return
        # In a team the scanner also covers the teammates' calls, whose deliveries their
        # owners use: it scans for them only as often as a lost delivery needs.
        team_due = self.last_scan + TEAM_LIVE_EVERY if self.covers_team() else float("inf")
        calls = self.calls
        while calls or team_due < float("inf"):
            tail = self.tail()
            floor = self.last_scan + self.floor(tail, self.schedule.all_fire(live))
            now = self.clock.time()
            if (
                now >= floor
                and self.room()
                and (
                    calls.unknown
                    or now >= team_due
                    or self.schedule.worth_scanning(calls.ages(), webhooks_live=live, tail=tail)
                )
            ):
                return
            await calls.changed.wait(max(floor, now + SCHEDULE_TICK))
