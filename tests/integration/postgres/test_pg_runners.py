"""Three runner processes share one campaign on PostgreSQL, within one key's plan limits.

The judge is the simulator's ground truth: every number dialed exactly as often as the
store recorded, never more than 60 requests in a minute nor 10 calls at once on the
Standard plan, no 429, and a runner killed with SIGKILL loses nothing: the others take over
its calls when its lease runs out.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.pg_team import (
    CAMPAIGN,
    LEASE_SECONDS,
    assert_complete_and_never_twice,
    assert_within_plan,
    team,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CONTACTS = 300
KILL_CONTACTS = 150


def test_three_runners_share_a_campaign_within_the_plan(pg_url: str, tmp_path: Path) -> None:
    with team(pg_url, tmp_path, contacts=CONTACTS) as setup:
        started = time.monotonic()
        for _ in range(3):
            setup.start("resume", CAMPAIGN)
        codes = setup.wait_all()
        elapsed = time.monotonic() - started
        assert codes == [0, 0, 0], [setup.log(i)[-2000:] for i in range(3)]
        assert_complete_and_never_twice(setup)
        assert_within_plan(setup)
        per_runner = dict(
            setup.query(
                "SELECT runner, count(*) FROM attempts WHERE state = 'ended' GROUP BY runner"
            )
        )
        assert len(per_runner) == 3, per_runner  # each runner placed calls
        assert setup.query("SELECT state FROM campaigns") == [("finished",)]
        assert setup.scalar("SELECT count(*) FROM runners") == 0
        print(
            f"\n3 runners, {CONTACTS} contacts: {elapsed:.1f} s real; calls per runner "
            f"{sorted(per_runner.values())}; peak {setup.world.max_requests_in_any_window} "
            f"req/min, {setup.world.max_concurrent} calls at once"
        )


def test_a_killed_runner_s_calls_are_taken_over_after_its_lease(
    pg_url: str, tmp_path: Path
) -> None:
    with team(pg_url, tmp_path, contacts=KILL_CONTACTS, seed=9) as setup:
        runners = [setup.start("resume", CAMPAIGN) for _ in range(3)]
        victim = runners[0]

        def victim_has_open_calls() -> bool:
            return bool(
                setup.scalar(
                    "SELECT count(*) FROM attempts WHERE state IN ('placed', 'unknown', "
                    "'intent') AND runner LIKE :pid AND "
                    "(SELECT count(*) FROM contacts WHERE state = 'done') > :done",
                    pid=f"{victim.pid}@%",
                    done=KILL_CONTACTS // 4,
                )
            )

        wait_for(victim_has_open_calls)
        victim_id = setup.scalar("SELECT id FROM runners WHERE pid = :pid", pid=victim.pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        # What is left of its lease (on the server's clock): under load its last renewal
        # may be well over one heartbeat old.
        lease_left = float(
            setup.scalar(
                "SELECT extract(epoch FROM lease_until - clock_timestamp()) FROM runners "
                "WHERE id = :id",
                id=victim_id,
            )
        )
        held = dict(
            setup.query(
                "SELECT state, count(*) FROM attempts WHERE runner = :id AND state IN "
                "('intent', 'placed', 'unknown') GROUP BY state",
                id=victim_id,
            )
        )
        claimed = setup.scalar("SELECT count(*) FROM contacts WHERE claimed_by = :id", id=victim_id)

        def taken_over() -> bool:
            return not setup.query("SELECT 1 FROM runners WHERE id = :id", id=victim_id)

        takeover = wait_for(taken_over, timeout=30.0, every=0.02)
        codes = [proc.wait(timeout=120) for proc in runners[1:]]
        assert codes == [0, 0], [setup.log(i)[-2000:] for i in (1, 2)]
        assert_complete_and_never_twice(setup)
        assert_within_plan(setup)
        events = setup.query("SELECT message FROM events WHERE kind = 'takeover'")
        assert any(victim_id in message for (message,) in events), events
        assert setup.query("SELECT state FROM campaigns") == [("finished",)]
        # Nobody declared the runner dead before its lease ran out, and soon after it did.
        assert lease_left - 0.1 <= takeover <= max(lease_left, 0) + 3.0, (lease_left, takeover)
        assert lease_left <= LEASE_SECONDS
        assert (
            setup.scalar(
                "SELECT count(*) FROM attempts WHERE runner = :id AND state IN "
                "('intent', 'placed', 'unknown')",
                id=victim_id,
            )
            == 0
        )
        print(
            f"\nrunner killed holding open attempts {held} and {claimed} claimed contact(s); "
            f"taken over {takeover:.2f} s after SIGKILL (lease {LEASE_SECONDS:g} s, "
            f"{lease_left:.2f} s of it left)"
        )
