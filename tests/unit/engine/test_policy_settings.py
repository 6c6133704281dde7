"""Redial decisions (pure, table-driven) and the settings they come from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaign.engine.policy import MAX_NOT_PLACED, after_call, after_not_placed
from campaign.engine.settings import RunSettings, parse_retry_delays
from campaign.errors import InputError

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


DELAYS = {"busy": 600.0, "no_answer": 3600.0, "error": 300.0}


@pytest.mark.parametrize(
    ("category", "status", "placed", "final", "outcome", "redial_in"),
    [
        ("connected", "user_hangup", 1, True, "connected", None),
        ("connected", "inactivity", 3, True, "connected", None),
        ("failed", "busy", 1, False, None, 600.0),
        ("failed", "no_answer", 2, False, None, 3600.0),
        ("failed", "error", 2, False, None, 300.0),
        ("failed", "busy", 3, True, "failed", None),  # --max-attempts 3 reached
        ("failed", "canceled", 1, True, "failed", None),  # not a status worth redialing
        ("unknown", "weird", 1, True, "unknown", None),
    ],
)
def test_after_a_call(
    category: str,
    status: str,
    placed: int,
    final: bool,
    outcome: str | None,
    redial_in: float | None,
) -> None:
    settings = RunSettings(max_attempts=3, retry_delays=DELAYS)
    decision = after_call(category, status, placed, settings, NOW)  # type: ignore[arg-type]
    assert (decision.final, decision.outcome) == (final, outcome)
    due = None if redial_in is None else NOW + timedelta(seconds=redial_in)
    assert decision.next_attempt_at == due


@pytest.mark.parametrize(
    ("so_far", "retry_at", "final", "due_in"),
    [
        (1, None, False, 5.0),
        (2, None, False, 15.0),
        (4, None, False, 300.0),
        (7, None, False, 300.0),
        (MAX_NOT_PLACED, None, True, None),  # given up
        (1, 50.0, False, 50.0),  # the API's rate-limit reset comes later than the backoff
    ],
)
def test_after_a_dial_that_placed_nothing(
    so_far: int, retry_at: float | None, final: bool, due_in: float | None
) -> None:
    reset = None if retry_at is None else (NOW + timedelta(seconds=retry_at)).timestamp()
    decision = after_not_placed(so_far, NOW, reset)
    assert decision.final is final
    due = None if due_in is None else NOW + timedelta(seconds=due_in)
    assert decision.next_attempt_at == due


@pytest.mark.parametrize("status", ["user_hangup", "agent_hangup", "inactivity", "ended"])
def test_connected_calls_are_final(status: str) -> None:
    decision = after_call("connected", status, 1, RunSettings(), NOW)
    assert decision.final and decision.outcome == "connected"


def test_busy_is_redialed_after_its_delay_until_max_attempts() -> None:
    settings = RunSettings(retry_delays={"busy": 600.0, "no_answer": 3600.0, "error": 300.0})
    first = after_call("failed", "busy", 1, settings, NOW)
    assert not first.final and first.next_attempt_at == NOW + timedelta(minutes=10)
    last = after_call("failed", "busy", 3, settings, NOW)
    assert last.final and last.outcome == "failed" and "3 attempt" in (last.error or "")


def test_canceled_is_final_and_unknown_statuses_end_as_unknown() -> None:
    assert after_call("failed", "canceled", 1, RunSettings(), NOW).outcome == "failed"
    assert after_call("unknown", "weird", 1, RunSettings(), NOW).outcome == "unknown"


def test_not_placed_backs_off_then_gives_up() -> None:
    first = after_not_placed(1, NOW, None)
    second = after_not_placed(2, NOW, None)
    assert not first.final and first.next_attempt_at is not None
    assert second.next_attempt_at is not None and second.next_attempt_at > first.next_attempt_at
    assert after_not_placed(MAX_NOT_PLACED, NOW, None).final


def test_not_placed_waits_at_least_until_the_rate_limit_reset() -> None:
    reset = (NOW + timedelta(seconds=50)).timestamp()
    decision = after_not_placed(1, NOW, reset)
    assert decision.next_attempt_at == NOW + timedelta(seconds=50)


def test_retry_delay_specs() -> None:
    assert parse_retry_delays(["busy=2m"])["busy"] == 120.0
    everything = parse_retry_delays(["45s"])
    assert everything == {"busy": 45.0, "no_answer": 45.0, "error": 45.0}
    with pytest.raises(InputError, match="unknown status"):
        parse_retry_delays(["bussy=2m"])
    with pytest.raises(InputError, match="10m"):
        parse_retry_delays(["busy=soon"])


def test_settings_round_trip_and_overrides() -> None:
    settings = RunSettings(from_numbers=("+12125550100",), concurrency=4)
    again = RunSettings.from_json(settings.to_json() | {"unknown_future_key": 1})
    assert again == settings
    assert again.with_overrides(concurrency=None, rate=30).rate == 30
    with pytest.raises(InputError):
        RunSettings(concurrency=0)
