"""The calling calendar options `run`, `resume` and `validate` share, and how they are shown.

`--window`, `--days`, `--holidays/--no-holidays` and `--closed FILE` become RunSettings
fields (`calendar_overrides`); `print_calendar` shows what will apply to a list (validate and
the dry run) and `print_calendar_warnings` what a user must see before calls go out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from campaign.engine.settings import RunSettings
from campaign.rules.closed import CLOSED_FILE_HELP

_F = TypeVar("_F", bound=Callable[..., Any])

_OPTIONS = (
    click.option(
        "--window",
        metavar="SCHEDULE",
        help="Calling hours in each recipient's local time: HH:MM-HH:MM (every day), a "
        'weekly schedule such as "sun-thu 09:00-20:00, fri 09:00-13:00" (days not named '
        "get no calls), any (no calendar at all), or default: each country's own hours "
        "(Israel sun-thu 09:00-20:00, fri 09:00-13:00; elsewhere 08:00-21:00).",
    ),
    click.option(
        "--days",
        help="Only on these days, e.g. mon-fri, sun-thu, mon,wed,fri (default: every day "
        "the schedule names). 'weekdays' means mon-fri.",
    ),
    click.option(
        "--holidays/--no-holidays",
        "holidays",
        default=None,
        help="Skip each recipient country's public holidays (default: skip, except under "
        "--window any).",
    ),
    click.option(
        "--closed",
        "closed_files",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help=f"Dates with no calls (repeatable): {CLOSED_FILE_HELP}.",
    ),
)


def calendar_options(func: _F) -> _F:
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def calendar_overrides(kwargs: dict[str, Any]) -> dict[str, Any]:
    """RunSettings overrides from the options (None where not given)."""
    from campaign.rules.closed import ClosedDates, read_closed_file

    closed: tuple[tuple[str, str], ...] | None = None
    if kwargs.get("closed_files"):
        dates = ClosedDates()
        for path in kwargs["closed_files"]:
            dates = dates.merged(read_closed_file(path))
        closed = tuple((day, note) for day, note in dates.to_json())
    return {
        "window": kwargs.get("window"),
        "days": kwargs.get("days"),
        "holidays": kwargs.get("holidays"),
        "closed_dates": closed,
    }


def print_calendar(
    console: Console,
    settings: RunSettings,
    summary: dict[str, Any],
    now: datetime,
) -> None:
    """The calendar each country's contacts get (from a validation summary), and warnings."""
    from campaign.rules.describe import describe_calendar
    from campaign.rules.from_settings import calendar_of

    view = describe_calendar(
        calendar_of(settings),
        summary.get("countries") or {},
        today=now.date(),  # the summary has printed the time zones just above
        window_text=settings.window,
        days_text=settings.days if settings.days != "every day" else None,
    )
    for line in view.lines():
        console.print(escape(line), soft_wrap=True)
    for warning in view.warnings:
        console.print(f"[yellow]Warning[/]: {escape(warning)}", soft_wrap=True)


def print_calendar_warnings(
    console: Console, settings: RunSettings, countries: dict[str, int], now: datetime
) -> None:
    """Only the warnings (an overnight window, an ambiguous 'weekdays'), before a run."""
    from campaign.rules.describe import describe_calendar
    from campaign.rules.from_settings import calendar_of

    view = describe_calendar(
        calendar_of(settings),
        countries,
        today=now.date(),
        window_text=settings.window,
        days_text=settings.days if settings.days != "every day" else None,
    )
    for warning in view.warnings:
        console.print(f"[yellow]Warning[/]: {escape(warning)}", soft_wrap=True)
