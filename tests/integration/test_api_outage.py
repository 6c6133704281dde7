"""The Voicy API goes away for a few simulated minutes mid-campaign (dropped connections,
then 503 to everything, then back): no dial is sent into the outage after its first
failures, the runner probes with cheap reads, says "API unavailable since …", resumes on
its own, reconciles the dials the outage left unknown before anyone is dialed again, and
exits 0 with every number dialed exactly as often as the store says. A real `run` process
against the simulator over HTTP.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from campaign.clock import CompressedClock
from campaign.outcomes.status import campaign_status
from campaign.simulator import DEFAULT_FROM_NUMBERS, PLANS, World, running_server
from campaign.store.db import open_db
from tests.factories import runner_env, us_numbers, wait_for, write_contacts_csv
from tests.integration.test_engine_crash import (
    RUN_OPTIONS,
    Setup,
    assert_complete_and_never_twice,
    campaign_cmd,
    query,
)

pytestmark = pytest.mark.slow

SCALE = 40.0


def test_an_api_outage_is_ridden_out_without_a_dial_into_it(tmp_path: Path) -> None:
    clock = CompressedClock.anchored(SCALE, epoch=time.time())
    world = World(clock=clock, plan=PLANS["standard"], seed=21, call_seconds=(5, 20))
    numbers = us_numbers(20, start=900)
    contacts = write_contacts_csv(tmp_path / "contacts.csv", numbers)
    with running_server(world) as base_url:
        env = runner_env(base_url, clock.spec(), DEFAULT_FROM_NUMBERS[:2])
        setup = Setup(world, env, tmp_path / "campaign.db", contacts, numbers)
        proc = subprocess.Popen(
            campaign_cmd("run", str(contacts), *RUN_OPTIONS, "--db", str(setup.db)),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Once the first calls have ended (lines free, dials going out): 1 min of dropped
        # connections, then 2 min of 503, then back.
        wait_for(
            lambda: (
                setup.db.exists()
                and query(setup.db, "SELECT count(*) FROM attempts WHERE state = 'ended'")[0][0] > 0
            )
        )
        world.outage(0.0, refused=60.0, unavailable=120.0)
        outage = world.outages[0]
        store = open_db(setup.db, migrate=False)
        try:  # `status` (and the page) read it from the store while it lasts
            wait_for(lambda: campaign_status(store).api_down_since is not None)
            shown = campaign_status(store)
        finally:
            store.dispose()
        assert shown.state == "running"
        out, _ = proc.communicate(timeout=180)
        done = subprocess.CompletedProcess(proc.args, proc.returncode, out, "")
        assert done.returncode == 0, done.stdout + done.stderr
        assert_complete_and_never_twice(setup)
        served = world.served_in_outage
        # Only the dials already on their way when it began met the outage (usually a few;
        # none when every line was busy with a call at that instant).
        dials_into_it = served["call-dial:refused"] + served["call-dial:unavailable"]
        assert dials_into_it <= PLANS["standard"].concurrent_calls, served
        assert served["read:unavailable"] > 0  # probed (and scanned) through it
        kinds = [kind for (kind,) in query(setup.db, "SELECT kind FROM events ORDER BY id")]
        assert "api_down" in kinds and "api_back" in kinds
        (down,) = query(setup.db, "SELECT message FROM events WHERE kind = 'api_down'")[0]
        assert "Voicy API unavailable since" in down
        # Nothing dialed before the outage's unknown dials were resolved: every dial after
        # the outage came after its last unknown was settled.
        after = [c for c in world.calls if c.start >= outage.end]
        assert after, "the campaign went on after the outage"
        print(f"\noutage served {dict(served)}; {len(after)} calls after it")
