"""The live progress display: a rich progress bar on a terminal, a plain line otherwise."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from campaign.calls.vocab import WaitReason
from campaign.durations import format_duration
from campaign.engine.progress import Progress as Snapshot


def describe(p: Snapshot) -> str:
    parts = []
    if p.api_down_since is not None:
        since = p.api_down_since.astimezone().strftime("%a %H:%M:%S %Z")
        parts.append(f"API unavailable since {since}: not dialing, retrying")
    parts += [
        f"{p.in_progress} in progress",
        f"{p.connected} connected",
        f"{p.failed} failed",
    ]
    for reason in WaitReason:
        if p.waiting.get(reason):
            parts.append(f"{p.waiting[reason]} {reason.words}")
    parts.append(f"{p.requests_last_minute}/{p.rate_limit} req/min")
    if p.rate_limited:
        parts.append(f"{p.rate_limited} × 429")
    if p.next_due and any(p.waiting.values()) and not p.in_progress:
        parts.append(f"next due {p.next_due.astimezone().strftime('%a %H:%M %Z')}")
    if p.eta_seconds:
        parts.append(f"ETA {format_duration(p.eta_seconds)} (campaign time)")
    if p.stopping:
        parts.append("stopping: finishing calls in progress")
    return " · ".join(parts)


class ProgressDisplay:
    """Use as a context manager; pass `update` to the runner as `on_progress`."""

    def __init__(self, console: Console, *, plain_every: float = 5.0) -> None:
        self.console = console
        self.plain_every = plain_every
        self._last_plain = 0.0
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self.last: Snapshot | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.console.is_terminal:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[detail]}"),
                console=self.console,
                transient=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("calling", total=None, detail="starting")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            if self.last is not None:
                self.update(self.last)
            self._bar.__exit__(exc_type, exc, tb)

    def update(self, snapshot: Snapshot) -> None:
        self.last = snapshot
        if self._bar is not None and self._task is not None:
            self._bar.update(
                self._task,
                total=snapshot.total,
                completed=snapshot.done,
                detail=describe(snapshot),
            )
            return
        now = time.monotonic()
        if now - self._last_plain >= self.plain_every:
            self._last_plain = now
            self.console.print(f"{snapshot.done}/{snapshot.total} done · {describe(snapshot)}")
