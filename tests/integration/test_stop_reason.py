"""Why a run stopped is kept with the campaign and shown with its fix (issue 15): a real
`python -m campaign run` process against the simulator over HTTP, then `status` and
`status --json` in their own processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from campaign.calls.vocab import StopReason
from campaign.clock import CompressedClock
from campaign.simulator import DEFAULT_FROM_NUMBERS, TEST_API_KEY, World, running_server
from tests.factories import us_numbers

#: Not a number of the simulated account: call-dial answers 422.
NOT_OURS = "+15005550006"


@dataclass
class Sim:
    world: World
    env: dict[str, str]
    db: Path
    contacts: Path

    def cli(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "campaign", *args, "--db", str(self.db)],
            env={**self.env, **env}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Sim]:
    clock = CompressedClock.anchored(40.0, epoch=time.time())
    world = World(clock=clock, seed=3, from_numbers=DEFAULT_FROM_NUMBERS)
    contacts = tmp_path / "contacts.csv"
    numbers = us_numbers(5, start=900)
    contacts.write_text("name,phone\n" + "".join(f"P{i},{n}\n" for i, n in enumerate(numbers)))
    with running_server(world) as base_url:
        env = {
            **os.environ,
            "VOICY_API_KEY": TEST_API_KEY,
            "VOICY_BASE_URL": base_url,
            "CAMPAIGN_CLOCK": clock.spec(),
            "COLUMNS": "200",
        }
        env.pop("CAMPAIGN_DB", None)
        yield Sim(world, env, tmp_path / "campaign.db", contacts)


def check_status(sim: Sim, reason: StopReason) -> None:
    """`status --json` and `status` say why the run stopped, what happened, and the fix."""
    shown = sim.cli("status", "refused", "--json")
    assert shown.returncode == 0, shown.stderr
    status = json.loads(shown.stdout)
    assert status["state"] == "interrupted"
    stop = status["stop"]
    assert (stop["reason"], stop["words"], stop["fix"]) == (reason.value, reason.words, reason.fix)
    assert stop["detail"]  # what the API said

    text = sim.cli("status", "refused")
    assert text.returncode == 0, text.stderr
    said = " ".join(text.stdout.split())
    assert f"Last run {reason.words}" in said and f"To fix {reason.fix}" in said
    assert "python -m campaign resume refused" in said


def test_every_from_number_refused_leaves_the_reason_and_fix_for_status(sim: Sim) -> None:
    run = sim.cli(
        "run", str(sim.contacts), "--name", "refused", "--window", "any", "--min-gap", "0",
        "--until-idle", "--from", NOT_OURS,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert sum(sim.world.dial_counts.values()) == 0  # nobody was called
    check_status(sim, StopReason.FROM_NUMBERS_REFUSED)


def test_a_refused_key_leaves_the_reason_and_fix_for_status(sim: Sim) -> None:
    # `run` checks the key before it stores anything (the agents); a key revoked later is
    # refused by the first dial of a resume.
    later = "2030-01-01T00:00:00+00:00"
    first = sim.cli(
        "run", str(sim.contacts), "--name", "refused", "--window", "any", "--min-gap", "0",
        "--until-idle", "--from", DEFAULT_FROM_NUMBERS[0], "--start-at", later,
    )  # fmt: skip
    assert first.returncode == 0, first.stdout + first.stderr
    resumed = sim.cli(
        "resume", "refused", "--start-at", "2020-01-01T00:00:00+00:00",
        VOICY_API_KEY="voicy_sk_test_wrong_key_000000zzzz",
    )  # fmt: skip
    assert resumed.returncode == 1, resumed.stdout + resumed.stderr
    assert sum(sim.world.dial_counts.values()) == 0
    check_status(sim, StopReason.KEY_REFUSED)
