"""Injectable clocks: every time-aware function takes one, so tests never really wait.

- `SystemClock`: wall time and real sleeps.
- `FakeClock`: time moves only when a test (or a sleeper) advances it; `sleep` advances
  the clock instantly, so async code under test runs at full speed with exact times.
- `CompressedClock`: the clock `--simulate` shares between the engine and the simulator.
  Virtual time runs `scale` times faster than real time, and a long sleep (waiting for a
  calling window or a redial) jumps ahead instead of waiting, so a demo spanning hours of
  virtual time ends in seconds. The simulator derives every call's state from the clock, so a
  jump is consistent for both sides.

All clocks return timezone-aware UTC datetimes; `time()` is unix seconds as a float.
"""

from __future__ import annotations

import time as _time
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import anyio


@runtime_checkable
class Clock(Protocol):
    def time(self) -> float:
        """Unix seconds (float)."""
        ...

    def now(self) -> datetime:
        """The current instant as an aware UTC datetime."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        ...


def to_datetime(unix_seconds: float) -> datetime:
    return datetime.fromtimestamp(unix_seconds, tz=UTC)


class SystemClock:
    def time(self) -> float:
        return _time.time()

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(0.0, seconds))

    async def sleep_until(self, unix_seconds: float) -> None:
        await self.sleep(unix_seconds - self.time())

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that only moves when told to (or when something sleeps on it)."""

    def __init__(self, start: datetime | float | None = None) -> None:
        if start is None:
            start = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
        if isinstance(start, datetime):
            if start.tzinfo is None:
                raise ValueError("FakeClock start must be timezone-aware")
            start = start.timestamp()
        self._now = float(start)

    def time(self) -> float:
        return self._now

    def now(self) -> datetime:
        return to_datetime(self._now)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self._now += seconds

    def set(self, when: datetime | float) -> None:
        self._now = when.timestamp() if isinstance(when, datetime) else float(when)

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._now += seconds
        # Yield so other tasks run, as a real sleep would let them.
        await anyio.sleep(0)

    async def sleep_until(self, unix_seconds: float) -> None:
        await self.sleep(unix_seconds - self.time())

    def __repr__(self) -> str:
        return f"FakeClock({self.now().isoformat()})"


class CompressedClock:
    """Virtual time running `scale` times faster than real time, with jumps over long waits.

    `start` fixes the virtual start instant (default: now). A sleep longer than
    `jump_over` virtual seconds jumps the clock ahead to `jump_over` before its end and then
    sleeps the rest at the compressed rate.
    """

    #: Granularity of a real wait, so a jump made by another task is noticed quickly.
    _SLICE = 0.02

    def __init__(
        self,
        scale: float = 30.0,
        *,
        start: datetime | float | None = None,
        jump_over: float | None = 120.0,
    ) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = float(scale)
        self.jump_over = jump_over
        if isinstance(start, datetime):
            start = start.timestamp()
        self._virtual_start = float(start) if start is not None else _time.time()
        self._real_start = _time.monotonic()
        self._offset = 0.0

    @classmethod
    def anchored(cls, scale: float, epoch: float) -> CompressedClock:
        """A compressed clock that any process given the same (scale, epoch) agrees with.

        Virtual time is `epoch + (wall time - epoch) * scale`; no jumps, since a jump in one
        process could not be seen by the other.
        """
        clock = cls(scale, start=epoch, jump_over=None)
        clock._real_start = _time.monotonic() - (_time.time() - epoch)
        return clock

    def spec(self) -> str:
        """The CAMPAIGN_CLOCK value that reproduces this clock in another process."""
        epoch = self._virtual_start
        return f"compressed:{self.scale:g}:{epoch:.6f}"

    def time(self) -> float:
        elapsed = (_time.monotonic() - self._real_start) * self.scale
        return self._virtual_start + elapsed + self._offset

    def now(self) -> datetime:
        return to_datetime(self.time())

    def jump(self, seconds: float) -> None:
        """Move virtual time ahead by `seconds` at once."""
        if seconds > 0:
            self._offset += seconds

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self.time() + max(0.0, seconds))

    async def sleep_until(self, unix_seconds: float) -> None:
        remaining = unix_seconds - self.time()
        if self.jump_over is not None and remaining > self.jump_over:
            self.jump(remaining - self.jump_over)
        while True:
            remaining = unix_seconds - self.time()
            if remaining <= 0:
                await anyio.sleep(0)
                return
            await anyio.sleep(min(self._SLICE, remaining / self.scale))

    def __repr__(self) -> str:
        return f"CompressedClock(scale={self.scale}, now={self.now().isoformat()})"


async def sleep_until(clock: Clock, unix_seconds: float) -> None:
    """Sleep on any clock until an absolute instant."""
    method = getattr(clock, "sleep_until", None)
    if method is not None:
        await method(unix_seconds)
    else:
        await clock.sleep(unix_seconds - clock.time())


def clock_from_env(default: Clock | None = None) -> Clock:
    """The clock named by CAMPAIGN_CLOCK (`compressed:SCALE:EPOCH`), for runs against a
    simulator started with `python -m campaign simulate --time-scale`; else `default`."""
    import os

    spec = os.environ.get("CAMPAIGN_CLOCK", "")
    if spec.startswith("compressed:"):
        _, scale, epoch = spec.split(":")
        return CompressedClock.anchored(float(scale), float(epoch))
    return default or SystemClock()
