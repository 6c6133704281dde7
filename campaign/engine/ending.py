"""The end of a run: the campaign's new state, written once, and the message for people.

With other runners still at work (PostgreSQL), the last one out decides the state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.engine.dispatch import queued_summary
from campaign.engine.progress import RunResult
from campaign.store.models import (
    CANCELED,
    FINISHED,
    INTERRUPTED,
    PAUSED,
    Campaign,
)
from campaign.store.queries import add_event, cancel_waiting_contacts, open_attempt_count

if TYPE_CHECKING:
    from campaign.engine.run import Runner


def finish_run(self: Runner) -> RunResult:
    """Write the campaign's state at the end of a run and say what happened."""
    now = self.clock.now()
    remaining, _ = queued_summary(self.db, self.campaign_id)
    open_calls = self.busy_lines
    with self.db.session() as session:
        # With other runners still at work, the last one out decides the campaign's state.
        others = self.team.leave_in(session)
        if self.fence is not None:
            open_calls = max(open_calls, open_attempt_count(session, self.campaign_id))
        campaign = session.get(Campaign, self.campaign_id)
        assert campaign is not None
        self._add_counters(session)
        if others:
            why = f" ({self.fatal or self.stop_note})" if self.fatal or self.stop_note else ""
            message = (
                f"campaign {self._name}: this runner stopped{why}; {others} other "
                "runner(s) still at work on it"
            )
        elif self.stop_reason == CANCELED and open_calls == 0:
            cancel_waiting_contacts(session, self.campaign_id, now)
            campaign.state = CANCELED
            campaign.requested_action = None
            campaign.finished_at = now
            message = f"campaign {self._name} canceled; contacts not yet called are marked canceled"
        elif not self.stopping and remaining == 0 and open_calls == 0 and not self.details:
            campaign.state = FINISHED
            campaign.finished_at = now
            message = f"campaign {self._name} finished"
        else:
            state = PAUSED if self.stop_reason == PAUSED else INTERRUPTED
            campaign.state = state
            if state == PAUSED:
                campaign.requested_action = None  # the pause is done; resume continues
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
