"""The one place a run decides it is over (pure decisions, table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaign.calls.due import Queue
from campaign.calls.vocab import CampaignState, StopReason
from campaign.clock import FakeClock
from campaign.engine.alarm import Alarm
from campaign.engine.ending import Ending
from campaign.engine.settings import RunSettings

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
DUE = NOW + timedelta(hours=1)


def ending(**settings: object) -> Ending:
    clock = FakeClock(NOW)
    return Ending(clock, RunSettings(**settings), Alarm(clock))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("until_idle", "queue", "busy", "elsewhere", "over", "reason"),
    [
        (False, Queue(False, None), 0, False, True, None),  # everyone final: done
        (False, Queue(True, DUE), 0, False, False, None),  # someone waits: wait for them
        (False, Queue(False, None), 2, False, False, None),  # calls still open
        (False, Queue(False, None), 0, True, False, None),  # a teammate's calls are open
        (True, Queue(True, DUE), 0, False, True, StopReason.IDLE),  # --until-idle
        (True, Queue(True, DUE), 1, False, False, None),  # idle only once no call is open
    ],
)
def test_when_the_dialing_is_over(
    until_idle: bool,
    queue: Queue,
    busy: int,
    elsewhere: bool,
    over: bool,
    reason: StopReason | None,
) -> None:
    end = ending(until_idle=until_idle)
    assert end.nothing_left(queue, busy, elsewhere) is over
    assert end.reason is reason


def test_the_first_stop_wins_but_a_fatal_one_replaces_a_polite_one() -> None:
    end = ending()
    end.stop(StopReason.PAUSED)
    end.stop(StopReason.INTERRUPTED)
    assert end.reason is StopReason.PAUSED
    end.stop(StopReason.FROM_NUMBERS_REFUSED, "not on the account")
    end.stop(StopReason.KEY_REFUSED)
    assert end.reason is StopReason.FROM_NUMBERS_REFUSED
    assert end.fatal == "every from-number was refused by the API (not on the account)"


def test_losing_the_lease_forgets_the_calls_once() -> None:
    end = ending()
    forgotten: list[str] = []
    end.when_lease_lost(lambda: forgotten.append("calls"))
    end.stop(StopReason.LEASE_LOST)
    end.stop(StopReason.LEASE_LOST)
    assert forgotten == ["calls"] and end.lease_lost


def test_stop_at_stops_and_bounds_every_wait() -> None:
    end = ending(stop_at="2026-03-02T15:30:00+00:00")
    stop_at = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    assert end.wake_by(stop_at.timestamp() + 600) == stop_at.timestamp()
    assert not end.past_stop_at(NOW)
    assert end.past_stop_at(stop_at) and end.reason is StopReason.STOP_AT


@pytest.mark.parametrize(
    ("stops", "remaining", "open_calls", "details", "others", "state", "reason", "says"),
    [
        ([], False, 0, False, 0, CampaignState.FINISHED, StopReason.COMPLETED, "finished"),
        ([StopReason.CANCELED], True, 0, False, 0, CampaignState.CANCELED,
         StopReason.CANCELED, "canceled"),
        # A cancel with calls still open: their outcomes first, the cancel on resume.
        ([StopReason.CANCELED], True, 2, False, 0, CampaignState.INTERRUPTED,
         StopReason.CANCELED, "resume"),
        ([StopReason.PAUSED], True, 0, False, 0, CampaignState.PAUSED,
         StopReason.PAUSED, "paused"),
        ([StopReason.INTERRUPTED], True, 0, False, 0, CampaignState.INTERRUPTED,
         StopReason.INTERRUPTED, "stopped"),
        ([StopReason.KEY_REFUSED], True, 0, False, 0, CampaignState.INTERRUPTED,
         StopReason.KEY_REFUSED, "refused the key"),
        ([], False, 0, True, 0, CampaignState.INTERRUPTED, StopReason.INTERRUPTED, "resume"),
        ([StopReason.PAUSED], True, 0, False, 2, None, None, "2 other runner(s)"),
    ],
)  # fmt: skip
def test_the_campaign_state_a_run_ends_with(
    stops: list[StopReason],
    remaining: bool,
    open_calls: int,
    details: bool,
    others: int,
    state: CampaignState | None,
    reason: StopReason | None,
    says: str,
) -> None:
    end = ending()
    for stop in stops:
        end.stop(stop)
    conclusion = end.conclude(
        "spring", remaining=remaining, open_calls=open_calls, details_left=details, others=others
    )
    if state is None:
        assert conclusion.end is None
    else:
        assert conclusion.end is not None
        assert (conclusion.end.state, conclusion.end.reason) == (state, reason)
    assert says in conclusion.message


def test_an_idle_run_says_when_the_next_contact_is_due() -> None:
    end = ending(until_idle=True)
    end.idle_until(DUE)
    conclusion = end.conclude("spring", remaining=True, open_calls=0, details_left=False, others=0)
    assert "the next is due 2026-03-02T16:00" in conclusion.message
    assert conclusion.end is not None and conclusion.end.reason is StopReason.IDLE


def test_the_drain_hurries_the_last_details_once_no_call_is_open() -> None:
    """With every call ended, the run waits on the details alone: `hurry` is told (a
    call-get now beats a delivery seconds later), never while a call is still open."""
    import anyio

    end = ending()
    state = {"busy": 1, "details": True, "hurried_while_busy": 0, "hurried": 0}

    def busy() -> int:
        return state["busy"]

    def hurry() -> None:
        state["hurried"] += 1
        if state["busy"]:
            state["hurried_while_busy"] += 1
        state["details"] = False  # fetched at once

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(end.drain, busy, lambda: state["details"], hurry)
            await anyio.sleep(0.01)
            assert state["hurried"] == 0  # a call is open: its end may still come first
            state["busy"] = 0
            end.wake.ring()

    anyio.run(main)
    assert state["hurried"] >= 1 and state["hurried_while_busy"] == 0
