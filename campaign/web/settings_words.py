"""A campaign's settings as the campaign page shows them: each key and value in words, in
the page's language; anything secret-looking is left out.

Keys are the stored `RunSettings` fields; a key this version does not know is shown as
stored (a newer runner may have written it). Values that are the user's own identifiers
(numbers, agent ids, addresses, column names) are shown as typed and marked as such, so
the page keeps them left-to-right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from campaign import formats
from campaign.i18n import format_number, gettext_
from campaign.rules.words import schedule_words
from campaign.web.call_words import status_words

_SECRET_WORDS = ("key", "token", "secret", "password")
_DURATION_SETTINGS = ("min_gap", "drain_timeout", "poll_interval", "db_outage")


def _(message: str) -> str:
    """Marks a string for the catalog; translated where it is shown."""
    return message


#: Every stored setting, in words (the catalog translates them).
KEY_WORDS: dict[str, str] = {
    "from_numbers": _("numbers called from"),
    "agent_id": _("agent"),
    "concurrency": _("calls at once"),
    "rate": _("requests per minute"),
    "max_attempts": _("attempts per person"),
    "retry_delays": _("redial after"),
    "poll_interval": _("polling interval"),
    "drain_timeout": _("wait for calls in progress on stop"),
    "db_outage": _("database outage ridden out"),
    "window": _("calling hours"),
    "days": _("days"),
    "holidays": _("public holidays"),
    "closed_dates": _("closed dates"),
    "min_gap": _("gap between calls to a number"),
    "max_attempts_per_day": _("attempts per person per day"),
    "local_presence": _("local caller id"),
    "opt_out_var": _("opt-out var"),
    "goal": _("goal"),
    "callback_var": _("callback var"),
    "max_cost": _("spending limit"),
    "start_at": _("start at"),
    "stop_at": _("stop at"),
    "until_idle": _("until idle"),
    "simulate": _("simulated"),
    "base_url": _("API address"),
}
#: Values that are the user's own identifiers, shown as typed (left-to-right).
_AS_TYPED = ("from_numbers", "agent_id", "base_url", "opt_out_var", "callback_var", "days")
#: Words of values, marked for the catalog.
VALUE_WORDS = (_("default"), _("yes"), _("no"), _("off"), _("none"))


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: str
    as_typed: bool = False  # the user's own text (numbers, ids): left-to-right


def settings_rows(settings: Mapping[str, Any]) -> list[SettingRow]:
    """The settings a campaign runs with, in words; anything secret-looking is left out."""
    rows = []
    for key, value in settings.items():
        if any(secret in key.lower() for secret in _SECRET_WORDS):
            continue
        words = KEY_WORDS.get(key)
        shown = gettext_(words) if words else key.replace("_", " ")
        rows.append(SettingRow(shown, _value_text(key, value), key in _AS_TYPED))
    return rows


def _value_text(key: str, value: Any) -> str:
    if value is None:
        return gettext_("default")
    if isinstance(value, bool):
        return gettext_("yes") if value else gettext_("no")
    if key in _DURATION_SETTINGS and isinstance(value, int | float):
        return gettext_("off") if value == 0 else formats.duration(value)
    if key == "window" and isinstance(value, str):
        return gettext_("default") if value == "default" else schedule_words(value)
    if isinstance(value, dict):
        parts = [
            f"{status_words(k)} {formats.duration(v) if isinstance(v, int | float) else v}"
            for k, v in value.items()
        ]
        return ", ".join(parts) or gettext_("none")
    if isinstance(value, list | tuple):
        return ", ".join(" ".join(str(p) for p in v) if isinstance(v, list | tuple)
                         else str(v) for v in value) or gettext_("none")  # fmt: skip
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)
