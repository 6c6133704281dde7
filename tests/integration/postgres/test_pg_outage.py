"""PostgreSQL crashes for ~8 s under two runners sharing a campaign (`pg_ctl -m immediate
stop`, then start): both ride it out (no dialing, calls kept in memory, reconnecting),
re-check their leases, reconcile the dials whose answers could not be written, and exit 0
with every contact final and every number dialed exactly as often as the store says.

The cluster is the session's throwaway one (tests/pg.py): it is started again before the
test ends, whatever happens.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.pg import PgCluster
from tests.pg_team import CAMPAIGN, assert_complete_and_never_twice, team, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CONTACTS = 40
OUTAGE_SECONDS = 8.0


def test_two_runners_ride_out_a_postgres_crash(
    pg_cluster: PgCluster, pg_url: str, tmp_path: Path
) -> None:
    # The throwaway cluster commits asynchronously for speed; a crash would then lose the
    # last commits, which no real server (synchronous_commit=on) does: not for this test.
    pg_cluster.execute(f"ALTER DATABASE {pg_url.rsplit('/', 1)[1]} SET synchronous_commit = on")
    with team(pg_url, tmp_path, contacts=CONTACTS, lease=3.0) as setup:
        runners = [setup.start("resume", CAMPAIGN) for _ in range(2)]
        wait_for(
            lambda: (
                setup.scalar("SELECT count(*) FROM contacts WHERE state = 'done'") > CONTACTS // 5
            )
        )
        dialed_before = sum(setup.world.dial_counts.values())
        setup.db.dispose()
        pg_cluster.crash()
        try:
            time.sleep(OUTAGE_SECONDS)
            dialed_during = sum(setup.world.dial_counts.values()) - dialed_before
        finally:
            pg_cluster.start_server()
        codes = [proc.wait(timeout=120) for proc in runners]
        assert codes == [0, 0], [setup.log(i)[-3000:] for i in range(2)]
        assert_complete_and_never_twice(setup)
        # Dials already on their way when it went, at most: nobody was dialed meanwhile.
        assert dialed_during <= setup.world.plan.concurrent_calls
        backs = setup.query("SELECT message FROM events WHERE kind = 'db_back'")
        assert len(backs) >= 2, backs  # each runner came back
        print(f"\n{dialed_during} dial(s) during the outage; {backs}")
