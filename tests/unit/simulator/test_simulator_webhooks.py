"""The simulator's webhook sender on a fake clock: what it sends, when, and its faults."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from typing import Any

import httpx
import pytest

from campaign.clock import FakeClock
from campaign.simulator import PLANS, SimCall, World
from campaign.simulator.shapes import detail_json
from campaign.simulator.webhooks import FORGED_MARKER, WebhookFaults, WebhookSender
from campaign.voicy.webhooks import (
    SignatureInvalid,
    parse_call_ended,
    verify_signature,
)
from tests.unit.simulator.conftest import FROM

pytestmark = pytest.mark.anyio

SECRET = "whsec_sender_unit_3a8f1c2e"
URL = "http://receiver.test/webhooks/voicy"


class Receiver:
    """Records every post with the fake clock's time; answers 200 (or what it is told)."""

    def __init__(self, clock: FakeClock, status: int = 200) -> None:
        self.clock = clock
        self.status = status
        self.posts: list[tuple[float, httpx.Request]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.posts.append((self.clock.time(), request))
        return httpx.Response(self.status, json={"ok": True})

    @property
    def call_ids(self) -> list[str]:
        return [json.loads(r.content)["call"]["call_id"] for _, r in self.posts]


@pytest.fixture
def receiver(clock: FakeClock) -> Receiver:
    return Receiver(clock)


def sender_for(world: World, receiver: Receiver, **faults: Any) -> WebhookSender:
    return WebhookSender(
        world,
        URL,
        SECRET,
        faults=WebhookFaults(**faults),
        transport=httpx.MockTransport(receiver),
    )


def dial_many(world: World, count: int, start: int = 0) -> list[SimCall]:
    return [world.dial(FROM, f"+1202555{start + i:04d}") for i in range(count)]


async def run_until(sender: WebhookSender, clock: FakeClock, until: float, step: float = 0.5):
    sent = []
    while clock.time() < until:
        clock.advance(step)
        sent += await sender.send_due()
    return sent


async def test_a_connected_call_is_posted_once_processing_ends(
    world: World, clock: FakeClock, receiver: Receiver, place: Any
) -> None:
    world.script("+15550001111", ["user_hangup"])
    sender = sender_for(world, receiver, processing_seconds=(3.0, 3.0))
    call = place(world)
    clock.set(call.end + 2.9)
    assert await sender.send_due() == []
    clock.set(call.end + 3.0)
    [sent] = await sender.send_due()
    assert (sent.kind, sent.status_code) == ("genuine", 200)
    [(_, request)] = receiver.posts
    assert str(request.url) == URL
    assert request.headers["x-voicy-event"] == "call_ended"
    verify_signature(SECRET, request.content, request.headers["x-voicy-signature"])
    detail = parse_call_ended(request.content).detail
    agent = world.agent(call.agent_id)
    assert agent is not None
    expected = detail_json(call, agent, call.end + 3.0)
    assert detail.call_id == call.call_id and detail.call_status == "user_hangup"
    assert detail.summary == expected["summary"] and detail.summary
    assert detail.vars_extracted == expected["vars_extracted"]
    assert detail.cost == expected["call_cost"]["combined_cost"]
    assert len(detail.transcript) == len(expected["transcript"]) > 0
    assert json.loads(request.content)["call"]["agent"]["id"] == call.agent_id


async def test_scope_connected_skips_failed_calls_and_all_sends_them(
    make_world: Any, clock: FakeClock
) -> None:
    for scope, expected in (("connected", ["a"]), ("all", ["a", "b"])):
        world = make_world()
        receiver = Receiver(clock)
        sender = sender_for(world, receiver, scope=scope)
        world.script("+15550000001", ["agent_hangup"])
        world.script("+15550000002", ["busy"])
        calls = {"a": world.dial(FROM, "+15550000001"), "b": world.dial(FROM, "+15550000002")}
        await run_until(sender, clock, max(c.end for c in calls.values()) + 10)
        assert sorted(receiver.call_ids) == sorted(calls[k].call_id for k in expected)
        statuses = {json.loads(r.content)["call"]["call_status"] for _, r in receiver.posts}
        assert statuses == {"agent_hangup", "busy"} if scope == "all" else {"agent_hangup"}


async def test_lost_repeated_and_late_at_their_rates(make_world: Any, clock: FakeClock) -> None:
    world = make_world(plan=PLANS["unlimited"], outcome_weights={"user_hangup": 1.0})
    receiver = Receiver(clock)
    sender = sender_for(
        world, receiver, p_lost=0.15, p_repeated=0.10, p_late=0.05, late_seconds=(100, 100)
    )
    calls = dial_many(world, 1000)
    await run_until(sender, clock, max(c.end for c in calls) + 200, step=2.0)
    per_call = Counter(receiver.call_ids)
    lost = [c for c in calls if c.call_id not in per_call]
    assert {c.call_id for c in lost} == sender.lost_call_ids
    assert 0.12 < len(lost) / len(calls) < 0.18
    repeated = [cid for cid, n in per_call.items() if n == 2]
    assert 0.07 < len(repeated) / len(per_call) < 0.13
    assert max(per_call.values()) == 2
    late = [p for ps in sender.planned.values() for p in ps if p.late and p.kind == "genuine"]
    assert 0.03 < len(late) / len(per_call) < 0.07
    # A repeat carries the same bytes and signature as the first delivery.
    by_call: dict[str, list[httpx.Request]] = {}
    for _, request in receiver.posts:
        by_call.setdefault(json.loads(request.content)["call"]["call_id"], []).append(request)
    first, again = by_call[repeated[0]]
    assert first.content == again.content
    assert first.headers["x-voicy-signature"] == again.headers["x-voicy-signature"]
    assert sender.counts["genuine:200"] == len(per_call)
    assert sender.counts["lost"] == len(lost) and sender.counts["pending"] == 0


async def test_late_deliveries_wait(world: World, clock: FakeClock, receiver: Receiver) -> None:
    world.script("+15550001111", ["user_hangup"])
    sender = sender_for(
        world, receiver, p_late=1.0, late_seconds=(60, 60), processing_seconds=(1, 1)
    )
    call = world.dial(FROM, "+15550001111")
    clock.set(call.end + 60.5)
    assert await sender.send_due() == []
    clock.set(call.end + 61)
    assert [s.kind for s in await sender.send_due()] == ["genuine"]


async def test_reordering_tells_later_calls_first(make_world: Any, clock: FakeClock) -> None:
    orders = {}
    for reorder in (0.0, 60.0):
        world = make_world(plan=PLANS["unlimited"], outcome_weights={"user_hangup": 1.0})
        receiver = Receiver(clock)
        sender = sender_for(world, receiver, reorder_seconds=reorder, processing_seconds=(1, 1))
        calls = dial_many(world, 40)
        ends = {c.call_id: c.end for c in calls}
        await run_until(sender, clock, max(ends.values()) + 70, step=0.25)
        sequence = [ends[cid] for cid in receiver.call_ids]
        orders[reorder] = sum(1 for a, b in itertools.pairwise(sequence) if b < a)
        assert len(sequence) == 40
    assert orders[0.0] == 0
    assert orders[60.0] >= 5


async def test_forged_deliveries_fail_the_signature_check(
    make_world: Any, clock: FakeClock
) -> None:
    world = make_world(plan=PLANS["unlimited"], outcome_weights={"user_hangup": 1.0})
    receiver = Receiver(clock)
    sender = sender_for(world, receiver, p_forged=1.0)
    calls = dial_many(world, 20)
    await run_until(sender, clock, max(c.end for c in calls) + 10)
    kinds = Counter(s.kind for s in sender.sent)
    assert kinds["genuine"] == 20
    assert kinds["forged_signature"] > 0 and kinds["forged_content"] > 0
    assert kinds["forged_signature"] + kinds["forged_content"] == 20
    for _, request in receiver.posts:
        forged = FORGED_MARKER.encode() in request.content
        signature = request.headers["x-voicy-signature"]
        if forged:
            with pytest.raises(SignatureInvalid):
                verify_signature(SECRET, request.content, signature)
        else:
            verify_signature(SECRET, request.content, signature)
    # Each forged delivery comes before the genuine one of its call.
    first_kind = {}
    for sent in sender.sent:
        first_kind.setdefault(sent.call_id, sent.kind)
    assert all(kind.startswith("forged") for kind in first_kind.values())


async def test_same_seed_same_plan(make_world: Any, clock: FakeClock) -> None:
    plans = []
    for _ in range(2):
        world = make_world(seed=5, plan=PLANS["unlimited"])
        sender = sender_for(world, Receiver(clock), p_lost=0.3, p_repeated=0.3, reorder_seconds=9)
        calls = dial_many(world, 30)
        plans.append(
            [
                [(p.kind, round(p.due - c.start, 6)) for p in sender.planned.get(c.call_id, [])]
                for c in calls
            ]
        )
        sender.close()
        clock.advance(3600)
    assert plans[0] == plans[1]


async def test_a_receiver_that_is_down_loses_the_delivery(world: World, clock: FakeClock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    world.script("+15550001111", ["user_hangup"])
    sender = WebhookSender(world, URL, SECRET, transport=httpx.MockTransport(refuse))
    call = world.dial(FROM, "+15550001111")
    clock.set(call.end + 10)
    [sent] = await sender.send_due()
    assert sent.status_code is None and "ConnectError" in (sent.error or "")
    assert sender.counts["genuine:no-answer"] == 1
    clock.advance(100)
    assert await sender.send_due() == []  # not retried


def test_fault_specs() -> None:
    faults = WebhookFaults.from_spec("lost=0.15, repeated=0.1,scope=all,reorder=5")
    assert (faults.p_lost, faults.p_repeated, faults.scope, faults.reorder_seconds) == (
        0.15,
        0.10,
        "all",
        5.0,
    )
    assert WebhookFaults.from_spec(faults.describe()) == faults
    assert WebhookFaults.from_spec("") == WebhookFaults()
    prompt = WebhookFaults.from_spec("scope=all,processing=0.2-1")
    assert prompt.processing_seconds == (0.2, 1.0)
    assert WebhookFaults.from_spec(prompt.describe()) == prompt
    assert "processing" not in WebhookFaults().describe()
    assert WebhookFaults.from_spec("processing=2").processing_seconds == (2.0, 2.0)
    bad_specs = ("lost", "lost=x", "dropped=0.1", "lost=2", "scope=some", "reorder=-1")
    for bad in (*bad_specs, "processing=3-1", "processing=a-b"):
        with pytest.raises(ValueError):
            WebhookFaults.from_spec(bad)


def test_the_secret_is_not_in_the_repr(world: World) -> None:
    sender = WebhookSender(world, URL, SECRET)
    assert SECRET not in repr(sender)
