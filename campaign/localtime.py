"""Times as people read them: UTC inside, local at the edges.

- The user's own time on screens the CLI prints: this machine's time zone (`TZ`, else the
  system's), with its abbreviation, so `17:07 IST` is never mistaken for UTC.
- The recipient's time where a time is about them (when a person was called): the zone the
  calling rules use for their number (a `timezone` column wins).
- The web pages carry ISO UTC instants and let the browser show its own zone.

`localize_stamps()` rewrites the ISO UTC instants a library message may quote
(`2026-01-05T15:07+00:00`) into the user's time, for the CLI's edge.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_STAMP = re.compile(r"\b(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?\+00:00")


def local_text(at: datetime | None, zone: tzinfo | str | None = None, *, empty: str = "-") -> str:
    """`2026-01-05 17:07 IST`: in `zone` (a tzinfo or IANA name), default this machine's."""
    if at is None:
        return empty
    if isinstance(zone, str):
        zone = _zone(zone)
    local = at.astimezone(zone) if zone is not None else at.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or zone_name()}"


def zone_name() -> str:
    """This machine's time zone as an IANA name when it can be told (`Asia/Jerusalem`),
    else its abbreviation now."""
    named = os.environ.get("TZ", "").lstrip(":")
    if named and _zone(named) is not None:
        return named
    try:
        target = Path("/etc/localtime").resolve()
    except OSError:
        target = None
    if target is not None and "zoneinfo" in target.parts:
        parts = target.parts
        return "/".join(parts[parts.index("zoneinfo") + 1 :])
    return datetime.now(UTC).astimezone().tzname() or "UTC"


def local_zone() -> tzinfo:
    """This machine's zone as a tzinfo with its rules (DST included) when it has a name."""
    return _zone(zone_name()) or datetime.now(UTC).astimezone().tzinfo or UTC


def localize_stamps(text: str) -> str:
    """`text` with each ISO UTC instant (`2026-01-05T15:07+00:00`) in the user's time."""
    return _STAMP.sub(lambda found: local_text(datetime.fromisoformat(found.group(0))), text)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
