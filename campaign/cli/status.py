"""`status` and `list`: where campaigns stand, read from the database only."""

from __future__ import annotations

import json

import click
from rich.console import Console

from campaign.cli._base import main
from campaign.outcomes.source import reading
from campaign.outcomes.status import campaign_status, campaign_summaries
from campaign.outcomes.status_view import render_campaign_list, render_status

DB_HELP = (
    "Campaign database: a file path or a database URL [default: $CAMPAIGN_DB or ./campaign.db]."
)


@main.command()
@click.argument("campaign", required=False)
@click.option("--db", "db_path", metavar="PATH", help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON for scripts.")
def status(campaign: str | None, db_path: str | None, as_json: bool) -> None:
    """Show where CAMPAIGN (default: the latest) stands; safe while it runs elsewhere."""
    with reading(db_path) as db:
        snapshot = campaign_status(db, campaign, db_argument=db_path)
    if as_json:
        click.echo(json.dumps(snapshot.to_json(), indent=2, ensure_ascii=False))
    else:
        Console().print(render_status(snapshot))


@main.command(name="list")
@click.option("--db", "db_path", metavar="PATH", help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON for scripts.")
def list_command(db_path: str | None, as_json: bool) -> None:
    """List the campaigns in the database, newest first, with their counts."""
    with reading(db_path) as db:
        summaries = campaign_summaries(db)
    if as_json:
        data = [summary.to_json() for summary in summaries]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        console = Console()
        console.print(render_campaign_list(summaries, width=console.width))
