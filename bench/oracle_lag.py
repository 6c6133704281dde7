"""Where a runner's wall time goes against the oracle's: a line-seconds decomposition.

Every line of the plan is, at each instant from the run's start to its finish, in exactly
one of these states (as the runner sees its lines: a line is busy from the dial until the
runner learned the end):

- `call`: a call holds it (dial to hang-up): the same calls cost the same in both schedules;
- `learn`: the call hung up but the runner has not learned it yet (by source: polled scan,
  webhook delivery, fetched);
- `ramp`: before the line's first dial (the run's start: store, first tokens, first dials);
- `not_due`: free, and no contact was due (every one left waits for its redial delay);
- `budget`: free, a contact was due, but the plan's 60-second request window was full;
- `dispatch`: free, a contact due, a request allowed, and still no dial (the engine's loop,
  intent writes, the dial's own round trip);
- `tail`: after the line's last call, until the run finished.

So `lines × (finish − start)` is the sum of the states, for the runner and for the oracle
(whose ends are learned the instant they happen and whose dials wait for nothing but lines,
redial delays and the rate), and the difference of the walls is the sum of the differences
of the states divided by the lines. Dials are given to the line freed first (as the runner's
own count does), so which physical line a call used does not matter.

    rows = [LineCall(number, attempt, dialed, hung_up, learned, source), ...]
    d = decompose(rows, grants, lines=10, rate=60, start=t0, finish=t1, retry_delay=30)
    print(d.table(oracle_d))
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

WINDOW = 60.0
#: The sampling step (seconds) for splitting an idle gap into not_due / budget / dispatch.
STEP = 0.01
STATES = ("call", "learn", "ramp", "not_due", "budget", "dispatch", "tail")


@dataclass(frozen=True)
class LineCall:
    number: str
    attempt: int  # 0-based
    dialed: float  # the dial reached the API
    hung_up: float
    learned: float  # when the runner knew the call ended (== hung_up for the oracle)
    source: str = "oracle"


@dataclass
class Decomposition:
    lines: int
    wall: float
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STATES, 0.0))
    #: Hang-up to learned, by source: (count, line-seconds).
    learn_by_source: dict[str, list[float]] = field(default_factory=dict)
    #: The last hang-up to the finish (what the tail of the critical path adds).
    last_end_to_finish: float = 0.0
    #: Of `learn`, the line-seconds a due contact waited for (see `costly_learn`).
    learn_costly: float = 0.0

    def total(self) -> float:
        return sum(self.seconds.values())

    def table(self, oracle: Decomposition | None = None) -> str:
        """Line-seconds per state (and ÷ lines: seconds of wall), against the oracle's."""
        out = [
            f"  {'state':<9} {'line-s':>8} {'÷lines':>7}"
            + (f" {'oracle':>8} {'extra wall':>10}" if oracle else "")
        ]
        for state in STATES:
            mine = self.seconds[state]
            row = f"  {state:<9} {mine:8.1f} {mine / self.lines:7.2f}"
            if oracle is not None:
                theirs = oracle.seconds[state]
                row += f" {theirs:8.1f} {(mine - theirs) / self.lines:+10.2f}"
            out.append(row)
        row = f"  {'sum':<9} {self.total():8.1f} {self.total() / self.lines:7.2f}"
        if oracle is not None:
            row += f" {oracle.total():8.1f} {(self.total() - oracle.total()) / self.lines:+10.2f}"
        out.append(row + f"   (wall {self.wall:.1f} s × {self.lines} lines)")
        for source, (count, seconds) in sorted(self.learn_by_source.items()):
            out.append(
                f"  learned by {source}: {count:.0f} ends, {seconds:.1f} line-s, "
                f"mean {seconds / max(count, 1):.2f} s after the hang-up"
            )
        out.append(
            f"  learn while a due contact had no line: {self.learn_costly:.1f} line-s "
            f"({self.learn_costly / self.lines:.2f} s of wall); the rest cost nothing"
        )
        out.append(f"  last hang-up to finish: {self.last_end_to_finish:.2f} s")
        return "\n".join(out)


