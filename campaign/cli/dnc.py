"""`dnc`: the database's do-not-call list, shared by every campaign in it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from campaign.campaigns.dnc import add_numbers, import_dnc_file, list_numbers, remove_numbers
from campaign.cli._base import main
from campaign.clock import clock_from_env
from campaign.errors import InputError
from campaign.store.db import open_db

_db_option = click.option(
    "--db", envvar="CAMPAIGN_DB", help="Database path or URL (default ./campaign.db)."
)


def _now() -> datetime:
    # The campaign clock (CAMPAIGN_CLOCK under a time-compressed simulator), else wall time.
    return clock_from_env().now()


@main.group()
def dnc() -> None:
    """Numbers no campaign in this database may call (checked right before every dial)."""


@dnc.command("add")
@click.argument("numbers", nargs=-1, required=True)
@click.option("--region", default="US", show_default=True, help="Region for numbers without +.")
@click.option("--reason", help="Why (kept with the number).")
@_db_option
def dnc_add(numbers: tuple[str, ...], region: str, reason: str | None, db: str | None) -> None:
    """Add NUMBERS (any format) to the do-not-call list; running campaigns skip them."""
    wanted = _normalized(numbers, region, "nothing was added")
    added = add_numbers(open_db(db), wanted, source="manual", reason=reason, now=_now())
    click.echo(f"{added} number(s) added to the do-not-call list ({len(wanted)} given).")


@dnc.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", default="US", show_default=True, help="Region for numbers without +.")
@_db_option
def dnc_import(file: Path, region: str, db: str | None) -> None:
    """Add every number of FILE (CSV/TXT/XLSX) to the do-not-call list."""
    click.echo(import_dnc_file(open_db(db), file, region, _now()))


@dnc.command("list")
@_db_option
def dnc_list(db: str | None) -> None:
    """Show the do-not-call list."""
    rows = list_numbers(open_db(db))
    for row in rows:
        click.echo(
            f"{row.e164}\t{row.source}\t{row.added_at.isoformat(timespec='seconds')}"
            f"\t{row.reason or ''}"
        )
    click.echo(f"{len(rows)} number(s).", err=True)


@dnc.command("remove")
@click.argument("numbers", nargs=-1, required=True)
@click.option("--region", default="US", show_default=True, help="Region for numbers without +.")
@_db_option
def dnc_remove(numbers: tuple[str, ...], region: str, db: str | None) -> None:
    """Take NUMBERS (any format, as for `dnc add`) off the do-not-call list."""
    wanted = _normalized(numbers, region, "nothing was removed")
    click.echo(f"{remove_numbers(open_db(db), sorted(wanted))} number(s) removed.")


def _normalized(numbers: tuple[str, ...], region: str, consequence: str) -> set[str]:
    """E.164 numbers, normalized like contacts; one unreadable number refuses them all."""
    from campaign.rules.dnc import normalize_dnc_numbers

    result = normalize_dnc_numbers(list(enumerate(numbers, start=1)), region)
    if result.rejected:
        bad = "; ".join(f"{r.raw!r}: {r.reason}" for r in result.rejected)
        raise InputError(f"not a phone number: {bad}; {consequence}")
    return result.numbers
