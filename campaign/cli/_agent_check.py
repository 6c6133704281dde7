"""Which agent a list's vars are checked against, for `run` and `validate`.

With `--agent ID` that agent (agent-get). Without it, the account's agent when agent-list
returns exactly one (the agent every call will reach). Otherwise the vars are not checked,
and the command says so, names the vars that will be sent, and how to check them: a list's
headers otherwise reach the agent as var names without a word (`שם` where the prompt
expects `first_name`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
from rich.console import Console
from rich.markup import escape

from campaign.errors import CampaignError, InputError
from campaign.voicy.errors import AuthError, NotFound, VoicyError
from campaign.voicy.models import Agent

if TYPE_CHECKING:
    from campaign.voicy.client import VoicyClient

_SHOWN = 3


@dataclass(frozen=True)
class AgentCheck:
    """The agent to check the vars against (None: unchecked) and why."""

    agent: Agent | None
    reason: str  # how the agent was found, or why there is none

    @property
    def checked(self) -> bool:
        return self.agent is not None


def find_agent(
    client: Callable[[], AbstractAsyncContextManager[VoicyClient]],
    agent_id: str | None,
    *,
    need_key: bool = True,
) -> AgentCheck:
    """Look the agent up with the client `client()` opens (for one request).

    `need_key`: a missing API key is an error (a run), not just vars left unchecked.
    """

    async def get(ask: Callable[[VoicyClient], Awaitable[AgentCheck]]) -> AgentCheck:
        async with client() as opened:
            return await ask(opened)

    async def by_id(opened: VoicyClient) -> AgentCheck:
        assert agent_id is not None
        return AgentCheck(await opened.get_agent(agent_id), f"--agent {agent_id}")

    async def the_only_one(opened: VoicyClient) -> AgentCheck:
        agents = await opened.list_agents()
        if len(agents) == 1:
            return AgentCheck(agents[0], "the account's only agent")
        if not agents:
            return AgentCheck(None, "the account has no agent")
        listed = ", ".join(_label(agent) for agent in agents[:_SHOWN])
        more = f" and {len(agents) - _SHOWN} more" if len(agents) > _SHOWN else ""
        return AgentCheck(None, f"the account has {len(agents)} agents ({listed}{more})")

    if agent_id:
        try:
            return anyio.run(get, by_id)
        except NotFound as exc:
            raise InputError(
                f"agent {agent_id!r} does not exist for this API key: check --agent"
            ) from exc
    try:
        return anyio.run(get, the_only_one)
    except AuthError:
        raise  # the key itself is refused: nothing else can work either
    except VoicyError as exc:
        return AgentCheck(None, f"the account's agents could not be listed ({exc})")
    except CampaignError as exc:  # no API key
        if need_key:
            raise
        return AgentCheck(None, f"the account's agents could not be listed ({exc.message})")


def print_agent_check(
    check: AgentCheck, var_names: list[str], console: Console, *, command: str
) -> None:
    """One line: the agent the vars were checked against, or loudly that they were not."""
    if check.agent is not None:
        console.print(
            f"Vars checked against agent {escape(_label(check.agent))} ({escape(check.reason)})."
        )
        return
    sent = ", ".join(var_names) if var_names else "none"
    console.print(
        f"[bold yellow]Vars not checked:[/bold yellow] no --agent given and "
        f"{escape(check.reason)}. Every call sends these vars, named after the list's "
        f"headers: {escape(sent)}. Check them against the agent's contract with "
        f"`{escape(command)} --agent AGENT_ID` (rename a column with --var COLUMN=name)."
    )


def _label(agent: Agent) -> str:
    return f"{agent.name} ({agent.agent_id})" if agent.name else agent.agent_id