def dues(calls: Sequence[LineCall], retry_delay: float, start: float) -> dict[int, float]:
    """When each call's contact could first be dialed for it (index in `calls` → time):
    the run's start for a first dial, else the previous call's hang-up plus the redial
    delay, and never before the runner learned that end."""
    by_contact: dict[str, list[int]] = defaultdict(list)
    for i, call in enumerate(calls):
        by_contact[call.number].append(i)
    due: dict[int, float] = {}
    for indexes in by_contact.values():
        indexes.sort(key=lambda i: calls[i].attempt)
        previous: LineCall | None = None
        for i in indexes:
            if previous is None:
                due[i] = start
            else:
                due[i] = max(previous.hung_up + retry_delay, previous.learned)
            previous = calls[i]
    return due


def decompose(
    calls: Sequence[LineCall],
    grants: Iterable[float],
    *,
    lines: int,
    rate: int,
    start: float,
    finish: float,
    retry_delay: float,
) -> Decomposition:
    """The line-seconds decomposition of one run (see the module)."""
    result = Decomposition(lines, finish - start)
    granted = sorted(grants)
    due = dues(calls, retry_delay, start)
    order = sorted(range(len(calls)), key=lambda i: calls[i].dialed)
    waiting = sorted((due[i], calls[i].dialed) for i in order)  # (due, dialed) per call

    def someone_due(t: float) -> bool:
        # A contact due by t and not dialed yet at t.
        upto = bisect.bisect_right(waiting, (t, float("inf")))
        return any(dialed > t for _, dialed in waiting[:upto])

    def window_full(t: float) -> bool:
        return bisect.bisect_right(granted, t) - bisect.bisect_right(granted, t - WINDOW) >= rate

    def idle(a: float, b: float) -> None:
        t = a
        while t < b:
            step = min(STEP, b - t)
            mid = t + step / 2
            if not someone_due(mid):
                result.seconds["not_due"] += step
            elif window_full(mid):
                result.seconds["budget"] += step
            else:
                result.seconds["dispatch"] += step
            t += step

    free: list[tuple[float, int]] = [(start, slot) for slot in range(lines)]
    first = [True] * lines
    for i in order:
        call = calls[i]
        at, slot = heapq.heappop(free)
        if first[slot]:
            result.seconds["ramp"] += max(0.0, call.dialed - at)
            first[slot] = False
        else:
            idle(at, max(at, call.dialed))
        learned = max(call.learned, call.hung_up)
        result.seconds["call"] += call.hung_up - call.dialed
        result.seconds["learn"] += learned - call.hung_up
        count_seconds = result.learn_by_source.setdefault(call.source, [0.0, 0.0])
        count_seconds[0] += 1
        count_seconds[1] += learned - call.hung_up
        heapq.heappush(free, (max(learned, call.dialed), slot))
    for at, slot in free:
        result.seconds["ramp" if first[slot] else "tail"] += max(0.0, finish - at)
    result.last_end_to_finish = finish - max((c.hung_up for c in calls), default=start)
    result.learn_costly = costly_learn(calls, due, lines=lines, start=start, finish=finish)
    return result


def costly_learn(
    calls: Sequence[LineCall], due: dict[int, float], *, lines: int, start: float, finish: float
) -> float:
    """Line-seconds of `learn` that held back a dial: at each instant, the lines whose call
    hung up unseen, but no more than the due contacts waiting beyond the free lines."""
    dialed = sorted(c.dialed for c in calls)
    hung = sorted(c.hung_up for c in calls)
    learned = sorted(max(c.learned, c.hung_up) for c in calls)
    dues_ = sorted(due.values())

    def upto(values: list[float], t: float) -> int:
        return bisect.bisect_right(values, t)

    costly = 0.0
    t = start
    while t < finish:
        busy = upto(dialed, t) - upto(learned, t)  # lines held, as the runner sees them
        unseen = upto(hung, t) - upto(learned, t)
        waiting = upto(dues_, t) - upto(dialed, t)
        costly += min(unseen, max(0, waiting - (lines - busy))) * STEP
        t += STEP
    return costly
