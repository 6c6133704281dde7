"""What a connected call's details decide (`policy.after_details`, `DetailsJudge`): the goal
ends it for good, a callback or a no-goal redial queues it again within --max-attempts, and
a time that falls outside the calling calendar moves to its next opening."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from campaign.calls.details import ConnectedCall
from campaign.calls.vocab import Outcome, WaitReason
from campaign.engine.judge import DetailsJudge
from campaign.engine.policy import after_details
from campaign.engine.settings import RunSettings, parse_retry_delays
from campaign.voicy.models import CallDetail

ENDED = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # Wednesday 14:00 in Jerusalem
LATER = ENDED + timedelta(hours=5)
NO_GOAL_1H = RunSettings(retry_delays=parse_retry_delays(["no_goal=1h"]))


@pytest.mark.parametrize(
    ("reached", "callback", "placed", "settings", "outcome", "again_at", "reason"),
    [
        # The goal wins over a callback and a no-goal redial: never called again.
        (True, LATER, 1, NO_GOAL_1H, Outcome.GOAL_REACHED, None, None),
        # Missed the goal, no redial asked: final no_goal.
        (False, None, 1, RunSettings(), Outcome.NO_GOAL, None, None),
        # Missed the goal with --retry-delay no_goal=1h: again an hour after the end.
        (False, None, 1, NO_GOAL_1H, None, ENDED + timedelta(hours=1), WaitReason.NO_GOAL),
        # ... but not past --max-attempts (3).
        (False, None, 3, NO_GOAL_1H, Outcome.NO_GOAL, None, None),
        # A callback asked: at that time, goal or no goal configured.
        (False, LATER, 1, RunSettings(), None, LATER, WaitReason.CALLBACK),
        (None, LATER, 2, RunSettings(), None, LATER, WaitReason.CALLBACK),
        # A callback at the last attempt: no more calls.
        (False, LATER, 3, RunSettings(), Outcome.NO_GOAL, None, None),
        (None, LATER, 3, RunSettings(), None, None, None),
        # No goal, no callback: stays plain connected.
        (None, None, 1, NO_GOAL_1H, None, None, None),
    ],
)
def test_after_details(
    reached: bool | None,
    callback: datetime | None,
    placed: int,
    settings: RunSettings,
    outcome: Outcome | None,
    again_at: datetime | None,
    reason: WaitReason | None,
) -> None:
    decision = after_details(
        goal_reached=reached,
        callback_at=callback,
        placed_attempts=placed,
        settings=settings,
        ended_at=ENDED,
    )
    if outcome is None and again_at is None:
        assert decision is None
        return
    assert decision is not None
    assert decision.final is (outcome is not None)
    assert decision.outcome == outcome
    assert decision.next_attempt_at == again_at
    if reason is not None:
        assert decision.reason is reason


class Openings:
    """A calendar open from 09:00 to 20:00 UTC, every day."""

    def zone_of(self, e164: str, timezone: str | None) -> str | None:
        return "Asia/Jerusalem"

    def opening(self, e164: str, timezone: str | None, at: datetime) -> datetime:
        if 9 <= at.hour < 20:
            return at
        day = at if at.hour < 9 else at + timedelta(days=1)
        return day.replace(hour=9, minute=0, second=0, microsecond=0)


def call(extracted: dict[str, Any], placed: int = 1) -> ConnectedCall:
    detail = CallDetail.from_json({"call_id": "c1", "call_status": "user_hangup"})
    detail = dataclasses.replace(detail, vars_extracted=extracted)
    return ConnectedCall(1, 1, placed, "+972521234567", None, ENDED, detail)


def test_judge_reads_the_callback_in_the_recipients_zone_and_keeps_the_window() -> None:
    judge = DetailsJudge(RunSettings(goal="confirmed", callback_var="cb"), Openings())
    decision = judge(call({"confirmed": False, "cb": "מחר בחמש"}))  # tomorrow at five
    assert decision is not None and decision.reason is WaitReason.CALLBACK
    assert decision.next_attempt_at == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 17:00 IST
    assert decision.detail is not None and "מחר בחמש" in decision.detail
    # 23:00 in Jerusalem is 21:00 UTC: closed; the next opening is 09:00 UTC.
    late = judge(call({"confirmed": False, "cb": "2026-12-02T23:00"}))
    assert late is not None
    assert late.next_attempt_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert late.detail is not None and "next calling opening" in late.detail


def test_judge_goal_and_garbage_callbacks() -> None:
    judge = DetailsJudge(RunSettings(goal="confirmed", callback_var="cb"), Openings())
    reached = judge(call({"confirmed": "כן", "cb": "tomorrow at 5pm"}))
    assert reached is not None and reached.outcome is Outcome.GOAL_REACHED
    # An unparseable callback: the normal schedule (here final no_goal).
    garbage = judge(call({"confirmed": False, "cb": "when I'm less busy"}))
    assert garbage is not None and garbage.outcome is Outcome.NO_GOAL


def test_no_judge_without_goal_or_callback() -> None:
    assert DetailsJudge.for_settings(RunSettings()) is None
    assert DetailsJudge.for_settings(RunSettings(callback_var="cb")) is not None
