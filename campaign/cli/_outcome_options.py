"""The options of what a call must achieve and may cost: `--goal`, `--callback-var`,
`--max-cost` (shared by `run` and `resume`; on resume they override the stored ones, so
`resume --max-cost HIGHER` lifts a spend cap), and the agent-contract warning for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from campaign.goals import Goal
from campaign.voicy.models import Agent

_F = TypeVar("_F", bound=Callable[..., Any])

_OPTIONS = (
    click.option(
        "--goal",
        metavar="VAR[=VALUE]",
        help="A connected call succeeds when the agent extracted VAR as true (true/yes/1/כן) "
        "or equal to VALUE; shown in status, export and report.",
    ),
    click.option(
        "--callback-var",
        metavar="VAR",
        help="Extracted var holding a time the person asked to be called back at (ISO or "
        "'tomorrow at 5pm', 'מחר בחמש'): the next attempt is then, within the calling window.",
    ),
    click.option(
        "--max-cost",
        type=click.FloatRange(0),
        metavar="AMOUNT",
        help="Stop dialing once recorded spend plus the calls in progress would pass AMOUNT "
        "(in the account's currency); resume with a higher --max-cost to go on.",
    ),
)


def outcome_options(func: _F) -> _F:
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def outcome_overrides(kwargs: dict[str, Any]) -> dict[str, Any]:
    """RunSettings overrides from the options (None where not given); a bad --goal fails."""
    Goal.parse(kwargs.get("goal"))
    return {
        "goal": kwargs.get("goal"),
        "callback_var": kwargs.get("callback_var"),
        "max_cost": kwargs.get("max_cost"),
    }


def print_extracted_check(
    agent: Agent | None, goal: str | None, callback_var: str | None, console: Console
) -> None:
    """Warn when the agent does not extract the goal's or the callback's var."""
    if agent is None:
        return
    extracted = {var.name for var in agent.vars_extracted}
    parsed = Goal.parse(goal)
    checks = (
        ("--goal", parsed.var if parsed else None, "reach the goal"),
        ("--callback-var", callback_var, "ask for a callback"),
    )
    for option, var, effect in checks:
        if var and var not in extracted:
            names = ", ".join(sorted(extracted)) or "none"
            console.print(
                f"[bold yellow]Warning:[/bold yellow] {option} {escape(var)}: agent "
                f"{escape(agent.agent_id)} does not extract {escape(var)} (it extracts: "
                f"{escape(names)}); no call will {effect}."
            )
