"""The list-import options `validate` and `run` share, so both read a list the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from campaign.contacts.options import ImportOptions

_F = TypeVar("_F", bound=Callable[..., Any])

_OPTIONS = (
    click.option(
        "--phone-column",
        metavar="NAME",
        help="Column with the number to call (default: detected by header, then content).",
    ),
    click.option(
        "--region",
        default=None,
        metavar="CC",
        help="Country of numbers written without +country code (two-letter code). Default: "
        "the from-numbers' country when they share one, else the country most of the "
        "list's national numbers fit, else US.",
    ),
    click.option(
        "--region-column",
        metavar="NAME",
        help="Column with each row's country (two-letter code or name); --region where blank.",
    ),
    click.option("--sheet", metavar="NAME", help="Excel sheet to read (default: the first)."),
    click.option(
        "--var",
        "vars_",
        multiple=True,
        metavar="COLUMN[=name]",
        help="Pass only these columns as vars_provided, optionally renamed (repeatable). "
        "Default: every column except the phone number.",
    ),
    click.option(
        "--from-column",
        metavar="NAME",
        help="Column with a per-row from_number (default: a column named from_number).",
    ),
    click.option(
        "--agent-column",
        metavar="NAME",
        help="Column with a per-row agent id (default: a column named agent_id).",
    ),
    click.option(
        "--timezone-column",
        metavar="NAME",
        help="Column with each row's IANA time zone (default: a column named timezone or tz).",
    ),
    click.option(
        "--allow-rejects",
        is_flag=True,
        help="Go on when most rows are rejected (by default that stops with exit 2: the "
        "list is surely read wrong).",
    ),
)

#: The click parameter names import_options adds (so commands can pop them from kwargs).
IMPORT_PARAMS = (
    "phone_column",
    "region",
    "region_column",
    "sheet",
    "vars_",
    "from_column",
    "agent_column",
    "timezone_column",
    "allow_rejects",
)


def import_options(func: _F) -> _F:
    """Decorator adding the shared import options to a click command."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def import_options_from_kwargs(
    kwargs: dict[str, Any], caller_numbers: tuple[str, ...] = ()
) -> ImportOptions:
    """Take the import options out of a command's kwargs (removing them) as ImportOptions;
    `caller_numbers` are the user's from-numbers (evidence for the default region).
    `--allow-rejects` stays in kwargs for the command."""
    values = {name: kwargs.pop(name, None) for name in IMPORT_PARAMS if name != "allow_rejects"}
    return ImportOptions(
        phone_column=values["phone_column"],
        region=values["region"] or None,
        region_column=values["region_column"],
        sheet=values["sheet"],
        vars=list(values["vars_"] or ()),
        from_column=values["from_column"],
        agent_column=values["agent_column"],
        timezone_column=values["timezone_column"],
        caller_numbers=caller_numbers,
    )


def check_rejects(summary: dict[str, Any], allow: bool) -> None:
    """Exit 2 with the fix when most rows are rejected, unless --allow-rejects."""
    from campaign.contacts.summary import rejects_error
    from campaign.errors import InputError

    if summary.get("mostly_rejected") and not allow:
        raise InputError(rejects_error(summary))
