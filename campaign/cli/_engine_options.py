"""The options `run` and `resume` share (the engine's settings), and their RunSettings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from campaign.caller_numbers import given_numbers
from campaign.cli._calendar_options import (
    calendar_options,
    calendar_overrides,
)
from campaign.cli._outcome_options import (
    outcome_options,
    outcome_overrides,
)
from campaign.durations import parse_duration_with_unit, parse_instant
from campaign.engine.settings import RunSettings, parse_retry_delays
from campaign.errors import InputError

_F = TypeVar("_F", bound=Callable[..., Any])


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration_with_unit(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _retry_delays(specs: tuple[str, ...]) -> dict[str, float]:
    """`--retry-delay` values, each with its unit (`10` alone would be ten seconds)."""
    for spec in specs:
        status, sep, value = spec.partition("=")
        try:
            parse_duration_with_unit(value if sep else status)
        except ValueError as exc:
            raise InputError(f"--retry-delay {spec!r}: {exc}") from exc
    return parse_retry_delays(specs)


def engine_options(func: _F) -> _F:
    """Options shared by `run` and `resume` (on resume they override the stored ones)."""
    options = [
        click.option(
            "--from",
            "from_numbers",
            multiple=True,
            metavar="E164",
            help="Caller number (repeatable, used in turn). Env: VOICY_FROM_NUMBERS.",
        ),
        click.option(
            "--agent", "agent_id", help="Agent id to use instead of the numbers' default."
        ),
        click.option(
            "--db",
            "db",
            help="Database path or URL (default $CAMPAIGN_DB or ./campaign.db; with "
            "--simulate ./rehearsal.db, kept apart from real campaigns).",
        ),
        click.option(
            "--concurrency", type=click.IntRange(1), help="Calls in progress at most (default 10)."
        ),
        click.option(
            "--rate",
            type=click.IntRange(1),
            help="API requests per minute for all endpoints together (default 60).",
        ),
        click.option(
            "--max-attempts",
            type=click.IntRange(1),
            help="Placed calls per contact at most (default 3).",
        ),
        click.option(
            "--retry-delay",
            "retry_delays",
            multiple=True,
            metavar="[STATUS=]DURATION",
            help="Redial delay, e.g. busy=10m, no_answer=1h, error=5m, or 30m for all.",
        ),
        click.option(
            "--poll-interval",
            callback=_duration,
            metavar="DURATION",
            help="Status polling interval (default: adapts to the request budget).",
        ),
        click.option(
            "--drain-timeout",
            callback=_duration,
            metavar="DURATION",
            help="On Ctrl-C, how long to track calls in progress (default 2m).",
        ),
        click.option(
            "--db-outage",
            callback=_duration,
            metavar="DURATION",
            help="How long to ride out a database outage (PostgreSQL unreachable, the SQLite "
            "file locked by another program: no dialing, calls kept in memory, retrying) "
            "before a clean stop (default 10m).",
        ),
        click.option(
            "--min-gap",
            callback=_duration,
            metavar="DURATION",
            help="No call to a number any campaign called within this gap (default 24h, 0 = off).",
        ),
        click.option(
            "--start-at",
            metavar="ISO-DATETIME",
            help="Dial nothing before this instant (without an offset: this machine's time).",
        ),
        click.option(
            "--stop-at",
            metavar="ISO-DATETIME",
            help="Stop dialing at this instant; resume later to continue.",
        ),
        click.option(
            "--max-attempts-per-day",
            type=click.IntRange(1),
            help="Calls per number per recipient-local day, across campaigns.",
        ),
        click.option(
            "--local-presence",
            is_flag=True,
            default=None,
            help="Call from the --from number closest to the contact (country, area code).",
        ),
        click.option(
            "--opt-out-var",
            metavar="NAME",
            help="Extracted var that, when true, puts the number on the do-not-call list.",
        ),
        click.option(
            "--until-idle",
            is_flag=True,
            default=None,
            help="Exit 0 when every remaining contact waits (redial, window, gap).",
        ),
        click.option(
            "--simulate",
            is_flag=True,
            default=None,
            help="Run against the built-in simulator with a compressed clock.",
        ),
        click.option(
            "--sim-start",
            metavar="ISO-DATETIME",
            help="With --simulate: start the simulated clock at this instant, e.g. "
            "2026-09-18T12:55+03:00 (without an offset: this machine's time), to rehearse a "
            "start on a chosen day and hour.",
        ),
        click.option(
            "--seed",
            type=int,
            default=0,
            show_default=True,
            help="Simulator seed (with --simulate).",
        ),
        click.option("--base-url", envvar="VOICY_BASE_URL", help="Voicy API base URL."),
        click.option(
            "--webhook-listen",
            metavar="HOST:PORT",
            envvar="CAMPAIGN_WEBHOOK_LISTEN",
            help="Receive Voicy's call_ended webhooks at POST /webhooks/voicy on this address "
            "(needs VOICY_WEBHOOK_SECRET). Env: CAMPAIGN_WEBHOOK_LISTEN.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return outcome_options(calendar_options(func))


def settings_from(kwargs: dict[str, Any], base: RunSettings | None) -> RunSettings:
    overrides: dict[str, Any] = {
        "agent_id": kwargs.get("agent_id"),
        "concurrency": kwargs.get("concurrency"),
        "rate": kwargs.get("rate"),
        "max_attempts": kwargs.get("max_attempts"),
        "poll_interval": kwargs.get("poll_interval"),
        "drain_timeout": kwargs.get("drain_timeout"),
        "db_outage": kwargs.get("db_outage"),
        "min_gap": kwargs.get("min_gap"),
        "until_idle": kwargs.get("until_idle"),
        "simulate": kwargs.get("simulate"),
        "base_url": kwargs.get("base_url"),
        **calendar_overrides(kwargs),
        "start_at": kwargs.get("start_at"),
        "stop_at": kwargs.get("stop_at"),
        "max_attempts_per_day": kwargs.get("max_attempts_per_day"),
        "local_presence": kwargs.get("local_presence"),
        "opt_out_var": kwargs.get("opt_out_var"),
        **outcome_overrides(kwargs),
    }
    numbers = given_numbers(kwargs.get("from_numbers") or ())
    if numbers:
        overrides["from_numbers"] = numbers
    if kwargs.get("retry_delays"):
        overrides["retry_delays"] = _retry_delays(tuple(kwargs["retry_delays"]))
    settings = (base or RunSettings()).with_overrides(**overrides)
    from campaign.engine.rules_bridge import check_rules  # loads phonenumbers

    check_rules(settings)
    if kwargs.get("sim_start"):
        if not settings.simulate:
            raise InputError("--sim-start sets the simulated clock: add --simulate (or drop it)")
        parse_instant(kwargs["sim_start"], "--sim-start")
    if not settings.from_numbers:
        if settings.simulate:  # the simulated account's own numbers
            from campaign.simulator import DEFAULT_FROM_NUMBERS

            settings = settings.with_overrides(from_numbers=tuple(DEFAULT_FROM_NUMBERS))
        else:
            raise InputError(
                "no caller number: pass --from +15551234567 (repeatable) or set "
                "VOICY_FROM_NUMBERS (comma-separated)"
            )
    return settings
