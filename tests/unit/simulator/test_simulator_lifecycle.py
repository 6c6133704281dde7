"""Call timelines derived from the clock, deterministic outcomes, scripts and call content."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pytest

from campaign.clock import FakeClock
from campaign.simulator import DEFAULT_OUTCOME_WEIGHTS, PAYMENT_AGENT_ID, PLANS, Plan, World
from campaign.simulator.content import connected_content
from campaign.simulator.shapes import detail_json
from campaign.voicy.models import CallDetail, status_category

Place = Callable[..., object]
FIXED = {"ring_seconds": (5, 5), "call_seconds": (30, 30)}


def test_connected_call_walks_through_every_status(
    make_world: Callable[..., World], place: Callable, clock: FakeClock
) -> None:
    world = make_world(**FIXED)
    world.script("+15550001111", ["user_hangup"])
    call = place(world)
    t0 = clock.time()
    expected = [
        (0.0, "initiated"),
        (0.99, "initiated"),
        (1.0, "ringing"),
        (5.99, "ringing"),
        (6.0, "ongoing"),
        (35.99, "ongoing"),
        (36.0, "user_hangup"),
        (10_000, "user_hangup"),
    ]
    assert [(dt, call.status_at(t0 + dt)) for dt, _ in expected] == expected
    assert call.timeline == [
        ("initiated", t0),
        ("ringing", t0 + 1),
        ("ongoing", t0 + 6),
        ("user_hangup", t0 + 36),
    ]
    assert call.duration_ms == 36_000


@pytest.mark.parametrize(
    ("status", "ends_after", "steps"),
    [
        ("busy", 6.0, ["initiated", "ringing", "busy"]),
        ("no_answer", 6.0, ["initiated", "ringing", "no_answer"]),
        # As on the call-dial page: a technical failure follows `initiated` directly.
        ("error", 1.0, ["initiated", "error"]),
    ],
)
def test_failed_calls_end_without_talking(
    make_world: Callable[..., World],
    place: Callable,
    clock: FakeClock,
    status: str,
    ends_after: float,
    steps: list[str],
) -> None:
    world = make_world(**FIXED)
    world.script("+15550001111", [status])
    call = place(world)
    assert [s for s, _ in call.timeline] == steps
    assert call.end == pytest.approx(clock.time() + ends_after)
    assert not call.connected


def test_a_clock_jump_lands_on_the_final_status(
    world: World, place: Callable, clock: FakeClock
) -> None:
    calls = [place(world, f"+1555000{i:04d}") for i in range(8)]
    clock.advance(3 * 3600)
    for call in calls:
        assert world.status_of(call.call_id) == call.final_status
        assert status_category(call.final_status) in ("connected", "failed")
    assert world.active_calls() == 0


def test_talk_time_is_capped_by_the_plan(make_world: Callable[..., World], place: Callable) -> None:
    short = Plan("short", 60, 10, max_call_seconds=20)
    world = make_world(plan=short, call_seconds=(100, 200), ring_seconds=(2, 2))
    world.script("+15550001111", ["agent_hangup"])
    call = place(world)
    assert call.end - call.answer_at == pytest.approx(20)


def test_outcomes_are_fixed_by_seed_number_and_attempt(clock: FakeClock) -> None:
    numbers = [f"+1555010{i:04d}" for i in range(200)]

    def outcomes(seed: int) -> list[tuple[str, float]]:
        world = World(clock=FakeClock(clock.time()), seed=seed, plan=PLANS["unlimited"])
        return [
            (c.final_status, c.end - c.start)
            for c in (world.dial("+12125550100", n) for n in numbers)
        ]

    assert outcomes(7) == outcomes(7)
    assert outcomes(7) != outcomes(8)


def test_planned_status_predicts_every_dial_including_redials(
    make_world: Callable[..., World], place: Callable
) -> None:
    world = make_world(plan=PLANS["unlimited"])
    numbers = [f"+1555020{i:04d}" for i in range(50)]
    predicted = [[world.planned_status(n, k) for k in range(3)] for n in numbers]
    actual = [[place(world, n).final_status for _ in range(3)] for n in numbers]
    assert actual == predicted
    # Redials draw afresh: some number that failed first connects later.
    assert any(
        status_category(p[0]) == "failed" and status_category(p[1]) == "connected"
        for p in predicted
    )


def test_script_forces_the_first_dials_then_draws_resume(world: World, place: Callable) -> None:
    number = "+15550003333"
    world.script(number, ["busy", "no_answer", "weird_status"])
    unscripted_third = World(seed=world.seed).planned_status(number, 3)
    assert [place(world, number).final_status for _ in range(4)] == [
        "busy",
        "no_answer",
        "weird_status",
        unscripted_third,
    ]
    assert world.dial_counts[number] == 4


def test_script_refuses_in_progress_statuses(world: World) -> None:
    with pytest.raises(ValueError, match="not a final call status"):
        world.script("+15550003333", ["ongoing"])


def test_scripting_keeps_the_other_draws(make_world: Callable[..., World], place: Callable) -> None:
    plain, scripted = make_world(**{"ring_seconds": (1, 9)}), make_world(ring_seconds=(1, 9))
    scripted.script("+15550004444", ["busy"])
    a, b = place(plain, "+15550004444"), place(scripted, "+15550004444")
    assert b.final_status == "busy"
    assert a.outcome.ring_seconds == b.outcome.ring_seconds


def test_default_weights_give_the_documented_mix(world: World) -> None:
    n = 20_000
    counts = Counter(world.planned_status(f"+1555{i:07d}", 0) for i in range(n))
    for status, weight in DEFAULT_OUTCOME_WEIGHTS.items():
        assert counts[status] / n == pytest.approx(weight, abs=0.015), status
    connected = sum(c for s, c in counts.items() if status_category(s) == "connected")
    assert connected / n == pytest.approx(0.70, abs=0.015)


def test_custom_weights(make_world: Callable[..., World]) -> None:
    world = make_world(outcome_weights={"busy": 1.0})
    assert {world.planned_status(f"+1555000{i:04d}", 0) for i in range(100)} == {"busy"}
    with pytest.raises(ValueError):
        make_world(outcome_weights={"busy": 0.0})
    with pytest.raises(ValueError):
        make_world(outcome_weights={"ringing": 1.0})


def test_connected_call_content_fills_the_agent_contract(
    make_world: Callable[..., World], place: Callable, clock: FakeClock
) -> None:
    world = make_world(**FIXED)
    world.script("+15550005555", ["user_hangup"])
    call = place(world, "+15550005555", vars_provided={"first_name": "Dana"})
    agent = world.agents[call.agent_id]
    clock.advance(20)  # ongoing: the transcript has started, nothing is extracted yet
    midway = CallDetail.from_json(detail_json(call, agent, clock.time()))
    assert midway.call_status == "ongoing"
    assert midway.duration_ms is None and midway.summary is None and not midway.vars_extracted
    assert midway.transcript
    clock.advance(60)
    done = CallDetail.from_json(detail_json(call, agent, clock.time()))
    assert len(done.transcript) > len(midway.transcript)
    assert "Dana" in done.transcript[0].content
    assert done.vars_provided == {"first_name": "Dana"}
    assert set(done.vars_extracted) == {"confirmed", "opt_out", "callback_time"}
    assert isinstance(done.vars_extracted["confirmed"], bool)
    assert done.summary and done.recording_url and done.duration_ms == 36_000
    assert done.cost == pytest.approx(0.06) and done.currency == "USD"


def test_some_transcripts_carry_a_function_invocation(
    make_world: Callable[..., World], place: Callable
) -> None:
    world = make_world(outcome_weights={"agent_hangup": 1.0}, plan=PLANS["unlimited"])
    calls = [place(world, f"+1555030{i:04d}") for i in range(40)]
    tools = [
        any(
            "function_invocation" in e
            for e in connected_content(c, world.agents[c.agent_id]).transcript
        )
        for c in calls
    ]
    assert 0 < sum(tools) < len(tools)
    system = next(
        e
        for c in calls
        for e in connected_content(c, world.agents[c.agent_id]).transcript
        if e["role"] == "system"
    )
    assert system["function_invocation"]["name"] == "check_calendar"


def test_israeli_numbers_talk_hebrew_and_inactivity_extracts_nothing(
    make_world: Callable[..., World], place: Callable
) -> None:
    world = make_world(outcome_weights={"inactivity": 1.0})
    call = place(world, "+972501234567", vars_provided={"first_name": "נועה"})
    content = connected_content(call, world.agents[call.agent_id])
    assert "שלום" in content.transcript[0]["content"]
    assert content.vars_extracted == {"confirmed": False, "opt_out": False, "callback_time": ""}


@pytest.mark.parametrize(
    ("number", "provided"),
    [
        ("+972501234567", {"שם פרטי": "נועה", "מרפאה": "מרפאת הדר"}),  # the list's own headers
        ("+12125550143", {"first_name": "נועה"}),  # Hebrew in the vars, a foreign number
    ],
)
@pytest.mark.parametrize("agent_id", [None, PAYMENT_AGENT_ID])
def test_a_hebrew_call_is_hebrew_throughout(
    make_world: Callable[..., World],
    place: Callable,
    number: str,
    provided: dict[str, str],
    agent_id: str | None,
) -> None:
    world = make_world(outcome_weights={"agent_hangup": 1.0}, plan=PLANS["unlimited"])
    for _ in range(6):  # every branch of the conversation, drawn from each call's seed
        call = place(world, number, vars_provided=provided, override_agent_id=agent_id)
        content = connected_content(call, world.agents[call.agent_id])
        said = [e["content"] for e in content.transcript if e["role"] != "system"]
        assert said[0].startswith("שלום נועה,")
        for text in [*said, content.summary or ""]:
            assert re.search("[\u0590-\u05ff]", text) and not re.search("[A-Za-z]{3}", text), text
        for value in content.vars_extracted.values():
            # An ISO 8601 callback time (2026-03-03T17:00:00+02:00) is in no language.
            iso = isinstance(value, str) and re.fullmatch(
                r"[\d-]{10}T[\d:]{8}(Z|[+-][\d:]+)?", value
            )
            assert not isinstance(value, str) or iso or not re.search("[A-Za-z]", value), value


def test_the_payment_agent_extracts_its_own_vars(
    make_world: Callable[..., World], place: Callable
) -> None:
    world = make_world(outcome_weights={"user_hangup": 1.0})
    call = place(world, override_agent_id=PAYMENT_AGENT_ID)
    content = connected_content(call, world.agents[PAYMENT_AGENT_ID])
    assert set(content.vars_extracted) == {"promised_to_pay", "promise_date", "dispute"}


def test_failed_calls_have_no_transcript_and_cost_nothing(
    make_world: Callable[..., World], place: Callable, clock: FakeClock
) -> None:
    world = make_world(outcome_weights={"busy": 1.0})
    call = place(world)
    clock.advance(60)
    body = detail_json(call, world.agents[call.agent_id], clock.time())
    assert body["call_status"] == "busy"
    assert body["transcript"] == [] and body["summary"] is None
    assert body["call_cost"] == {"combined_cost": 0.0, "currency": "USD"}
