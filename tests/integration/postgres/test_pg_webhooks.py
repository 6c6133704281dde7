"""Two runner processes on one PostgreSQL campaign use webhook deliveries written by a
receiver in a third process (this one): each runner uses the inbox for its own calls (an
end, or the details that spare a call-get), no call is ended or fetched twice, and the
fences hold (no runner stops on a refused write).

Which source sees an end first is a race: on the compressed clock a delivery's real latency
(HTTP, a PostgreSQL write, the next inbox read, a busy CPU) is worth many simulated
seconds, and a scan may well see the hang-up first. So "used" counts both an end from the
inbox and a connected call's details recorded from its delivery (no call-get for it, told
by the simulator): without webhooks every connected call costs a call-get."""

from __future__ import annotations

import queue
import threading
from collections import Counter
from pathlib import Path

import anyio
import pytest

from campaign.receiver import serve_webhooks
from campaign.simulator import World
from campaign.simulator.calls import SimCall
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
        fetched: Counter[str] = Counter()  # call-gets by call id, as the simulator saw them
        get_call = setup.world.get_call

        def counting_get_call(call_id: str) -> SimCall | None:
            fetched[call_id] += 1
            return get_call(call_id)

        setup.world.get_call = counting_get_call  # type: ignore[method-assign]
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
        rows = setup.query(
            "SELECT runner, call_id, category, ended_by FROM attempts WHERE call_id IS NOT NULL"
        )
        used: Counter[str] = Counter()
        for runner, call_id, category, ended_by in rows:
            from_inbox = ended_by == "webhook" or (category == "connected" and not fetched[call_id])
            used[runner] += from_inbox
        runners = {runner for runner, *_ in rows}
        assert len(runners) == 2 and all(used[r] > 0 for r in runners), (used, runners)
        # Never fetched twice; only connected calls are fetched.
        assert not fetched or max(fetched.values()) == 1, fetched
        connected_ids = {c for _, c, category, _ in rows if category == "connected"}
        assert set(fetched) <= connected_ids
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
