"""The user's caller numbers: `--from` (repeatable, comma-separated) or VOICY_FROM_NUMBERS."""

from __future__ import annotations

import os


def caller_numbers(values: tuple[str, ...]) -> tuple[str, ...]:
    numbers: list[str] = []
    for value in values or tuple((os.environ.get("VOICY_FROM_NUMBERS") or "").split(",")):
        numbers.extend(n.strip() for n in value.split(",") if n.strip())
    return tuple(numbers)
