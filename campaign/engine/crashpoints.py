"""Named points where a test can make the runner die with SIGKILL, to prove kill -9 safety,
or freeze there (SIGSTOP), to fail the world around it at that exact instant.

Set `CAMPAIGN_CRASH_AT=point:n` (e.g. `after_intent:3`): the n-th time the runner passes
`point` it kills itself with SIGKILL, exactly as `kill -9` would. `point:n:stop` stops the
process instead (the test stops the database, then sends SIGCONT). Several specs are
separated by commas. Unset, a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

POINTS = (
    "before_intent",
    "after_intent",
    "after_answer",
    "after_placed",
    "during_tracking",
    "after_end",  # ends written, a connected call's details (its goal, callback) not yet
    "before_start",  # the run's first step: before the lock or lease is taken
    "before_finish",  # every call followed to its end; the campaign's end not yet written
)


@dataclass
class Armed:
    left: int  # passes until it fires
    signal: signal.Signals


def parse_spec(spec: str) -> dict[str, Armed]:
    """`CAMPAIGN_CRASH_AT`'s points: `point:n[:stop]`, comma-separated."""
    armed: dict[str, Armed] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        point, _, rest = item.partition(":")
        count, _, mode = rest.partition(":")
        armed[point] = Armed(int(count or 1), signal.SIGSTOP if mode == "stop" else signal.SIGKILL)
    return armed


_points = parse_spec(os.environ.get("CAMPAIGN_CRASH_AT", ""))


def crash_point(name: str) -> None:
    armed = _points.get(name)
    if armed is None:
        return
    armed.left -= 1
    if armed.left == 0:  # once: a point passed again (a step run again) goes on
        os.kill(os.getpid(), armed.signal)


def crash_point_armed(name: str) -> bool:
    """Whether `name` is an armed point (to write what it must find first)."""
    return name in _points
