"""Human durations (`45s`, `10m`, `2h`, `1h30m`, `1d`, a bare number of seconds, or `0`) and
the instants of `--start-at` / `--stop-at` (`parse_instant`).

Options people type take `parse_duration_with_unit`, which refuses a bare number but 0.
"""

from __future__ import annotations

import re
from datetime import datetime

from campaign.errors import InputError

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """Seconds in `text`; raises ValueError with an example of the accepted forms."""
    raw = text.strip().lower()
    if not raw:
        raise ValueError("empty duration: use forms like 45s, 10m, 2h or 1h30m")
    try:
        value = float(raw)
    except ValueError:
        pass
    else:
        if value < 0:
            raise ValueError(f"negative duration {text!r}")
        return value
    pos = 0
    total = 0.0
    for match in _PART.finditer(raw):
        if raw[pos : match.start()].strip():
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos == 0 or raw[pos:].strip():
        raise ValueError(f"cannot read duration {text!r}: use forms like 45s, 10m, 2h or 1h30m")
    return total


def parse_duration_with_unit(text: str) -> float:
    """As `parse_duration`, except that a bare number other than 0 is refused.

    For a user-facing option `10` could mean seconds or minutes, and a busy line redialed
    ten seconds later is not what anyone means: the error asks for the unit.
    """
    raw = text.strip()
    try:
        value = float(raw)
    except ValueError:
        return parse_duration(text)
    if value == 0:
        return 0.0
    if value < 0:
        raise ValueError(f"negative duration {text!r}")
    raise ValueError(
        f"{raw!r} has no unit: did you mean {raw}m? Write the unit: {raw}s, {raw}m or {raw}h"
    )


def format_duration(seconds: float) -> str:
    """Short human form: `45s`, `12m 5s`, `2h 3m`, `1d 4h`."""
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, sec = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {sec}s" if sec else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if hours else f"{days}d"


def parse_instant(text: str | None, option: str) -> datetime | None:
    """An ISO date-time given to `option`; without an offset, this machine's local time."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"{option} {text!r} is not an ISO date-time; use e.g. 2026-12-01T09:00+01:00"
        ) from exc
    if value.tzinfo is None:
        value = value.astimezone()  # local time of this machine, said in the help
    return value
