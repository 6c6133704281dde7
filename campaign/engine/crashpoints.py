"""Named points where a test can make the runner die with SIGKILL, to prove kill -9 safety.

Set `CAMPAIGN_CRASH_AT=point:n` (e.g. `after_intent:3`): the n-th time the runner passes
`point` it kills itself with SIGKILL, exactly as `kill -9` would. Unset, a point costs one
dictionary lookup.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "before_intent",
    "after_intent",
    "after_answer",
    "after_placed",
    "during_tracking",
    "after_end",  # ends written, a connected call's details (its goal, callback) not yet
)

_spec = os.environ.get("CAMPAIGN_CRASH_AT", "")
_target, _, _count = _spec.partition(":")
_remaining = int(_count or 1) if _target else 0


def crash_point(name: str) -> None:
    global _remaining
    if name != _target:
        return
    _remaining -= 1
    if _remaining <= 0:
        os.kill(os.getpid(), signal.SIGKILL)


def crash_point_armed(name: str) -> bool:
    """Whether `name` is the armed point (to write what it must find first)."""
    return name == _target
