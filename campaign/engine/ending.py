"""The one place a run decides it is over: why it stops, when the work is done, how long
it drains, and what the campaign's state is then.

A stop is asked with a `StopReason` (a signal, a pause or cancel, --stop-at, --until-idle,
the API refusing the key or every from-number, another runner taking over); the first one
wins, except that a fatal reason replaces a polite one (the user must see why the API
refused the campaign). With no stop asked, the run ends when nothing is left to dial here.
With other runners still at work (PostgreSQL), the last one out decides the state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from campaign.calls.due import Queue
from campaign.calls.runs import RunEnd
from campaign.calls.vocab import CampaignState, StopReason
from campaign.clock import Clock
from campaign.durations import parse_instant
from campaign.engine.alarm import Alarm
from campaign.engine.settings import RunSettings


@dataclass(frozen=True)
class Conclusion:
    """What a run ends with: the campaign's new state (None: teammates still at work) and
    the message for people."""

    end: RunEnd | None
    message: str


class Ending:
    def __init__(self, clock: Clock, settings: RunSettings, wake: Alarm) -> None:
        self.clock = clock
        self.wake = wake
        self.stop_at = parse_instant(settings.stop_at, "--stop-at")
        self.until_idle = settings.until_idle
        self.drain_timeout = settings.drain_timeout
        self.stopping = False
        self.reason: StopReason | None = None
        self.detail: str | None = None
        self.next_due: datetime | None = None  # when idle: the next contact's due time
        self._forget: list[Callable[[], None]] = []
        self._lease_lost = False

    def when_lease_lost(self, *forget: Callable[[], None]) -> None:
        """What to drop when another runner took this one's calls (they are its now)."""
        self._forget.extend(forget)

    # --- asking to stop -----------------------------------------------------------------

    def stop(self, reason: StopReason, detail: str | None = None) -> None:
        if reason is StopReason.LEASE_LOST and not self._lease_lost:
            self._lease_lost = True
            for forget in self._forget:
                forget()
        polite = self.reason is not None and not self.reason.fatal
        if not self.stopping or (reason.fatal and polite):
            self.stopping = True
            self.reason = reason
            self.detail = detail
        self.wake.ring()

    @property
    def fatal(self) -> str | None:
        """Why the API refused the whole campaign (or another runner took it), if it did."""
        if self.reason is None or not self.reason.fatal:
            return None
        return self.reason.words + (f" ({self.detail})" if self.detail else "")

    @property
    def idle(self) -> bool:
        return self.reason is StopReason.IDLE

    @property
    def lease_lost(self) -> bool:
        return self._lease_lost

    # --- deciding -----------------------------------------------------------------------

    def past_stop_at(self, now: datetime) -> bool:
        """--stop-at has come: stop dialing (the calls in progress still end)."""
        if self.stop_at is None or now < self.stop_at:
            return False
        self.stop(StopReason.STOP_AT, self.stop_at.isoformat())
        return True

    def wake_by(self, until: float) -> float:
        """A wait never sleeps past --stop-at."""
        if self.stop_at is None:
            return until
        return min(until, self.stop_at.timestamp())

    def nothing_left(self, queue: Queue, busy: int, elsewhere: bool) -> bool:
        """When the dispatcher finds no due contact: whether the run's dialing is over
        (every contact final here, or --until-idle and every remaining one waits)."""
        if not queue.waiting and busy == 0 and not elsewhere:
            return True
        if self.until_idle and busy == 0 and queue.next_due is not None:
            self.idle_until(queue.next_due)
            return True
        return False

    def idle_until(self, next_due: datetime) -> None:
        self.next_due = next_due
        self.stop(StopReason.IDLE, f"the next contact is due {next_due.isoformat()}")

    async def drain(
        self,
        busy: Callable[[], int],
        details_left: Callable[[], bool],
        hurry: Callable[[], None] | None = None,
    ) -> None:
        """Follow open calls to their end; bounded by --drain-timeout once stopping.
        Once no call is open and only details are left, `hurry` is told: they are all the
        run still waits for (a webhook delivery would only come later than a call-get)."""
        deadline = self.clock.time() + self.drain_timeout
        while busy() or (details_left() and not self.stopping):
            if self.lease_lost or (self.stopping and self.clock.time() >= deadline):
                return
            if hurry is not None and not busy():
                hurry()
            await self.wake.wait(min(deadline, self.clock.time() + 5.0))

    def conclude(
        self, name: str, *, remaining: bool, open_calls: int, details_left: bool, others: int
    ) -> Conclusion:
        """The campaign's state at the end of this run, and what to tell people."""
        reason = self.reason or StopReason.INTERRUPTED
        why = f" ({reason.words}: {self.detail})" if self.detail else f" ({reason.words})"
        if self.idle and self.next_due is not None:
            when = self.next_due.isoformat(timespec="minutes")
            why = f" (every remaining contact waits; the next is due {when})"
        if others:
            why = why if self.stopping else ""
            return Conclusion(
                None,
                f"campaign {name}: this runner stopped{why}; {others} other runner(s) still "
                "at work on it",
            )
        if reason is StopReason.CANCELED and open_calls == 0:
            return Conclusion(
                RunEnd(CampaignState.CANCELED, reason),
                f"campaign {name} canceled; contacts not yet called are marked canceled",
            )
        capped = reason is StopReason.SPEND_CAP
        done = not remaining and open_calls == 0 and not details_left
        if done and (not self.stopping or capped):
            return Conclusion(
                RunEnd(CampaignState.FINISHED, StopReason.COMPLETED), f"campaign {name} finished"
            )
        # The spend cap waits for a person (a higher --max-cost), as a pause does.
        paused = reason is StopReason.PAUSED or capped
        state = CampaignState.PAUSED if paused else CampaignState.INTERRUPTED
        higher = " and a higher --max-cost" if capped else ""
        return Conclusion(
            RunEnd(state, reason, self.detail),
            f"campaign {name} {'paused' if paused else 'stopped'}{why}; continue with "
            f"`python -m campaign resume {name}`{higher}",
        )
