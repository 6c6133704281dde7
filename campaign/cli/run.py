"""`run` and `resume`: start a campaign from a list, or continue one where it stopped."""

from __future__ import annotations

import shlex
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import anyio
import click
from rich.console import Console
from rich.markup import escape

from campaign.caller_numbers import given_numbers
from campaign.calls.vocab import StopReason
from campaign.campaigns.connect import connect
from campaign.campaigns.recent import recent_calls_report
from campaign.cli._agent_check import AgentCheck, find_agent, print_agent_check
from campaign.cli._base import main, remember_db_argument, say
from campaign.cli._calendar_options import (
    print_calendar,
    print_calendar_warnings,
)
from campaign.cli._engine_options import engine_options, settings_from
from campaign.cli._import_options import (
    check_rejects,
    import_options,
    import_options_from_kwargs,
)
from campaign.cli._outcome_options import (
    print_extracted_check,
)
from campaign.cli._progress import ProgressDisplay
from campaign.clock import Clock
from campaign.durations import parse_instant
from campaign.engine.db_outage import DEFAULT_LIMIT
from campaign.engine.progress import RunResult
from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.localtime import local_text
from campaign.outcomes.commands import command
from campaign.outcomes.source import open_existing
from campaign.store.db import Database, open_db
from campaign.store.outage import patiently, url_display_name
from campaign.store.rehearsals import ensure_apart, rehearsal_db_argument
from campaign.voicy.client import VoicyClient

T = TypeVar("T")


class _Patient(Protocol):
    def __call__(self, step: Callable[[], T], /) -> T: ...


EXIT_FOR_STATE = {"finished": 0, "paused": 0, "canceled": 0, "interrupted": 130}


def _db_argument(kwargs: dict[str, Any], simulate: bool) -> str | None:
    """The database of this command as the user would type it: `--db`, else the rehearsal
    file under --simulate (never $CAMPAIGN_DB, the real store), else None (the default)."""
    given = kwargs.get("db")
    db_argument = rehearsal_db_argument(given) if simulate else given
    remember_db_argument(db_argument)
    return db_argument


def _finish(console: Console, result: RunResult, db_argument: str | None) -> None:
    p = result.progress
    counts = ", ".join(f"{k} {v}" for k, v in sorted(p.outcomes.items()) if v)
    console.print(f"\n[bold]{escape(say(result.message))}[/bold]")
    console.print(f"Outcomes: {counts}")
    console.print(
        f"Requests: {p.requests_total} · 429s: {p.rate_limited}"
        f" · export with `{escape(command('export', p.campaign, db_argument=db_argument))}`"
    )
    if result.fatal:
        sys.exit(1)
    if result.idle or result.stop_reason is StopReason.SPEND_CAP:
        sys.exit(0)
    sys.exit(EXIT_FOR_STATE.get(result.state, 0))


def _sim_start(kwargs: dict[str, Any], settings: RunSettings, db: Database) -> datetime | None:
    """`--sim-start`: the simulated clock's first instant (None: the usual start)."""
    start = parse_instant(kwargs.get("sim_start"), "--sim-start")
    if start is None or not settings.simulate:
        return None
    with db.read_session() as session:
        from campaign.store.queries import latest_instant

        latest = latest_instant(session)
    if latest is not None and latest.replace(tzinfo=latest.tzinfo or UTC) > start:
        raise InputError(
            f"--sim-start {kwargs['sim_start']}: this database already recorded events up to "
            f"{latest:%Y-%m-%d %H:%M} UTC, and simulated time cannot go back behind them; "
            "rehearse in a fresh --db (e.g. --db rehearsal-2.db) or pick a later --sim-start"
        )
    return start


def _sim_clock(start: datetime | None) -> Clock | None:
    from campaign.campaigns.connect import SIMULATE_JUMP_OVER, SIMULATE_SCALE
    from campaign.clock import CompressedClock

    if start is None:
        return None
    return CompressedClock(SIMULATE_SCALE, start=start, jump_over=SIMULATE_JUMP_OVER)


async def _execute(
    db: Database,
    campaign_id: int,
    settings: RunSettings,
    seed: int,
    console: Console,
    sim_start: datetime | None = None,
    webhook_listen: str | None = None,
) -> RunResult:
    from campaign.campaigns.runs import run_campaign  # the engine, with the calling rules
    from campaign.receiver import DeliveryRelay, listening

    clock = _sim_clock(sim_start)
    relay = DeliveryRelay()  # a stored delivery wakes the run at once (the inbox is the path)
    async with (
        connect(settings, clock=clock, seed=seed, db=db) as connection,
        listening(
            db, webhook_listen, clock=connection.clock, world=connection.world, on_delivery=relay
        ) as hearing,
    ):
        if hearing is not None:
            console.print(f"Receiving Voicy webhooks at {hearing.address.url}")
        with ProgressDisplay(console) as display:
            result = await run_campaign(
                db,
                campaign_id,
                settings,
                connection=connection,
                on_progress=display.update,
                relay=relay if hearing is not None else None,
            )
    if hearing is not None:
        console.print(_webhook_line(db, campaign_id))
    return result


