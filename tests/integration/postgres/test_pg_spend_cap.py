"""--max-cost shared by two runner processes on PostgreSQL: the cap is read from the store,
so together they stop near it (never a cap each), the campaign pauses with the spend cap,
and `resume --max-cost HIGHER` calls the rest; nobody is called twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pg_team import CAMPAIGN, assert_complete_and_never_twice, team

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CAP = 0.25


def test_two_runners_share_one_spending_cap(pg_url: str, tmp_path: Path) -> None:
    with team(pg_url, tmp_path, contacts=30, seed=11, scale=200.0, max_cost=CAP) as setup:
        for _ in range(2):
            setup.start("resume", CAMPAIGN)
        codes = setup.wait_all()
        assert codes == [0, 0], [setup.log(i)[-2000:] for i in range(2)]
        state, reason = setup.query("SELECT state, stop_reason FROM campaigns")[0]
        assert (state, reason) == ("paused", "spend_cap")
        spent, dearest, calls = setup.query(
            "SELECT sum(cost), max(cost), count(*) FROM attempts WHERE state = 'ended'"
        )[0]
        concurrency = setup.world.plan.concurrent_calls
        # One cap for both: at most the first wave of lines over it, not two caps' worth.
        assert CAP - 2 * dearest <= spent <= CAP + concurrency * dearest, (spent, dearest)
        pending = setup.scalar("SELECT count(*) FROM contacts WHERE outcome IS NULL")
        assert pending > 0 and calls < len(setup.numbers)
        assert dict(setup.world.dial_counts) == {
            number: count
            for number, count in setup.query(
                "SELECT to_number, count(*) FROM attempts WHERE state = 'ended' GROUP BY to_number"
            )
        }
        finished = setup.run("resume", CAMPAIGN, "--max-cost", "100")
        assert finished.returncode == 0, finished.stdout[-2000:]
        assert setup.query("SELECT state FROM campaigns") == [("finished",)]
        assert_complete_and_never_twice(setup)
