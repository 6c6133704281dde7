"""`export` (CSV / Excel results) and `report` (terminal or a self-contained HTML page)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from campaign.calls.vocab import Outcome
from campaign.cli._base import main
from campaign.cli.status import DB_HELP
from campaign.errors import InputError
from campaign.i18n import DEFAULT as DEFAULT_LANGUAGE
from campaign.i18n import LANGUAGES
from campaign.outcomes.source import reading

#: The outcome names --only takes: the enum (no pandas needed for --help).
OUTCOMES = tuple(outcome.value for outcome in Outcome)


@main.command()
@click.argument("campaign", required=False)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="results.csv or results.xlsx (by suffix); - for CSV on stdout "
    "[default: <campaign>-results.csv].",
)
@click.option("--attempts", is_flag=True, help="One row per placed call instead of per input row.")
@click.option(
    "--only",
    multiple=True,
    metavar="OUTCOME",
    help=f"Keep rows with these outcomes ({', '.join(OUTCOMES)}); repeat or "
    "separate with commas, e.g. --only failed,pending for a call-again list.",
)
@click.option(
    "--bom/--no-bom",
    "excel_csv",
    default=True,
    help="Start the CSV with a byte-order mark so Excel reads Hebrew and accents "
    "right (default); --no-bom for tools that mind. CSV on stdout has none.",
)
@click.option("--excel-csv", "excel_csv", flag_value=True, hidden=True)
@click.option("--db", "db_path", metavar="PATH", help=DB_HELP)
def export(
    campaign: str | None,
    output: str | None,
    attempts: bool,
    only: tuple[str, ...],
    excel_csv: bool,
    db_path: str | None,
) -> None:
    """Write CAMPAIGN's results (default: the latest), one row per input row, in input order."""
    from campaign.outcomes.columns import parse_only
    from campaign.outcomes.export import export as export_results

    parse_only(only)  # a typo fails before any work
    if output == "-":
        from campaign.outcomes.export import write_csv
        from campaign.outcomes.frames import read_campaign_rows
        from campaign.outcomes.results import attempts_frame, results_frame

        with reading(db_path) as db:
            rows = read_campaign_rows(db, campaign, transcripts=attempts)
        frame = attempts_frame(rows, only=only) if attempts else results_frame(rows, only=only)
        write_csv(frame, sys.stdout)
        return
    result = export_results(
        db_path, campaign, output, attempts=attempts, only=only, excel_csv=excel_csv
    )
    what = "calls" if attempts else "rows"
    click.echo(f"Wrote {result.rows} {what} of {result.campaign} to {result.path}")


@main.command()
@click.argument("campaign", required=False)
@click.option(
    "--html",
    "html_path",
    metavar="[FILE]",
    is_flag=False,
    flag_value="",
    help="Write the report as one self-contained HTML page (charts included), to "
    "FILE [default: <campaign>-report.html].",
)
@click.option("--db", "db_path", metavar="PATH", help=DB_HELP)
@click.option(
    "--lang",
    "language",
    type=click.Choice(sorted(LANGUAGES)),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="Language of the --html page (he: Hebrew, right to left).",
)
def report(campaign: str | None, html_path: str | None, db_path: str | None, language: str) -> None:
    """Report on CAMPAIGN (default: the latest): reach, outcomes, talk time, answers."""
    from campaign.outcomes.figures import report_figures
    from campaign.outcomes.report import render_report

    if html_path and not html_path.lower().endswith((".html", ".htm")):
        raise InputError(
            f"--html {html_path}: the file name must end in .html (to name the campaign, "
            f"put it first: report {html_path} --html)"
        )
    figures = report_figures(db_path, campaign)
    if html_path is None:
        Console().print(render_report(figures))
        return
    from campaign.outcomes.html import default_report_path, write_html  # matplotlib: HTML only

    path = write_html(
        figures,
        Path(html_path) if html_path else default_report_path(figures.campaign.name),
        language,
    )
    click.echo(f"Wrote the report of {figures.campaign.name} to {path}")
