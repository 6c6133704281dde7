"""A snapshot of a running campaign, for whoever displays it (the engine formats nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Progress:
    campaign: str
    total: int  # dialable contacts (valid, not duplicate)
    done: int  # dialable contacts with a final outcome
    in_progress: int  # open calls (placed, unknown or being dialed)
    waiting_redial: int
    waiting_window: int
    waiting_gap: int
    connected: int
    failed: int
    outcomes: dict[str, int] = field(default_factory=dict)
    requests_last_minute: int = 0
    rate_limit: int = 60
    rate_limited: int = 0
    requests_total: int = 0
    next_due: datetime | None = None
    elapsed: float = 0.0  # campaign-clock seconds since this run started
    eta_seconds: float | None = None
    stopping: bool = False
    state: str = "running"


@dataclass(frozen=True)
class RunResult:
    state: str  # finished | interrupted | paused | canceled
    message: str
    progress: Progress
    fatal: str | None = None  # why the API refused the whole campaign
    idle: bool = False  # stopped by --until-idle: every remaining contact waits
