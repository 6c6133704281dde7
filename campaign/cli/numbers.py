"""The user's caller numbers: `--from` (repeatable, comma-separated) or VOICY_FROM_NUMBERS.

Read in one place, `campaign.caller_numbers` (E.164 checked); this name stays for the
commands that use it.
"""

from __future__ import annotations

from campaign.caller_numbers import given_numbers


def caller_numbers(values: tuple[str, ...]) -> tuple[str, ...]:
    return given_numbers(values)
