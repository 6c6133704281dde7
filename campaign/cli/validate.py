"""`campaign validate CONTACTS`: read and check a list without a database or any call
(the agent's contract is read from agent-get / agent-list when an API key is set)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from campaign.cli._agent_check import AgentCheck, find_agent, print_agent_check
from campaign.cli._base import main
from campaign.cli._calendar_options import calendar_options, calendar_overrides, print_calendar
from campaign.cli._import_options import import_options, import_options_from_kwargs
from campaign.errors import InputError
from campaign.voicy.client import VoicyClient
from campaign.voicy.models import Agent

__all__ = ["fetch_agent", "validate"]


@main.command()
@click.argument("contacts", metavar="CONTACTS")
@import_options
@click.option(
    "--agent",
    "agent_id",
    metavar="ID",
    help="Check the vars against this agent's contract (reads agent-get; needs VOICY_API_KEY). "
    "Default: the account's agent if agent-list returns exactly one, else unchecked.",
)
@click.option(
    "--rejected",
    "rejected_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.csv",
    help="Write every rejected row, with its line number and reason, to this CSV file.",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Voicy API base URL for --agent (default: VOICY_BASE_URL, else the public API).",
)
@click.option(
    "--db",
    envvar="CAMPAIGN_DB",
    help="Database whose recent calls to these numbers are reported (default ./campaign.db).",
)
@calendar_options
def validate(
    contacts: str,
    agent_id: str | None,
    rejected_path: Path | None,
    base_url: str | None,
    db: str | None,
    **kwargs: Any,
) -> None:
    """Read CONTACTS (CSV, TSV, TXT or XLSX) and report what a run would dial.

    Prints rows read, valid numbers, rejected rows grouped by reason, duplicates, the
    phone column and vars found, countries and time zones, and the calling calendar each
    country's contacts get (with the --window, --days, --holidays and --closed a run would
    use). Exits 0 when at least one row can be dialed, 2 otherwise.
    """
    from campaign.clock import clock_from_env
    from campaign.contacts import load_contacts, print_validation
    from campaign.engine.history import recent_calls_report
    from campaign.engine.rules_bridge import calendar_of
    from campaign.engine.settings import RunSettings

    calendar_settings = RunSettings().with_overrides(**calendar_overrides(kwargs))
    calendar_of(calendar_settings)  # a bad --window fails before the list is read
    options = import_options_from_kwargs(kwargs)
    if agent_id:
        check = AgentCheck(fetch_agent(agent_id, base_url), f"--agent {agent_id}")
    else:
        check = find_agent(lambda: VoicyClient.from_env(base_url), None, need_key=False)
    contact_list = load_contacts(contacts, options, agent=check.agent)
    console = Console()
    summary = print_validation(contact_list, console)
    print_agent_check(check, list(contact_list.var_mapping.values()), console,
                      command=shlex.join(["python", "-m", "campaign", "validate", contacts]))
    now = clock_from_env().now()
    print_calendar(console, calendar_settings, summary, now)
    numbers = [row.e164 for row in contact_list.rows() if row.status == "valid" and row.e164]
    console.print(recent_calls_report(db, numbers, now))
    if rejected_path is not None:
        try:
            written = contact_list.write_rejected(rejected_path)
        except OSError as exc:
            raise InputError(
                f"cannot write {rejected_path}: {exc.strerror or exc}; choose another path"
            ) from exc
        console.print(f"Wrote {written:,} rejected rows to {rejected_path}")
    if contact_list.counts.valid == 0:
        raise InputError(
            f"no row of {contact_list.source_name} can be dialed: fix the rejected rows above"
        )


def fetch_agent(agent_id: str, base_url: str | None = None) -> Agent:
    """The agent's var contract from agent-get."""
    agent = find_agent(lambda: VoicyClient.from_env(base_url), agent_id).agent
    assert agent is not None
    return agent
