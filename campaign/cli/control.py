"""`pause` and `cancel`: steer a campaign, whether a runner is working on it or not."""

from __future__ import annotations

import click

from campaign.campaigns.control import ControlResult, cancel_campaign, pause_campaign
from campaign.cli._base import main, remember_db_argument, say
from campaign.cli.status import DB_HELP
from campaign.outcomes.source import reading
from campaign.outcomes.status import campaign_status
from campaign.store.db import Database
from campaign.store.queries import find_campaign


@main.command()
@click.argument("campaign", required=False)
@click.option("--db", "db_path", metavar="PATH", help=DB_HELP)
def pause(campaign: str | None, db_path: str | None) -> None:
    """Pause CAMPAIGN (default: the latest unfinished one); `resume` continues it.

    A runner working on it stops dialing within a second, follows its calls in progress to
    their end and exits.
    """
    remember_db_argument(db_path)
    with reading(db_path) as db:
        _report(pause_campaign(db, campaign))


@main.command()
@click.argument("campaign", required=False)
@click.option("--db", "db_path", metavar="PATH", help=DB_HELP)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def cancel(campaign: str | None, db_path: str | None, yes: bool) -> None:
    """Cancel CAMPAIGN (default: the latest unfinished one) for good.

    Calls in progress end normally; every contact not yet final ends `canceled`. A canceled
    campaign cannot be resumed.
    """
    remember_db_argument(db_path)
    with reading(db_path) as db:
        if not yes:
            status = campaign_status(db, campaign if campaign else _latest_unfinished(db))
            pending = status.outcomes.get("pending", 0)
            click.confirm(
                f"Cancel campaign {status.name} ({status.state}, {pending} contacts not yet "
                "final)? They will be marked canceled and it cannot be resumed",
                abort=True,
            )
            campaign = status.name
        _report(cancel_campaign(db, campaign))


def _latest_unfinished(db: Database) -> str:
    with db.read_session() as session:
        return find_campaign(session, None, unfinished_only=True).name


def _report(result: ControlResult) -> None:
    click.echo(say(result.message))  # its resume command with the --db given
