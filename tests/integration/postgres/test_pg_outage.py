"""PostgreSQL goes away around real runner processes sharing a campaign, at every edge of a
run, and nothing is lost or dialed twice. One campaign, in order:

1. At the very start: a runner froze before taking its lease; the server crashes; it waits
   and goes on once the server is back.
2. Mid-run for longer than its `--db-outage`: a clean stop, one line with the resume command.
3. Two `resume`s started while the server is still down wait for it (dialing nobody).
4. Mid-run under both, `pg_ctl -m immediate stop` for 8 s: both ride it out (no dialing,
   calls kept in memory, reconnecting), re-check their leases, reconcile the dials whose
   answers could not be written.
5. At the very end: one froze before writing the campaign's end; the server crashes again.

Both exit 0, the campaign is finished, every contact final and every number dialed exactly
as often as the store says. Freezes are `CAMPAIGN_CRASH_AT=point:1:stop` (the runner
SIGSTOPs itself there; the test crashes the server, then SIGCONTs it). The cluster is the
session's throwaway one (tests/pg.py): it is started again before the test ends, whatever
happens.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.pg import PgCluster
from tests.pg_team import CAMPAIGN, Team, assert_complete_and_never_twice, team, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CONTACTS = 30
OUTAGE_SECONDS = 8.0
#: The first runner's --db-outage: its start's short outage is ridden out, the mid-run one
#: (held until it gives up) is not.
LIMIT = "4s"
WAITING = "waiting, retrying"


def _stopped(proc: subprocess.Popen[bytes]) -> bool:
    """Whether `proc` froze itself (SIGSTOP: state T in /proc)."""
    stat = Path(f"/proc/{proc.pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] == "T"


def _crash_while_frozen(pg: PgCluster, setup: Team, index: int) -> None:
    """The server crashes while runner `index` is frozen; it is back once the runner said
    it waits (so the runner met the outage, however slow the machine)."""
    proc = setup.procs[index]
    wait_for(lambda: proc.poll() is None and _stopped(proc), timeout=90)
    waits = setup.log(index).count(WAITING)
    setup.db.dispose()
    pg.crash()
    try:
        os.kill(proc.pid, signal.SIGCONT)
        wait_for(lambda: setup.log(index).count(WAITING) > waits, timeout=30)
    finally:
        pg.start_server()


def _both_at_work(setup: Team) -> bool:
    """Both resumed runners are live (the stopped one's lease has passed) and calls are in
    progress."""
    live = setup.scalar("SELECT count(*) FROM runners WHERE lease_until > now()")
    placed = setup.scalar("SELECT count(*) FROM attempts WHERE state = 'placed'")
    return bool(live == 2 and placed > 0)


def _done(setup: Team) -> int:
    return int(setup.scalar("SELECT count(*) FROM contacts WHERE state = 'done'"))


def test_runners_ride_out_postgres_crashes_at_every_edge_of_a_run(
    pg_cluster: PgCluster, pg_url: str, tmp_path: Path
) -> None:
    # The throwaway cluster commits asynchronously for speed; a crash would then lose the
    # last commits, which no real server (synchronous_commit=on) does: not for this test.
    pg_cluster.execute(f"ALTER DATABASE {pg_url.rsplit('/', 1)[1]} SET synchronous_commit = on")
    with team(pg_url, tmp_path, contacts=CONTACTS, lease=2.0) as setup:
        # 1. At the very start, before the runner takes its lease.
        first = setup.start(
            "resume",
            CAMPAIGN,
            "--db-outage",
            LIMIT,
            env={"CAMPAIGN_CRASH_AT": "before_start:1:stop"},
        )
        _crash_while_frozen(pg_cluster, setup, 0)
        # 2. Mid-run, past its limit.
        wait_for(lambda: _done(setup) >= 4)
        setup.db.dispose()
        pg_cluster.crash()
        try:
            assert first.wait(timeout=60) == 1, setup.log(0)[-3000:]
            dialed_at_stop = sum(setup.world.dial_counts.values())
            error = [line for line in setup.log(0).splitlines() if line.startswith("Error:")]
            assert len(error) == 1, setup.log(0)[-3000:]
            assert f"unreachable for over {LIMIT[:-1]} s" in error[0]
            assert f"`python -m campaign resume {CAMPAIGN}" in error[0]
            # 3. Two resumes while the server is still down: they wait, dialing nobody.
            runners = [
                setup.start("resume", CAMPAIGN, env={"CAMPAIGN_CRASH_AT": "before_finish:1:stop"}),
                setup.start("resume", CAMPAIGN),
            ]
            wait_for(lambda: all(WAITING in setup.log(i) for i in (1, 2)), timeout=30)
            assert [proc.poll() for proc in runners] == [None, None]
            assert sum(setup.world.dial_counts.values()) == dialed_at_stop
        finally:
            pg_cluster.start_server()
        # 4. Mid-run under both, for 8 s.
        wait_for(lambda: _both_at_work(setup))
        dialed_before = sum(setup.world.dial_counts.values())
        setup.db.dispose()
        pg_cluster.crash()
        try:
            time.sleep(OUTAGE_SECONDS)
            dialed_during = sum(setup.world.dial_counts.values()) - dialed_before
        finally:
            pg_cluster.start_server()
        # 5. At the very end: every call followed, the campaign's end not yet written.
        _crash_while_frozen(pg_cluster, setup, 1)
        codes = [proc.wait(timeout=120) for proc in runners]
        assert codes == [0, 0], [setup.log(i)[-3000:] for i in (1, 2)]
        assert_complete_and_never_twice(setup)
        assert setup.scalar(f"SELECT state FROM campaigns WHERE name = '{CAMPAIGN}'") == "finished"
        assert setup.scalar("SELECT count(*) FROM runners") == 0  # the stopped one's row too
        # Dials already on their way when it went, at most: nobody was dialed meanwhile.
        assert dialed_during <= setup.world.plan.concurrent_calls
        backs = [m for (m,) in setup.query("SELECT message FROM events WHERE kind = 'db_back'")]
        # The start (1), each runner in the 8 s outage, whatever it was doing (2), the end (5).
        assert len(backs) >= 4, backs
        assert sum("as the run started" in m for m in backs) >= 1, backs
        assert sum("as the run ended" in m for m in backs) >= 1, backs
        print(f"\n{dialed_during} dial(s) during the 8 s outage; {backs}")
