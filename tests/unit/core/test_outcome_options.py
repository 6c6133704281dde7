"""The agent contract check warns when the agent does not extract the goal or callback var."""

from __future__ import annotations

from rich.console import Console

from campaign.cli._outcome_options import print_extracted_check
from campaign.voicy.models import Agent, AgentVar


def warnings(agent: Agent | None, goal: str | None, callback: str | None) -> str:
    console = Console(record=True, width=200)
    print_extracted_check(agent, goal, callback, console)
    return console.export_text()


def test_warns_about_vars_the_agent_does_not_extract() -> None:
    agent = Agent("agt_1", vars_extracted=[AgentVar("confirmed"), AgentVar("callback_time")])
    assert warnings(agent, "confirmed", "callback_time") == ""
    assert warnings(agent, "confirmed=yes", None) == ""
    said = warnings(agent, "booked", "call_back")
    assert "--goal booked: agent agt_1 does not extract booked" in said
    assert "--callback-var call_back" in said
    assert "callback_time, confirmed" in said  # what it does extract
    assert warnings(None, "booked", None) == ""  # no agent known: nothing to check against
