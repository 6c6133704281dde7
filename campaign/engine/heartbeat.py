"""The runner's heartbeat: pause/cancel requests, its lock or lease, counters, take-overs.

Every second (on real time: it is about processes, not calls) the runner reads the
campaign's requested action. Every few seconds it renews its lock (SQLite) or lease
(PostgreSQL) and stops at once if another runner has taken over; on PostgreSQL it also
takes over the open calls of teammates whose lease ran out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio
from sqlalchemy import select

from campaign.store.models import CANCELED, PAUSED, Campaign

if TYPE_CHECKING:
    from campaign.engine.run import Runner


async def heartbeat_loop(runner: Runner) -> None:
    every = runner.team.heartbeat_every  # real seconds
    tick = min(1.0, every)
    per_beat = max(1, round(every / tick))
    beats = 0
    while True:
        await anyio.sleep(tick)
        beats += 1
        with runner.db.read_session() as session:
            action = session.scalar(
                select(Campaign.requested_action).where(Campaign.id == runner.campaign_id)
            )
        if action in (PAUSED, "pause"):
            runner.request_stop(PAUSED)
        elif action in (CANCELED, "cancel"):
            runner.request_stop(CANCELED)
        if beats % per_beat == 0:
            if not runner.team.beat():
                if runner.fence is not None:
                    runner._refused([])
                else:
                    runner._fatal("another runner took over this campaign")
            elif not runner.stopping:
                _adopt(runner)
            runner._flush_counters()


def _adopt(runner: Runner) -> None:
    """Take over the open calls of runners whose lease ran out (PostgreSQL)."""
    taken = runner.team.adopt(runner.clock.now())
    if not taken:
        return
    runner.tracker.load(taken.attempts)
    for attempt_id, call_id in taken.details:
        runner.queue_details(attempt_id, call_id)
    runner.wake()
