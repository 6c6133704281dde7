"""`campaign validate CONTACTS`: read and check a list without a database or any call
(the agent's contract is read from agent-get / agent-list when an API key is set)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
from rich.console import Console

from campaign.cli._agent_check import AgentCheck, find_agent, print_agent_check
from campaign.cli._base import main
from campaign.cli._calendar_options import calendar_options, calendar_overrides, print_calendar
from campaign.cli._import_options import (
    check_rejects,
    import_options,
    import_options_from_kwargs,
)
from campaign.errors import InputError
from campaign.voicy.models import Agent

if TYPE_CHECKING:
    from campaign.contacts import ContactList
    from campaign.voicy.client import VoicyClient

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
@click.option(
    "--from",
    "from_numbers",
    multiple=True,
    metavar="E164",
    help="The campaign's caller numbers (env VOICY_FROM_NUMBERS): their country is the "
    "default region when they share one.",
)
@calendar_options
def validate(
    contacts: str,
    agent_id: str | None,
    rejected_path: Path | None,
    base_url: str | None,
    db: str | None,
    from_numbers: tuple[str, ...],
    allow_rejects: bool,
    **kwargs: Any,
) -> None:
    """Read CONTACTS (CSV, TSV, TXT or XLSX) and report what a run would dial.

    Prints rows read, valid numbers, rejected rows grouped by reason, duplicates, the
    phone column and vars found, the default region and why, countries and time zones,
    and the calling calendar each country's contacts get (with the --window, --days,
    --holidays and --closed a run would use). Exits 0 when rows can be dialed; 2 when none
    can, or when most rows are rejected (the list is surely read wrong) unless
    --allow-rejects.
    """
    from campaign.campaigns.recent import recent_calls_report
    from campaign.cli.numbers import caller_numbers
    from campaign.clock import clock_from_env
    from campaign.contacts import open_contacts, print_validation, validation_summary
    from campaign.engine.settings import RunSettings
    from campaign.rules.from_settings import calendar_of

    calendar_settings = RunSettings().with_overrides(**calendar_overrides(kwargs))
    calendar_of(calendar_settings)  # a bad --window fails before the list is read
    options = import_options_from_kwargs(kwargs, caller_numbers(from_numbers))
    if agent_id:
        check = AgentCheck(fetch_agent(agent_id, base_url), f"--agent {agent_id}")
    else:
        check = find_agent(lambda: _client(base_url), None, need_key=False)
    # The rows' vars dicts are not made: the summary needs one row's, made when it asks.
    stream = open_contacts(contacts, options, agent=check.agent, with_vars=False)
    console = Console()
    collect = NumberCollector(db)
    with RejectedWriter(rejected_path) as rejected:

        def on_chunk(chunk: ContactList) -> None:
            collect(chunk)
            rejected(chunk)

        summary = validation_summary(stream, on_chunk=on_chunk)
    print_validation(stream, console, summary)
    print_agent_check(
        check,
        list(stream.var_mapping.values()),
        console,
        command=shlex.join(["python", "-m", "campaign", "validate", contacts]),
    )
    now = clock_from_env().now()
    print_calendar(console, calendar_settings, summary, now)
    console.print(recent_calls_report(db, collect.numbers, now))
    if rejected_path is not None:
        console.print(f"Wrote {rejected.written:,} rejected rows to {rejected_path}")
    if stream.counts.valid == 0:
        raise InputError(
            f"no row of {stream.source_name} can be dialed: fix the rejected rows above"
        )
    check_rejects(summary, allow_rejects)


class NumberCollector:
    """The valid numbers of each chunk, kept only when there is a database to ask about them."""

    def __init__(self, db: str | None) -> None:
        from campaign.store.url import database_url, sqlite_file_missing

        self.wanted = not sqlite_file_missing(database_url(db))
        self.numbers: list[str] = []

    def __call__(self, chunk: ContactList) -> None:
        if self.wanted:
            frame = chunk.frame
            self.numbers.extend(frame.loc[frame["_status"] == "valid", "_e164"].tolist())


class RejectedWriter:
    """`--rejected FILE.csv`, written chunk by chunk (UTF-8 with BOM, so Excel shows accents)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.written = 0
        self._started = False
        self._handle: IO[str] | None = None

    def __enter__(self) -> RejectedWriter:
        if self.path is not None:
            try:
                self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            except OSError as exc:
                raise InputError(
                    f"cannot write {self.path}: {exc.strerror or exc}; choose another path"
                ) from exc
        return self

    def __call__(self, chunk: ContactList) -> None:
        if self._handle is None:
            return
        frame = chunk.rejected_frame()
        frame.to_csv(self._handle, index=False, header=not self._started)
        self._started = True
        self.written += len(frame)

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()


def fetch_agent(agent_id: str, base_url: str | None = None) -> Agent:
    """The agent's var contract from agent-get."""
    agent = find_agent(lambda: _client(base_url), agent_id).agent
    assert agent is not None
    return agent


def _client(base_url: str | None) -> VoicyClient:
    """The API client, loaded (httpx with it) only when an agent is looked up: without a
    key, the error that says so comes first."""
    from campaign.voicy.keys import api_key_from_env

    api_key_from_env()
    from campaign.voicy.client import VoicyClient

    return VoicyClient.from_env(base_url)
