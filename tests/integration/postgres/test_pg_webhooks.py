"""Two runner processes on one PostgreSQL campaign use webhook deliveries written by a
receiver in a third process (this one): each runner ends its own calls from the inbox, no
call is ended or fetched twice, and the fences hold (no runner stops on a refused write)."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import anyio
import pytest

from campaign.receiver import serve_webhooks
from campaign.simulator import World
from campaign.simulator.webhooks import WebhookFaults, WebhookSender
from campaign.store.db import Database
from tests.pg_team import CAMPAIGN, assert_complete_and_never_twice, assert_within_plan, team

pytestmark = [pytest.mark.postgres]

SECRET = "whsec_team_webhooks_test_3f8a21c0"


def _receive(db: Database, world: World, stop: threading.Event, ready: queue.Queue[str]) -> None:
    async def main() -> None:
        async with anyio.create_task_group() as tg:
            address = await tg.start(serve_webhooks, db, SECRET, "127.0.0.1", 0, world.clock)
            faults = WebhookFaults(scope="all", p_lost=0.2, p_repeated=0.1, reorder_seconds=2)
            sender = WebhookSender(world, address.url, SECRET, faults=faults)
            tg.start_soon(sender.run)
            ready.put(address.url)
            while not stop.is_set():
                await anyio.sleep(0.05)
            sender.close()
            tg.cancel_scope.cancel()

    anyio.run(main)


def test_two_runners_use_their_own_deliveries(pg_url: str, tmp_path: Path) -> None:
    with team(pg_url, tmp_path, contacts=30, seed=13, call_seconds=(10, 30)) as setup:
        stop = threading.Event()
        ready: queue.Queue[str] = queue.Queue()
        receiver = threading.Thread(target=_receive, args=(setup.db, setup.world, stop, ready))
        receiver.start()
        try:
            ready.get(timeout=30)
            for _ in range(2):
                setup.start("resume", CAMPAIGN)
            codes = setup.wait_all()
        finally:
            stop.set()
            receiver.join(timeout=30)
        assert codes == [0, 0], [setup.log(i)[-2000:] for i in range(2)]
        assert_complete_and_never_twice(setup)
        assert_within_plan(setup)
        by_runner = setup.query(
            "SELECT runner, count(*) FROM attempts WHERE ended_by = 'webhook' GROUP BY runner"
        )
        assert len(by_runner) == 2, by_runner  # both runners ended calls from the inbox
        assert (
            setup.scalar(
                "SELECT count(*) FROM attempts WHERE category = 'connected' AND summary IS NULL"
            )
            == 0
        )
        # Deliveries saved call-gets: fewer than one per connected call.
        connected = sum(1 for c in setup.world.calls if c.connected)
        assert setup.world.requests_by_endpoint["call-get"] < connected
        assert setup.query("SELECT state FROM campaigns") == [("finished",)]
