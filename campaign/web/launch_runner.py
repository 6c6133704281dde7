"""Campaigns started from the browser, run by anyio tasks the app owns.

Each campaign gets the engine's own Runner (and so its own runner lock) on its own API
connection; several run side by side. When serve stops, every runner is asked to stop as
on Ctrl-C and waited for (bounded): the campaigns are left interrupted, and the next serve
or `python -m campaign resume` continues them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup

from campaign.campaigns.connect import connect
from campaign.campaigns.resume import interrupted_campaigns, prepare_resume
from campaign.campaigns.runs import build_runner
from campaign.clock import Clock
from campaign.engine.progress import RunResult
from campaign.engine.runner import Runner
from campaign.engine.settings import RunSettings
from campaign.errors import CampaignError
from campaign.receiver.relay import DeliveryRelay
from campaign.store.db import Database
from campaign.store.queries import add_event
from campaign.store.rehearsals import ensure_apart

if TYPE_CHECKING:
    from campaign.simulator import World

log = logging.getLogger(__name__)

#: Real seconds serve waits for its runners to drain on shutdown before cancelling them.
SHUTDOWN_WAIT = 20.0


@dataclass
class Launched:
    campaign_id: int
    runner: Runner | None = None
    world: World | None = None  # the simulator's world under simulate: its ground truth
    result: RunResult | None = None
    error: str | None = None
    done: anyio.Event = field(default_factory=anyio.Event)


class BrowserRunners:
    """The runners this serve process started, by campaign id."""

    def __init__(
        self,
        db: Database,
        *,
        seed: int = 0,
        shutdown_wait: float = SHUTDOWN_WAIT,
        relay: DeliveryRelay | None = None,
    ) -> None:
        self.db = db
        #: The webhook receiver's wake-up (serve with a secret): each runner is attached.
        self.relay = relay
        self.seed = seed
        self.shutdown_wait = shutdown_wait
        self.launched: dict[int, Launched] = {}
        self._tg: TaskGroup | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Own the task group for the app's lifetime; drain the runners at its end."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            await self._resume_interrupted()
            try:
                yield
            finally:
                self._tg = None
                with anyio.CancelScope(shield=True):
                    await self._drain()
                tg.cancel_scope.cancel()

    async def _resume_interrupted(self) -> None:
        """Campaigns this page started and a stop interrupted go on (pauses stay paused)."""
        found = await anyio.to_thread.run_sync(web_launched_interrupted, self.db)
        for campaign_id, name in found:
            try:
                _, settings = await anyio.to_thread.run_sync(prepare_resume, self.db, name)
                self.start(campaign_id, settings)  # here, in the loop: start_soon needs it
            except (CampaignError, RuntimeError) as exc:
                log.warning("campaign %s not resumed: %s", name, exc)

    def is_running(self, campaign_id: int) -> bool:
        launched = self.launched.get(campaign_id)
        return launched is not None and not launched.done.is_set()

    def start(self, campaign_id: int, settings: RunSettings) -> Launched:
        """Run the campaign in the background; a second start of a running one is refused."""
        if self._tg is None:
            raise RuntimeError("the app is not running (no lifespan): cannot start campaigns")
        if self.is_running(campaign_id):
            raise RuntimeError(f"campaign {campaign_id} already runs in this server")
        launched = Launched(campaign_id)
        self.launched[campaign_id] = launched
        self._tg.start_soon(self._run, launched, settings)
        return launched

    async def _run(self, launched: Launched, settings: RunSettings) -> None:
        try:
            await anyio.to_thread.run_sync(
                lambda: ensure_apart(self.db, simulate=settings.simulate)
            )
            async with connect(settings, seed=self.seed, db=self.db) as connection:
                launched.world = connection.world
                runner = build_runner(self.db, launched.campaign_id, settings, connection)
                launched.runner = runner
                relay = self.relay
                with relay.attached(runner.delivery_arrived) if relay else nullcontext():
                    launched.result = await runner.run()
        except CampaignError as exc:  # refused (e.g. a rehearsal in a real database)
            log.warning("campaign %s not run: %s", launched.campaign_id, exc.message)
            launched.error = exc.message
        except Exception as exc:  # shown on the page; the campaign stays resumable
            log.exception("campaign %s stopped with an error", launched.campaign_id)
            launched.error = str(exc) or type(exc).__name__
        finally:
            launched.done.set()

    async def _drain(self) -> None:
        running = [item for item in self.launched.values() if not item.done.is_set()]
        for item in running:
            if item.runner is not None:
                item.runner.request_stop()
        with anyio.move_on_after(self.shutdown_wait):
            for item in running:
                await item.done.wait()


WEB_LAUNCH = "web_launch"


def mark_web_launch(db: Database, campaign_id: int, clock: Clock) -> None:
    """Remember that this page started the campaign, so the next serve resumes it."""
    with db.session() as session:
        add_event(
            session, clock.now(), WEB_LAUNCH, "started from the browser", campaign_id=campaign_id
        )


def web_launched_interrupted(db: Database) -> list[tuple[int, str]]:
    """Campaigns this page started that a stop left interrupted, oldest first."""
    found = interrupted_campaigns(db, started_by=WEB_LAUNCH, newest_first=False)
    return [(item.campaign_id, item.name) for item in found]
