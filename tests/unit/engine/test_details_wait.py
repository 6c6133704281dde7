"""Details of connected calls while webhooks arrive (fake clock, no simulator): a call-get
waits for a delivery, a delivery drops it and tells the drain, and the run's last details
are fetched at once."""

from __future__ import annotations

from campaign.clock import FakeClock
from campaign.engine.details import DetailsFetcher
from campaign.engine.lines import Lines


class CountingAlarm:
    def __init__(self) -> None:
        self.rings = 0

    def ring(self) -> None:
        self.rings += 1


class Recorder:
    details_waiting = False


def _fetcher(wait: float) -> tuple[DetailsFetcher, FakeClock, CountingAlarm]:
    clock = FakeClock()
    lines = Lines(clock)
    freed = CountingAlarm()
    lines.freed = freed  # type: ignore[assignment]
    fetcher = DetailsFetcher(
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        Recorder(),  # type: ignore[arg-type]
        clock=clock,
        ending=None,  # type: ignore[arg-type]
        lines=lines,
    )
    fetcher.delivery_wait = lambda: wait
    return fetcher, clock, freed


def test_a_delivery_that_brings_the_last_details_tells_the_drain() -> None:
    fetcher, _, freed = _fetcher(wait=6.0)
    fetcher.queue(1, "call-1")
    fetcher.drop({2})  # another call's details: nothing left changed
    assert freed.rings == 0 and fetcher.pending
    fetcher.drop({1})
    assert freed.rings == 1 and not fetcher.pending


def test_hurry_makes_the_queued_details_due_now() -> None:
    fetcher, clock, _ = _fetcher(wait=6.0)
    fetcher.queue(1, "call-1")
    assert fetcher.next_at == clock.time() + 6.0  # waits for its delivery
    fetcher.hurry()
    assert fetcher.next_at == clock.time()
