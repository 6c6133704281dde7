"""The scan schedule: line-seconds open calls have likely wasted, from the ages calls end at."""

from __future__ import annotations

import pytest

from campaign.engine.scan_schedule import (
    FIRST_SCANS,
    Coverage,
    EndAges,
    OpenCall,
    ScanSchedule,
    expected_idle,
)


def _ages(connected: list[float], failed: list[float]) -> dict[str, EndAges]:
    ages = {"connected": EndAges((30.0,), until=1), "failed": EndAges((5.0,), until=1)}
    for age in connected:
        ages["connected"].observe(age)
    for age in failed:
        ages["failed"].observe(age)
    return ages


def test_the_prior_gives_way_to_observed_ages_and_old_ones_leave() -> None:
    ages = EndAges((100.0,), keep=3, until=3)
    assert ages.cdf(50) == 0.0
    ages.observe(10.0)
    # One early end does not yet say that no call ends sooner or later: the prior stays.
    assert ages.cdf(5) == 0.0 and ages.cdf(50) == pytest.approx(1 / 2)
    for age in (20.0, 30.0):
        ages.observe(age)
    assert ages.cdf(50) == 1.0 and ages.cdf(15) == pytest.approx(1 / 3)
    ages.observe(40.0)  # 10 leaves
    assert ages.cdf(15) == 0.0 and ages.observed == 3


@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        ([], 0.0),
        # Just dialed, and no call ends this early: nothing wasted.
        ([OpenCall(1.0, 0.0)], 0.0),
        # Past every age seen since the last look: surely ended, idle half the time since.
        ([OpenCall(100.0, 60.0)], 20.0),
        # Seen running at 6 s, 10 s now: failed calls end between 4 and 8 s (half of them
        # after 6), connected ones after 20 s: P(ended) = 0.5*0.5 / (0.5*0.5 + 0.5) = 1/3.
        ([OpenCall(10.0, 6.0)], (1 / 3) * 2.0),
    ],
)
def test_expected_idle(calls: list[OpenCall], expected: float) -> None:
    ages = _ages(connected=[20.0, 30.0], failed=[4.0, 8.0])
    assert expected_idle(calls, ages) == pytest.approx(expected)


def test_calls_the_webhooks_tell_count_only_up_to_the_delivery_lag() -> None:
    ages = _ages(connected=[20.0, 30.0], failed=[4.0, 8.0])
    late = [OpenCall(100.0, 60.0)]  # ended for sure, 40 s since last seen
    coverage = Coverage()
    coverage.observe_lag(3.0)
    for _ in range(10):
        coverage.record("connected", True)  # every connected call fired
        coverage.record("failed", False)  # never-connected ones never do
    idle = expected_idle(late, ages, coverage=coverage, webhooks_live=True)
    # Half of such calls were connected (told within 3 s), half not (20 s idle).
    assert idle == pytest.approx(0.5 * 3.0 + 0.5 * 20.0)
    assert expected_idle(late, ages, coverage=coverage, webhooks_live=False) == 20.0


def test_the_lag_kept_is_the_largest_recent_one_and_decays() -> None:
    coverage = Coverage()
    coverage.observe_lag(10.0)
    coverage.observe_lag(1.0)
    assert coverage.lag == pytest.approx(9.0)
    assert coverage.share("connected") == 0.0


def _learned() -> ScanSchedule:
    schedule = ScanSchedule()  # enough ends of each kind seen: the priors are gone
    for age in (4.0, 8.0) * 3:
        schedule.ended("failed", age)
    for age in (20.0, 30.0) * 3:
        schedule.ended("connected", age)
    return schedule


def test_scans_stay_within_their_allowance_per_dial_unless_a_call_is_surely_over() -> None:
    schedule = _learned()
    likely = [OpenCall(10.0, 6.0)] * 6  # ~0.67 line-s each: 4 in all
    assert schedule.worth_scanning(likely)
    for _ in range(FIRST_SCANS):
        schedule.scanned(webhooks_live=True)
    assert not schedule.worth_scanning(likely)  # allowance spent, no dial since
    for _ in range(3):
        schedule.dialed()
    assert schedule.worth_scanning(likely)  # 3 dials bought a scan back
    schedule.scanned(webhooks_live=True)
    surely_over = [OpenCall(100.0, 60.0)]  # 20 line-s: a lost delivery, surely
    assert schedule.worth_scanning(surely_over)


@pytest.mark.parametrize(
    ("calls", "worth"),
    [
        ([OpenCall(3.0, 0.0)] * 10, False),  # ten calls just dialed: none can have ended
        ([OpenCall(10.0, 6.0)], True),  # ~0.67 line-s likely wasted: the spare buys it
        # seen running half a second ago, and no call ended between 29 and 29.5 s
        ([OpenCall(29.5, 29.0)] * 10, False),
        ([OpenCall(31.0, 29.0)], True),  # every call ended by 30 s: surely over, 1 line-s
    ],
)
def test_without_webhooks_scans_wait_until_a_call_may_have_ended(
    calls: list[OpenCall], worth: bool
) -> None:
    assert _learned().worth_scanning(calls, webhooks_live=False) is worth


def test_in_the_tail_the_allowance_no_longer_holds_scans_back() -> None:
    schedule = _learned()
    for _ in range(FIRST_SCANS):
        schedule.scanned(webhooks_live=True)
    likely = [OpenCall(10.0, 6.0)] * 3  # ~2 line-s: under the price past the allowance
    assert not schedule.worth_scanning(likely)
    # No contact waits for a dial: these calls' ends are the campaign's end.
    assert schedule.worth_scanning(likely, tail=True)


def _all_fire() -> ScanSchedule:
    schedule = _learned()
    for _ in range(10):
        schedule.coverage.record("connected", True)
        schedule.coverage.record("failed", True)  # never-connected calls fire too
    schedule.coverage.observe_lag(3.0)
    return schedule


@pytest.mark.parametrize(
    ("calls", "tail", "worth"),
    [
        ([OpenCall(3.0, 0.0)] * 10, False, False),  # just dialed: none can have ended
        # Seen running at 7.5 s, 8.5 s now: a third of such calls ended (failed ones end
        # at 4 or 8 s), idle half a second: ~0.67 line-s for four, under the price where
        # only connected calls fire, enough where every call fires; ~0.33 for two waits
        # (the budget's spare kept for the moments more calls have likely ended).
        ([OpenCall(8.5, 7.5)] * 4, False, True),
        ([OpenCall(8.5, 7.5)] * 2, False, False),
        ([OpenCall(8.1, 7.9)], False, False),  # ~0.03 line-s: not yet
        ([OpenCall(8.1, 7.9)], True, True),  # the tail: the last end is the campaign's
    ],
)
def test_where_every_ended_call_fires_scans_come_as_soon_as_an_end_is_likely(
    calls: list[OpenCall], tail: bool, worth: bool
) -> None:
    schedule = _all_fire()
    assert schedule.all_fire(webhooks_live=True) and not schedule.all_fire(webhooks_live=False)
    assert schedule.worth_scanning(calls, tail=tail) is worth
    if worth and not tail:  # the same calls where only connected calls fire: not yet
        assert not _learned().worth_scanning(calls)
