"""The new-campaign form's fields → the same ImportOptions and RunSettings the CLI builds.

Field names follow the CLI options (`phone_column`, `region`, `sheet`, `concurrency`, ...);
a var mapping is one field `map:<var>` per agent var holding the column (or empty), or,
when no agent checks the vars, one field `as:<column>` per column holding its var name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from campaign.caller_numbers import given_numbers
from campaign.contacts import ImportOptions
from campaign.engine.settings import DEFAULT_RETRY_DELAYS, RunSettings
from campaign.errors import InputError
from campaign.formats import isolated
from campaign.i18n import gettext_
from campaign.web.call_words import status_words

MAP_PREFIX = "map:"
AS_PREFIX = "as:"
#: The `mapped` value of a form that names the columns' vars itself.
FREE = "columns"
#: Requests per call beyond the dial (status polls and detail fetches), on average.
REQUESTS_PER_CALL = 0.7
#: Real seconds a call line is busy at least (ringing, a short conversation, wrap-up).
SECONDS_PER_CALL = 35.0
#: Calls one list scan request covers (call-list pages when reconciling).
CALLS_PER_SCAN = 100


def _(message: str) -> str:
    """Marks a string for the catalog; translated where it is shown."""
    return message


def text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def import_options(form: Mapping[str, Any]) -> ImportOptions:
    """ImportOptions from the form; `map:` fields (an agent's vars) or `as:` fields (the
    columns, when no agent checks them) become `--var COLUMN=name` specs."""
    if is_free_mapping(form):
        specs = [f"{column}={name}" for column, name in names_from(form).items() if name]
        if not specs:
            raise InputError(gettext_("Give at least one column a var name, or choose the agent."))
    else:
        specs = [f"{column}={name}" for name, column in mapping_from(form).items() if column]
    return ImportOptions(
        phone_column=text(form, "phone_column") or None,
        region=text(form, "region") or None,
        sheet=text(form, "sheet") or None,
        vars=specs,
        caller_numbers=tuple(_numbers(form)),
    )


def _numbers(form: Mapping[str, Any]) -> list[str]:
    """The from-numbers typed or ticked in the form."""
    numbers = [n.strip() for n in text(form, "from_numbers").split(",") if n.strip()]
    if hasattr(form, "getlist"):
        numbers += [str(n) for n in form.getlist("from_number") if str(n).strip()]
    return numbers


def is_free_mapping(form: Mapping[str, Any]) -> bool:
    """The form sent the columns' var names (no agent to map to)."""
    return text(form, "mapped") == FREE


def names_from(form: Mapping[str, Any]) -> dict[str, str]:
    """Column → the var name it is sent as (empty: not sent), from the `as:` fields."""
    return {
        key[len(AS_PREFIX) :]: text(form, key)
        for key in form
        if isinstance(key, str) and key.startswith(AS_PREFIX)
    }


def mapping_from(form: Mapping[str, Any]) -> dict[str, str]:
    """Var name → column, as chosen in the form (only when the map was shown and sent)."""
    if text(form, "mapped") != "1":
        return {}
    return {
        key[len(MAP_PREFIX) :]: text(form, key)
        for key in form
        if isinstance(key, str) and key.startswith(MAP_PREFIX)
    }


def _int(form: Mapping[str, Any], name: str, default: int, label: str) -> int:
    raw = text(form, name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InputError(
            gettext_("%(field)s: %(value)s is not a whole number")
            % {"field": gettext_(label), "value": isolated(repr(raw))}
        ) from exc


def run_settings(form: Mapping[str, Any], *, simulate: bool) -> RunSettings:
    """RunSettings from the form, on RunSettings' (the CLI's) defaults; checked as `run` does."""
    from campaign.durations import parse_duration_with_unit, parse_instant
    from campaign.rules.from_settings import calendar_of

    defaults = RunSettings()
    numbers = _numbers(form)
    delays = dict(DEFAULT_RETRY_DELAYS)
    for status in DEFAULT_RETRY_DELAYS:
        raw = text(form, f"retry_{status}")
        if raw:
            try:
                delays[status] = parse_duration_with_unit(raw)
            except ValueError as exc:
                raise InputError(
                    gettext_("retry delay for %(status)s: %(error)s")
                    % {"status": status_words(status), "error": isolated(str(exc))}
                ) from exc
    start_at = text(form, "start_at") if text(form, "start_when") == "later" else ""
    settings = defaults.with_overrides(
        from_numbers=given_numbers(numbers, env="") or None,
        agent_id=text(form, "agent_id") or None,
        concurrency=_int(form, "concurrency", defaults.concurrency, _("Concurrency")),
        rate=_int(form, "rate", defaults.rate, _("Rate (requests/min)")),
        max_attempts=_int(form, "max_attempts", defaults.max_attempts, _("Max attempts")),
        retry_delays=delays,
        window=text(form, "window") or None,
        days=text(form, "days") or None,
        holidays=_holidays(form),
        start_at=start_at or None,
        simulate=simulate or None,
    )
    calendar_of(settings, gettext_("Calling window/days"))
    parse_instant(settings.start_at, gettext_("Start at"))
    if not settings.from_numbers:
        if not simulate:
            raise InputError(
                gettext_("no caller number: type one or more, e.g. %(example)s")
                % {"example": isolated("+15551234567")}
            )
        from campaign.simulator import DEFAULT_FROM_NUMBERS

        settings = settings.with_overrides(from_numbers=tuple(DEFAULT_FROM_NUMBERS))
    return settings


#: The form's public holidays choice → `--holidays/--no-holidays` (None: the default).
HOLIDAY_CHOICES = {"": None, "skip": True, "call": False}


def _holidays(form: Mapping[str, Any]) -> bool | None:
    choice = text(form, "holidays")
    if choice not in HOLIDAY_CHOICES:
        raise InputError(
            gettext_("Public holidays: %(value)s is not a choice; pick skip or call")
            % {"value": isolated(repr(choice))}
        )
    return HOLIDAY_CHOICES[choice]


def calendar_view(form: Mapping[str, Any], summary: Mapping[str, Any], now: datetime) -> Any:
    """The calendar the form's window, days and holidays give each country of the list
    (a `campaign.rules.describe.CalendarView`); InputError when the form's text is wrong."""
    from campaign.rules.describe import describe_calendar
    from campaign.rules.from_settings import calendar_of

    settings = RunSettings().with_overrides(
        window=text(form, "window") or None,
        days=text(form, "days") or None,
        holidays=_holidays(form),
    )
    return describe_calendar(
        calendar_of(settings, "Calling window/days"),
        summary.get("countries") or {},
        today=now.date(),
        zones=list((summary.get("time_zones") or {}).get("zones") or {}),
        window_text=settings.window,
        days_text=settings.days if settings.days != RunSettings().days else None,
    )


@dataclass(frozen=True)
class Estimate:
    calls: int
    requests: int
    seconds: float
    cost: float | None = None


def estimate(valid: int, settings: RunSettings) -> Estimate:
    """The dry run: calls, API requests and the least time the plan's limits allow."""
    scans = math.ceil(valid / CALLS_PER_SCAN)
    requests = math.ceil(valid * (1 + REQUESTS_PER_CALL)) + scans
    seconds = max(requests / settings.rate * 60.0, valid * SECONDS_PER_CALL / settings.concurrency)
    return Estimate(calls=valid, requests=requests, seconds=seconds)