def _webhook_line(db: Database, campaign_id: int) -> str:
    from campaign.store.inbox import webhook_stats

    with db.read_session() as session:
        stats = webhook_stats(session, campaign_id)
    return (
        f"Webhooks: {stats.delivered} call_ended stored for this campaign, "
        f"{stats.refused_signature} refused (bad signature), "
        f"{stats.unknown_call} for calls not placed from this database"
    )


@main.command()
@click.argument("contacts", type=click.Path(dir_okay=False, path_type=Path))
@engine_options
@import_options
@click.option("--name", help="Campaign name (default: the list's name and the date).")
@click.option(
    "--dnc",
    "dnc_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Do-not-call list (CSV/TXT, repeatable); its numbers join the database's list.",
)
@click.option(
    "--new", is_flag=True, help="Start a separate campaign though this list is unfinished."
)
@click.option("--again", is_flag=True, help="Call a list that already ran to its end once more.")
@click.option(
    "--dry-run", is_flag=True, help="Check the list and show what would be sent; store nothing."
)
def run(
    contacts: Path,
    name: str | None,
    dnc_files: tuple[Path, ...],
    new: bool,
    again: bool,
    dry_run: bool,
    **kwargs: Any,
) -> None:
    """Call every valid row of CONTACTS (CSV or Excel) once, within the limits.

    Progress is stored as it happens: an interrupted campaign continues with
    `python -m campaign resume`.
    """
    from campaign.campaigns.importing import ImportTarget, ListImport
    from campaign.contacts import open_contacts, validation_summary
    from campaign.receiver import check_webhook_listen

    console = Console()
    settings = settings_from(kwargs, None)
    db_argument = _db_argument(kwargs, settings.simulate)
    check_webhook_listen(kwargs.get("webhook_listen"), simulate=settings.simulate)
    allow_rejects = bool(kwargs.pop("allow_rejects", False))
    # The user's own numbers are evidence for the default region (not the simulator's).
    options = import_options_from_kwargs(kwargs, given_numbers(kwargs.get("from_numbers") or ()))
    check = _agent_check(settings, kwargs.get("seed", 0))
    # Read once: every chunk is stored as the pass that checks the list reads it, in one
    # transaction kept only if the whole list passes (campaigns/importing.py).
    # Stored, the rows' vars go in as the JSON text the workers make: no dicts of them.
    contact_list = open_contacts(
        contacts, options, agent=check.agent, with_json=not dry_run, with_vars=dry_run
    )
    if dry_run:
        summary = validation_summary(contact_list)
        _print_checks(check, contact_list, settings, console, str(contacts))
        _dry_run(contact_list, summary, db_argument, console, settings, allow_rejects)
    waiting = _waiting(db_argument, settings.db_outage, "nothing was stored")
    sim_starts: list[datetime | None] = []

    def open_store() -> ImportTarget:
        db = waiting(lambda: open_db(db_argument))
        sim_starts.append(_sim_start(kwargs, settings, db))
        return ImportTarget(db, sim_starts[-1] or _now())

    with ListImport(
        open_store, contact_list, settings, name=name, dnc_files=dnc_files,
        region=contact_list.region, new=new, again=again, refuse_rejects=not allow_rejects,
    ) as importing:  # fmt: skip
        summary = validation_summary(
            contact_list, on_chunk=importing.add, on_end=importing.rows_done
        )
        _print_checks(check, contact_list, settings, console, str(contacts))
        if summary["mostly_rejected"]:
            print_validation_of(contact_list, summary, console)
        check_rejects(summary, allow_rejects)
        target = importing.store()
        print_calendar_warnings(console, settings, dict(summary["countries"]), target.now)
        # One transaction: again after an outage, or found stored already.
        prepared = importing.finish(waiting)
    db, sim_start = target.db, sim_starts[-1]
    for note in prepared.notes:
        console.print(note)
    if contact_list.region_source != "option":
        console.print(
            f"Numbers without +country code read as {contact_list.region} "
            f"({contact_list.region_reason}); --region to choose"
        )
    campaign = prepared.campaign
    console.print(
        f"Campaign [bold]{escape(campaign.name)}[/bold]: {contact_list.counts['valid']} to call, "
        f"{contact_list.counts['invalid']} rejected, {contact_list.counts['duplicate']} duplicate"
        f" · database {escape(db.display_name())}"
        + (" · rehearsal on the simulated API" if settings.simulate else "")
    )
    if sim_start is not None:
        console.print(f"Simulated clock starts at {local_text(sim_start)}")
    result = anyio.run(
        _execute,
        db,
        campaign.id,
        settings,
        kwargs.get("seed", 0),
        console,
        sim_start,
        kwargs.get("webhook_listen"),
    )
    _finish(console, result, db_argument)


