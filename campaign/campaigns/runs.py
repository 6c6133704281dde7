"""Running a campaign: the one wiring of a runner with its rules and hooks, for the CLI, the
web page and library users alike, and running it with signal handling.

    async with connect(settings, db=db) as connection:
        result = await run_campaign(db, campaign.id, settings, connection=connection)
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from contextlib import nullcontext

import anyio

from campaign.campaigns.connect import Connection
from campaign.campaigns.dnc import OptOutRecorder
from campaign.engine.coordination.lock import RunnerIdentity
from campaign.engine.progress import Progress, RunResult
from campaign.engine.rules_bridge import rules_for
from campaign.engine.runner import Runner
from campaign.engine.settings import RunSettings
from campaign.receiver.relay import DeliveryRelay
from campaign.store.db import Database
from campaign.store.rehearsals import ensure_apart

__all__ = ["build_runner", "run_campaign", "run_with_signals"]


def build_runner(
    db: Database,
    campaign_id: int,
    settings: RunSettings,
    connection: Connection,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    identity: RunnerIdentity | None = None,
) -> Runner:
    """A runner for the campaign with the calling rules, caller IDs and details hooks its
    settings ask for."""
    rules, caller_ids = rules_for(db, settings)
    on_details = (
        OptOutRecorder(db, settings.opt_out_var, connection.clock) if settings.opt_out_var else None
    )
    return Runner(
        db,
        campaign_id,
        connection.client,
        settings,
        connection.clock,
        rules=rules,
        caller_ids=caller_ids,
        on_progress=on_progress,
        on_details=on_details,
        identity=identity,
        openings=rules,
    )


async def run_with_signals(runner: Runner) -> RunResult:
    """Run until done. First SIGINT/SIGTERM drains; a second one exits at once."""
    result: RunResult | None = None
    async with anyio.create_task_group() as tg:

        async def watch_signals() -> None:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    if runner.stopping:
                        tg.cancel_scope.cancel()
                        return
                    runner.request_stop()

        async def work() -> None:
            nonlocal result
            result = await runner.run()
            tg.cancel_scope.cancel()

        tg.start_soon(watch_signals)
        tg.start_soon(work)
    if result is None:
        raise KeyboardInterrupt
    return result


async def run_campaign(
    db: Database,
    campaign_id: int,
    settings: RunSettings,
    *,
    connection: Connection,
    on_progress: Callable[[Progress], None] | None = None,
    handle_signals: bool = True,
    relay: DeliveryRelay | None = None,
) -> RunResult:
    """Run campaign `campaign_id` to its end (or until stopped) on `connection` (never a
    rehearsal beside real campaigns: see `campaign.store.rehearsals`). With `relay` (the
    webhook receiver's hook in this process) each stored delivery wakes the run to use it."""
    ensure_apart(db, simulate=settings.simulate)
    runner = build_runner(db, campaign_id, settings, connection, on_progress=on_progress)
    with relay.attached(runner.delivery_arrived) if relay is not None else nullcontext():
        if handle_signals:
            return await run_with_signals(runner)
        return await runner.run()
