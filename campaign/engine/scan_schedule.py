"""When to scan: spend call-list requests where calls have likely ended (pure).

A scan costs one request (a page) and serves every open call; a call that ended but was not
seen yet holds its line idle. So the tracker scans when the line-seconds the open calls have
likely wasted since they were last seen running reach the price of a scan:

    idle = Σ over open calls  P(ended since last seen | running then) · (time since) / 2

`P` comes from the ages (seconds from the dial's request) at which this campaign's calls
ended, kept per kind (connected / not connected), learned as they end (`EndAges`). With
webhooks live, a call of a kind the deliveries cover (`Coverage`) will be told within the
delivery lag anyway: its idle counts only up to that lag, so scans are spent on the calls
no delivery will tell (calls that never connected, in Voicy's connected-only scope) and on
calls well past their expected end with no delivery (a lost one). Where every ended call
fires (`all_fire`), a scan only races the deliveries' 1–4 s lag and there is no request
to save: a low price, so the budget's spare (`scan_cadence`) sets the pace. An age past
everything seen counts as ended for sure, so a call never goes unscanned for long.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Before calls ended: ages spread evenly (Voicy rings ≤ ~60 s), every second or two, so
#: the likely waste grows smoothly with the calls' ages (a few far-apart ages would say
#: nothing ends between them, and leave the first, busiest seconds unscanned).
PRIOR_CONNECTED = tuple(float(age) for age in range(10, 121, 2))
PRIOR_FAILED = tuple(float(age) for age in range(2, 46))
KINDS = ("connected", "failed")


@dataclass
class EndAges:
    """The most recent end ages of one kind of call, sorted, with a prior until enough:
    the prior's ages count beside the first real ones until `until` were seen (one early
    end alone would say no call of its kind ends any sooner, and leave the first, busiest
    seconds of a campaign unscanned)."""

    prior: tuple[float, ...]
    keep: int = 200
    until: int = 5
    _recent: deque[float] = field(default_factory=deque)
    _sorted: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sorted = sorted(self.prior)

    def observe(self, age: float) -> None:
        age = max(0.0, age)
        if len(self._recent) + 1 == self.until:
            self._sorted = sorted(self._recent)  # the prior gives way to real figures
        self._recent.append(age)
        bisect.insort(self._sorted, age)
        if len(self._recent) > self.keep:
            old = self._recent.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, old)]

    @property
    def observed(self) -> int:
        return len(self._recent)

    def cdf(self, age: float) -> float:
        """The share of calls of this kind that ended by `age`."""
        return bisect.bisect_right(self._sorted, age) / len(self._sorted)


@dataclass
class Coverage:
    """How many ended calls of each kind got a delivery (recent ones), and how late."""

    window: int = 40
    _seen: dict[str, deque[bool]] = field(default_factory=lambda: {k: deque() for k in KINDS})
    lag: float = 0.0

    def record(self, kind: str, delivered: bool) -> None:
        seen = self._seen["connected" if kind == "connected" else "failed"]
        seen.append(delivered)
        if len(seen) > self.window:
            seen.popleft()

    def observe_lag(self, seconds: float) -> None:
        """A delivery arrived this long after its call ended (the largest recent one kept,
        decaying so one slow delivery does not stay the rule)."""
        self.lag = max(seconds, self.lag * 0.9)

    def share(self, kind: str) -> float:
        seen = self._seen[kind]
        return sum(seen) / len(seen) if seen else 0.0


@dataclass(frozen=True)
class OpenCall:
    #: Seconds since the dial was requested, now and when a scan last saw it running.
    age: float
    seen_running_at: float


def expected_idle(
    calls: Iterable[OpenCall],
    ages: dict[str, EndAges],
    *,
    coverage: Coverage | None = None,
    webhooks_live: bool = False,
) -> float:
    """Line-seconds the open calls have likely been idle since last seen running."""
    counts = {k: max(1, ages[k].observed) for k in KINDS}
    total_seen = sum(counts.values())
    weight = {k: counts[k] / total_seen for k in KINDS}
    idle = 0.0
    for call in calls:
        since = max(0.0, call.age - call.seen_running_at)
        alive = sum(weight[k] * (1.0 - ages[k].cdf(call.seen_running_at)) for k in KINDS)
        for kind in KINDS:
            before, now = ages[kind].cdf(call.seen_running_at), ages[kind].cdf(call.age)
            # Past every age seen (alive ~ 0): ended, surely.
            p = weight[kind] if alive <= 1e-9 else weight[kind] * (now - before) / alive
            waste = since / 2
            if webhooks_live and coverage is not None:
                told = coverage.share(kind)
                waste = told * min(waste, coverage.lag) + (1 - told) * waste
            idle += p * waste
    return idle


#: With webhooks live, a scan is worth it once the open calls have likely wasted this many
#: line-seconds, while scans stay within `SCANS_PER_DIAL` of the dials (plus a few to
#: start); past that allowance only a much larger waste (a lost delivery, surely) buys one,
#: except in the campaign's tail (no contact waits: the last calls' ends are its end).
#: Without webhooks scans take the budget's spare, but only once this much is likely
#: wasted: none while every call is younger than any call ends (just dialed).
POLL_PRICE = 0.5
SCAN_PRICE = 1.0
SCAN_PRICE_OVER = 8.0
SCANS_PER_DIAL = 0.35
#: Where every ended call fires (failed ones too) a scan only races a delivery's lag, and
#: the requests it costs are the budget's spare: up to this many per dial.
SCANS_PER_DIAL_ALL_FIRE = 2.0
FIRST_SCANS = 5
#: Where every ended call fires (at least this share of the calls that never connected got
#: a delivery), there is no request bound to keep: a scan races a delivery's 1–4 s lag, and
#: the budget's spare (`scan_cadence`) sets the pace, once this many line-seconds may be
#: lost (a call younger than any end costs nothing). A scan that waits for 0.6 rather than
#: 0.2 leaves the spare to the moments more calls have likely ended: on the budget-bound
#: plan (`bench/oracle_bench.py`, seed 7) 185–186 s against 186–187 s, ~10 scans fewer;
#: 0.4 and 0.8 in between, 1.2 worse (188 s).
ALL_FIRE_SHARE = 0.8
ALL_FIRE_PRICE = 0.6
ALL_FIRE_TAIL_PRICE = 0.01


@dataclass
class ScanSchedule:
    """What the tracker learned about when calls end and what deliveries tell, and whether
    a scan is worth its request now (with webhooks live; without them scans take what the
    budget leaves)."""

    ages: dict[str, EndAges] = field(
        default_factory=lambda: {
            "connected": EndAges(PRIOR_CONNECTED),
            "failed": EndAges(PRIOR_FAILED),
        }
    )
    coverage: Coverage = field(default_factory=Coverage)
    dials: int = 0
    scans_live: int = 0

    def dialed(self) -> None:
        self.dials += 1

    def scanned(self, webhooks_live: bool) -> None:
        if webhooks_live:
            self.scans_live += 1

    def ended(self, category: str, age: float) -> None:
        """A call of this runner's ended `age` seconds after its dial was requested."""
        if category in KINDS:
            self.ages[category].observe(age)

    def idle(self, calls: Iterable[OpenCall], webhooks_live: bool) -> float:
        return expected_idle(calls, self.ages, coverage=self.coverage, webhooks_live=webhooks_live)

    def all_fire(self, webhooks_live: bool) -> bool:
        """Whether deliveries come for every kind of ended call (Voicy's "all" scope)."""
        return webhooks_live and self.coverage.share("failed") >= ALL_FIRE_SHARE

    def worth_scanning(
        self, calls: Iterable[OpenCall], *, webhooks_live: bool = True, tail: bool = False
    ) -> bool:
        """Whether the open calls' likely waste buys a scan now (`tail`: no contact waits
        for a dial, so these calls' ends are the campaign's)."""
        if not webhooks_live:
            return self.idle(calls, False) >= POLL_PRICE
        if self.all_fire(webhooks_live):
            # In the tail the last end is the campaign's: any likely waste buys a scan.
            return self.idle(calls, True) >= (ALL_FIRE_TAIL_PRICE if tail else ALL_FIRE_PRICE)
        # Where every kind of call fires (failed ones too), a scan can only beat a delivery's
        # lag: the allowance grows with what they cover, spent where ends are likeliest.
        told = self.coverage.share("failed")
        per_dial = SCANS_PER_DIAL + (SCANS_PER_DIAL_ALL_FIRE - SCANS_PER_DIAL) * told
        allowance = per_dial * self.dials + FIRST_SCANS - self.scans_live
        price = SCAN_PRICE if allowance > 0 or tail else SCAN_PRICE_OVER
        return self.idle(calls, True) >= price
