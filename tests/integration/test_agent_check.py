"""Without --agent, `run` and `validate` check the vars against the account's only agent, or
say loudly that they did not, which vars every call sends, and how to check them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from campaign.cli import main
from campaign.clock import SystemClock
from campaign.simulator import PLANS, TEST_API_KEY, World, running_server
from campaign.simulator.agents import APPOINTMENT_AGENT, PAYMENT_AGENT

HEBREW_LIST = "שם,phone,תאריך תור\nדנה,+972502345678,יום שלישי\nרון,+12025550123,\n"


@pytest.fixture
def patients(tmp_path: Path) -> Path:
    path = tmp_path / "patients.csv"
    path.write_text(HEBREW_LIST, encoding="utf-8")
    return path


@pytest.fixture
def account(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A simulated account with the agents the test names, reached over HTTP."""
    world = World(clock=SystemClock(), plan=PLANS["enterprise"], agents=request.param)
    with running_server(world) as url:
        monkeypatch.setenv("VOICY_BASE_URL", url)
        monkeypatch.setenv("VOICY_API_KEY", TEST_API_KEY)
        monkeypatch.setenv("VOICY_FROM_NUMBERS", "+12125550100")
        yield url


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "300"})


def words(result: Result) -> str:
    return " ".join(result.output.split())


@pytest.mark.parametrize("account", [[APPOINTMENT_AGENT]], indirect=True)
def test_the_accounts_only_agent_checks_the_vars(account: str, patients: Path) -> None:
    for command in (["validate", str(patients)], ["run", str(patients), "--dry-run"]):
        result = cli(*command)
        text = words(result)
        assert "Vars checked against agent Appointment reminder" in text, text
        assert "the account's only agent" in text
        # The Hebrew headers are not the agent's first_name: every row lacks it.
        assert "missing first_name: the agent needs it and has no default" in text
        assert "does not know the vars שם, תאריך תור" in text
        assert result.exit_code == 2


@pytest.mark.parametrize("account", [[APPOINTMENT_AGENT, PAYMENT_AGENT]], indirect=True)
def test_several_agents_leave_the_vars_unchecked_and_say_so(account: str, patients: Path) -> None:
    result = cli("run", str(patients), "--dry-run")
    assert result.exit_code == 0, result.output
    text = words(result)
    assert "Vars not checked: no --agent given and the account has 2 agents" in text
    assert "Appointment reminder (5f0c1a2e-7b3d-4c6e-9a81-2d4f6b8c0e11)" in text
    assert "named after the list's headers: שם, תאריך תור" in text
    assert f"`python -m campaign run {patients} --dry-run --agent AGENT_ID`" in text
    checked = cli("run", str(patients), "--dry-run", "--agent", APPOINTMENT_AGENT.agent_id)
    assert "Vars checked against agent Appointment reminder" in words(checked)


def test_validate_without_a_key_says_the_vars_were_not_checked(
    patients: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOICY_API_KEY", raising=False)
    result = cli("validate", str(patients))
    assert result.exit_code == 0, result.output
    text = words(result)
    assert "Vars not checked: no --agent given and the account's agents could not be listed" in text
    assert "VOICY_API_KEY" in text
    assert f"`python -m campaign validate {patients} --agent AGENT_ID`" in text
