"""The caller numbers a user gives (`--from`, repeatable or comma-separated, else
`$VOICY_FROM_NUMBERS`), read once for the CLI, the pages and the simulator.

Under `--simulate` the simulated account owns exactly these numbers, so a rehearsal runs with
the user's real numbers (and a shell with VOICY_FROM_NUMBERS set rehearses with them too).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from campaign.errors import InputError

ENV = "VOICY_FROM_NUMBERS"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
#: Written between digits by people (`+972-3-555-0100`, `+1 (212) 555-0100`): dropped.
_PUNCTUATION = re.compile(r"[\s().-]")


def given_numbers(values: Iterable[str] = (), *, env: str | None = None) -> tuple[str, ...]:
    """`values` (each maybe comma-separated), else `$VOICY_FROM_NUMBERS`: spaces, dashes,
    dots and brackets dropped, checked E.164, duplicates dropped, order kept."""
    chosen = [v for v in values if v and v.strip()]
    if not chosen:
        chosen = [os.environ.get(ENV, "") if env is None else env]
    written = [part.strip() for value in chosen for part in value.split(",") if part.strip()]
    numbers = [_PUNCTUATION.sub("", number) for number in written]
    bad = [raw for raw, number in zip(written, numbers, strict=True) if not _E164.match(number)]
    if bad:
        raise InputError(
            f"caller number {bad[0]!r} is not in E.164 form: write it with "
            "+ and its country code, e.g. +972521234567 or +12125550100"
        )
    return tuple(dict.fromkeys(numbers))
