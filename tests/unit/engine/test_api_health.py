"""The API health state machine: when dialing pauses, when an outage is declared, when
dialing goes on (fake clock, a scripted probe)."""

from __future__ import annotations

import anyio
import pytest

from campaign.clock import FakeClock
from campaign.engine.api_health import PROBE_FIRST, ApiHealth, ApiState
from campaign.voicy import errors as verr


class Probe:
    def __init__(self) -> None:
        self.fail = True
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.fail:
            raise verr.ServerError("503", endpoint="call-list", status_code=503)


def _health(unknown: list[int]) -> tuple[ApiHealth, Probe, list[tuple[str, str]]]:
    notes: list[tuple[str, str]] = []
    probe = Probe()
    health = ApiHealth(
        FakeClock(),
        probe=probe,
        unknown_dials=lambda: unknown[0],
        note=lambda k, m, d: notes.append((k, m)),
    )
    return health, probe, notes


def test_one_failure_pauses_dialing_until_anything_answers() -> None:
    health, _, notes = _health([1])
    health.failed(verr.ReadTimeout("timed out", endpoint="call-dial"))
    assert health.state is ApiState.SUSPECT and not health.dialing_allowed
    assert health.down_since is None  # not an outage yet: nothing shown
    health.answered(201)
    assert health.dialing_allowed and notes == []


@pytest.mark.parametrize(
    "exc",
    [
        verr.Unprocessable("bad number", endpoint="call-dial", status_code=422),
        verr.RateLimited("429", endpoint="call-dial", status_code=429),
    ],
)
def test_refusals_are_not_outages(exc: verr.VoicyError) -> None:
    health, _, _ = _health([0])
    health.failed(exc)
    assert health.dialing_allowed


def test_a_failed_probe_is_an_outage_and_its_unknown_dials_come_first() -> None:
    unknown = [2]
    health, probe, notes = _health(unknown)
    health.failed(verr.ConnectionDropped("dropped", endpoint="call-dial"))

    async def probe_once() -> None:
        with anyio.move_on_after(1):
            await health.loop()

    anyio.run(probe_once)
    assert probe.calls >= 1
    assert health.state is ApiState.DOWN and health.down_since is not None
    assert [k for k, _ in notes] == ["api_down"] and "unavailable since" in notes[0][1]
    health.answered(503)
    assert not health.dialing_allowed
    health.answered(200)  # back: the outage's unknown dials are reconciled first
    assert health.state is ApiState.RECONCILING and not health.dialing_allowed
    assert [k for k, _ in notes] == ["api_down", "api_back"]
    unknown[0] = 0
    assert health.dialing_allowed and health.since is None
    assert PROBE_FIRST > 0
