"""The settings a campaign runs with, stored with the campaign so `resume` reuses them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from campaign.durations import parse_duration
from campaign.errors import InputError

DEFAULT_RETRY_DELAYS: dict[str, float] = {
    "busy": 600.0,
    "no_answer": 3600.0,
    "error": 300.0,
}
RETRYABLE = ("busy", "no_answer", "error")
#: `--retry-delay no_goal=DUR`: redial a connected call that missed the --goal (off unless
#: given, never set by `--retry-delay 30m`).
NO_GOAL = "no_goal"


@dataclass(frozen=True)
class RunSettings:
    from_numbers: tuple[str, ...] = ()
    agent_id: str | None = None
    concurrency: int = 10
    rate: int = 60
    max_attempts: int = 3
    retry_delays: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RETRY_DELAYS))
    poll_interval: float | None = None  # None: adapt to the budget
    drain_timeout: float = 120.0
    #: How long a store outage (PostgreSQL unreachable, the SQLite file locked by another
    #: program) is ridden out (real seconds) before a clean stop.
    db_outage: float = 600.0
    #: `default`: each recipient country's own hours (campaign.rules.countries).
    window: str = "default"
    days: str = "every day"
    #: Skip public holidays; None: on unless the window is `any`.
    holidays: bool | None = None
    #: `--closed` dates, as (ISO date, note) pairs: stored, so a resume needs no file.
    closed_dates: tuple[tuple[str, str], ...] = ()
    min_gap: float = 86400.0
    max_attempts_per_day: int | None = None
    local_presence: bool = False
    opt_out_var: str | None = None
    #: `--goal VAR[=VALUE]` (see campaign.goals).
    goal: str | None = None
    #: `--callback-var VAR`: an extracted time the person asked to be called back at.
    callback_var: str | None = None
    #: `--max-cost AMOUNT`: no new dial once spend would pass it (see engine/spend.py).
    max_cost: float | None = None
    start_at: str | None = None
    stop_at: str | None = None
    until_idle: bool = False
    simulate: bool = False
    base_url: str | None = None

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise InputError("--concurrency must be at least 1")
        if self.rate < 1:
            raise InputError("--rate must be at least 1 request per minute")
        if self.max_attempts < 1:
            raise InputError("--max-attempts must be at least 1")
        if self.max_cost is not None and self.max_cost < 0:
            raise InputError("--max-cost must be 0 or more (e.g. --max-cost 25.50)")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["from_numbers"] = list(self.from_numbers)
        data["closed_dates"] = [list(pair) for pair in self.closed_dates]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSettings:
        known = {f.name for f in fields(cls)}
        clean = {k: v for k, v in data.items() if k in known}
        if "from_numbers" in clean:
            clean["from_numbers"] = tuple(clean["from_numbers"] or ())
        if "closed_dates" in clean:
            clean["closed_dates"] = tuple(tuple(pair) for pair in clean["closed_dates"] or ())
        return cls(**clean)

    def with_overrides(self, **overrides: Any) -> RunSettings:
        """A copy with every override that is not None applied."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **given)

    def retry_delay(self, status: str) -> float:
        return float(self.retry_delays.get(status, self.retry_delays.get("*", 300.0)))

    @property
    def no_goal_delay(self) -> float | None:
        """Seconds before redialing a connected call that missed the goal; None: never."""
        value = self.retry_delays.get(NO_GOAL)
        return None if value is None else float(value)


def parse_retry_delays(specs: list[str] | tuple[str, ...]) -> dict[str, float]:
    """`--retry-delay 10m` (all retryable statuses) or `--retry-delay busy=10m` (one)."""
    delays = dict(DEFAULT_RETRY_DELAYS)
    for spec in specs:
        status, sep, value = spec.partition("=")
        try:
            if sep:
                key = status.strip().lower().replace("-", "_")
                if key not in (*RETRYABLE, NO_GOAL):
                    raise InputError(
                        f"--retry-delay {spec!r}: unknown status {status!r}; "
                        f"use one of {', '.join((*RETRYABLE, NO_GOAL))} (e.g. busy=10m)"
                    )
                delays[key] = parse_duration(value)
            else:
                seconds = parse_duration(status)
                for key in RETRYABLE:
                    delays[key] = seconds
        except ValueError as exc:
            raise InputError(f"--retry-delay {spec!r}: {exc}") from exc
    return delays
