"""Building a Progress snapshot of a live runner from the store and its own counters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from campaign.engine.progress import Progress
from campaign.store.models import QUEUED, Contact
from campaign.store.queries import outcome_counts

if TYPE_CHECKING:
    from campaign.engine.run import Runner


def build_progress(runner: Runner) -> Progress:
    cid = runner.campaign_id
    with runner.db.read_session() as session:
        outcomes = outcome_counts(session, cid)
        waits = {
            str(k): int(v)
            for k, v in session.execute(
                select(Contact.wait_reason, func.count())
                .where(Contact.campaign_id == cid, Contact.state == QUEUED)
                .group_by(Contact.wait_reason)
            ).all()
        }
        next_due = session.scalar(
            select(func.min(Contact.next_attempt_at)).where(
                Contact.campaign_id == cid, Contact.state == QUEUED
            )
        )
    not_dialable = sum(outcomes.get(k, 0) for k in ("invalid", "duplicate"))
    total = sum(outcomes.values()) - not_dialable
    done = total - outcomes.get("pending", 0)
    elapsed = runner.clock.time() - runner._started
    eta = None
    if done > 0 and total > done:
        eta = elapsed / done * (total - done)
    elif total == done:
        eta = 0.0
    return Progress(
        campaign=runner._name,
        total=total,
        done=done,
        in_progress=runner.busy_lines,
        waiting_redial=waits.get("redial", 0),
        waiting_window=waits.get("window", 0) + waits.get("scheduled", 0),
        waiting_gap=waits.get("recently_called", 0) + waits.get("daily_cap", 0),
        connected=outcomes.get("connected", 0),
        failed=outcomes.get("failed", 0),
        outcomes=outcomes,
        requests_last_minute=runner.budget.used_last_minute(),
        rate_limit=runner.budget.rate,
        rate_limited=runner.budget.rate_limited,
        requests_total=runner.budget.granted,
        next_due=next_due,
        elapsed=elapsed,
        eta_seconds=eta,
        stopping=runner.stopping,
        state="stopping" if runner.stopping else "running",
    )