def _print_checks(
    check: AgentCheck, contact_list: Any, settings: RunSettings, console: Console, path: str
) -> None:
    """The agent's var contract and the extracted values, as checked against the list."""
    how = ["run", path, "--dry-run"]
    how += ["--simulate"] if settings.simulate else []
    print_agent_check(
        check,
        list(contact_list.var_mapping.values()),
        console,
        command=shlex.join(["python", "-m", "campaign", *how]),
    )
    print_extracted_check(check.agent, settings.goal, settings.callback_var, console)


def print_validation_of(contact_list: Any, summary: dict[str, Any], console: Console) -> None:
    from campaign.contacts import print_validation

    print_validation(contact_list, console, summary)


def _dry_run(
    contact_list: Any, summary: dict[str, Any], db_arg: str | None, console: Console,
    settings: RunSettings, allow_rejects: bool,
) -> None:  # fmt: skip
    print_validation_of(contact_list, summary, console)
    now = _now()
    print_calendar(console, settings, summary, now)
    numbers = [row.e164 for row in contact_list.rows("valid") if row.e164]
    console.print(recent_calls_report(db_arg, numbers, now))
    from campaign.campaigns.estimate import cost_estimate_report

    # As the calls record it: --agent, or none (the numbers' own agent).
    console.print(cost_estimate_report(db_arg, settings.agent_id, len(numbers)))
    console.print("Dry run: nothing was stored and nobody was called.")
    check_rejects(summary, allow_rejects)
    sys.exit(0 if contact_list.counts["valid"] else 2)


@main.command()
@click.argument("campaign", required=False)
@engine_options
def resume(campaign: str | None, **kwargs: Any) -> None:
    """Continue CAMPAIGN (default: the most recent unfinished one) where it stopped.

    Stored settings are reused; any option given here overrides them.
    """
    from campaign.campaigns.resume import prepare_resume
    from campaign.receiver import check_webhook_listen

    console = Console()
    db_argument = _db_argument(kwargs, bool(kwargs.get("simulate")))
    # Before the stored settings are read, only --db-outage given here says how long.
    waiting = _waiting(db_argument, kwargs.get("db_outage") or DEFAULT_LIMIT, "nothing changed")
    db = waiting(lambda: open_existing(db_argument))
    found, stored = waiting(lambda: prepare_resume(db, campaign))
    if kwargs.get("simulate") and not stored.simulate:
        raise InputError(
            f"campaign {found.name} is a real campaign: --simulate cannot turn it into a "
            "rehearsal (its calls are real); rehearse its list with "
            "`python -m campaign run LIST --simulate` instead"
        )
    settings = settings_from(kwargs, stored)
    waiting(lambda: ensure_apart(db, simulate=settings.simulate))
    check_webhook_listen(kwargs.get("webhook_listen"), simulate=settings.simulate)
    console.print(
        f"Resuming [bold]{escape(found.name)}[/bold] · database {escape(db.display_name())}"
        + (" · rehearsal on the simulated API" if settings.simulate else "")
    )
    sim_start = _sim_start(kwargs, settings, db)
    result = anyio.run(
        _execute,
        db,
        found.id,
        settings,
        kwargs.get("seed", 0),
        console,
        sim_start,
        kwargs.get("webhook_listen"),
    )
    _finish(console, result, db_argument)


def _waiting(db_argument: str | None, limit: float, then: str) -> _Patient:
    """Run a step before the run, waiting out an outage of the store (PostgreSQL down or
    restarting, the SQLite file locked by another program) for up to `limit` seconds."""
    where = url_display_name(db_argument)

    def waiting(step: Callable[[], T]) -> T:
        return patiently(step, where, limit=limit, then=then)

    return waiting


def _now() -> datetime:
    """The campaign clock's now (compressed under CAMPAIGN_CLOCK, else the wall)."""
    from campaign.clock import clock_from_env

    return clock_from_env().now()


def _agent_check(settings: RunSettings, seed: int) -> AgentCheck:
    """The agent the list's vars are checked against (see `campaign.cli._agent_check`)."""

    @asynccontextmanager
    async def client() -> AsyncIterator[VoicyClient]:
        async with connect(settings, seed=seed) as connection:
            yield connection.client

    return find_agent(client, settings.agent_id)
