"""VoicyClient against the project's simulator, over real HTTP and in-process.

Every test runs twice: through uvicorn on a loopback port (real sockets, real connection
drops) and through the in-process transport. The world's ground truth (how many times each
number was really dialed) checks what the client's error placement claims.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from campaign.clock import FakeClock
from campaign.simulator import (
    DEFAULT_AGENT_ID,
    DEFAULT_FROM_NUMBERS,
    TEST_API_KEY,
    Faults,
    World,
    in_process_transport,
    running_server,
)
from campaign.voicy import errors
from campaign.voicy.client import VoicyClient
from tests.conftest import MakeWorld

SIM_BASE_URL = "http://voicy.sim/functions/v1"
FROM = DEFAULT_FROM_NUMBERS[0]
TO = "+15559876543"

Connect = Callable[..., VoicyClient]


@pytest.fixture(params=["http", "in_process"])
def connect(request: pytest.FixtureRequest) -> Iterator[Connect]:
    """`connect(world, **client_kw)`: a client for `world` over this test's transport."""
    servers = contextlib.ExitStack()

    def make(world: World, api_key: str = TEST_API_KEY, **kw: Any) -> VoicyClient:
        if request.param == "http":
            base_url = servers.enter_context(running_server(world))
            return VoicyClient(api_key, base_url, clock=world.clock, **kw)
        transport = in_process_transport(world)
        return VoicyClient(api_key, SIM_BASE_URL, transport=transport, clock=world.clock, **kw)

    with servers:
        yield make


@pytest.mark.anyio
async def test_dial_then_read_it_back(connect: Connect, make_world: MakeWorld) -> None:
    world = make_world(FakeClock())
    answered: list[tuple[str, int]] = []
    async with connect(world, on_response=lambda e, s, _rl: answered.append((e, s))) as client:
        dialed = await client.dial(FROM, TO, vars_provided={"customer_name": "Dana"})
        detail = await client.get_call(dialed.call_id)
        page = await client.list_calls(limit=10)
        agents = await client.list_agents()
        agent = await client.get_agent(DEFAULT_AGENT_ID)
        assert client.requests_sent == 5
        limit = client.last_rate_limit
    assert dialed.call_status == "initiated" and dialed.to_number == TO
    assert detail.call_id == dialed.call_id and detail.to_number == TO
    assert detail.vars_provided == {"customer_name": "Dana"}
    assert [c.call_id for c in page.calls] == [dialed.call_id]
    assert DEFAULT_AGENT_ID in [a.agent_id for a in agents]
    assert agent.agent_id == DEFAULT_AGENT_ID
    assert limit is not None and limit.limit == 60 and limit.remaining == 55
    assert [e for e, _ in answered] == [
        "call-dial",
        "call-get",
        "call-list",
        "agent-list",
        "agent-get",
    ]
    assert world.dial_counts[TO] == 1


@pytest.mark.anyio
async def test_wrong_key_is_auth_error_and_not_retried(
    connect: Connect, make_world: MakeWorld
) -> None:
    world = make_world(FakeClock())
    wrong_key = "voicy_sk_test_wrong_key_000000zzzz"
    async with connect(world, api_key=wrong_key) as client:
        with pytest.raises(errors.AuthError) as dial_info:
            await client.dial(FROM, TO)
        with pytest.raises(errors.AuthError):
            await client.list_agents()
        assert client.requests_sent == 2
    assert dial_info.value.status_code == 401
    assert dial_info.value.placement == "not_placed"
    assert wrong_key not in str(dial_info.value)
    assert world.dial_counts[TO] == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("from_number", "to_number", "agent", "expected", "status"),
    [
        (FROM, "5559876543", None, errors.InvalidRequest, 400),
        (FROM, TO, "00000000-0000-4000-8000-000000000000", errors.NotFound, 404),
        ("+15550000000", TO, None, errors.Unprocessable, 422),
    ],
    ids=["400-not-e164", "404-agent", "422-number-not-assigned"],
)
async def test_refused_dials_are_not_placed(
    connect: Connect,
    from_number: str,
    to_number: str,
    agent: str | None,
    expected: type[errors.APIStatusError],
    status: int,
    make_world: MakeWorld,
) -> None:
    world = make_world(FakeClock())
    async with connect(world) as client:
        with pytest.raises(expected) as info:
            await client.dial(from_number, to_number, override_agent_id=agent)
    assert info.value.status_code == status
    assert info.value.placement == "not_placed"
    assert info.value.message  # the simulator's human message came through
    assert sum(world.dial_counts.values()) == 0


@pytest.mark.anyio
async def test_unknown_call_and_agent_are_not_found(
    connect: Connect, make_world: MakeWorld
) -> None:
    world = make_world(FakeClock())
    async with connect(world) as client:
        with pytest.raises(errors.NotFound):
            await client.get_call("00000000-0000-4000-8000-000000000000")
        with pytest.raises(errors.NotFound):
            await client.get_agent("00000000-0000-4000-8000-000000000000")
        assert client.requests_sent == 2


@pytest.mark.anyio
async def test_rate_limit_refuses_a_dial_and_a_read_waits_for_the_reset(
    connect: Connect, make_world: MakeWorld
) -> None:
    world = make_world(FakeClock(), plan_changes={"requests_per_minute": 3})
    clock = world.clock
    assert isinstance(clock, FakeClock)
    async with connect(world) as client:
        for _ in range(3):
            await client.list_agents()
        with pytest.raises(errors.RateLimited) as info:
            await client.dial(FROM, TO)
        error = info.value
        assert type(error) is errors.RateLimited
        assert error.placement == "not_placed"
        assert error.retry_after is not None and error.retry_after >= 1
        assert error.reset_at is not None and error.reset_at > clock.time()
        # A read is retried after the window resets, on the fake clock.
        agents = await client.list_agents()
        assert agents
        assert clock.time() >= error.reset_at
        assert client.rate_limited_count == 2
        assert client.requests_sent == 6
    assert world.dial_counts[TO] == 0


@pytest.mark.anyio
async def test_concurrency_limit_is_its_own_error(connect: Connect, make_world: MakeWorld) -> None:
    world = make_world(FakeClock(), plan_changes={"concurrent_calls": 2})
    async with connect(world) as client:
        await client.dial(FROM, "+15559876501")
        await client.dial(FROM, "+15559876502")
        with pytest.raises(errors.ConcurrencyLimited) as info:
            await client.dial(FROM, "+15559876503")
    assert info.value.placement == "not_placed"
    assert info.value.status_code == 429
    assert world.dial_counts["+15559876503"] == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("faults", "expected", "really_placed"),
    [
        # A 503 refused before any effect: the client cannot know that, so "unknown".
        (Faults(p_5xx=1.0), errors.ServerError, 0),
        (Faults(p_ambiguous=1.0), errors.ServerError, 1),
        (Faults(p_drop=1.0), errors.ConnectionDropped, 1),
    ],
    ids=["503", "ambiguous-502", "drop"],
)
async def test_dial_faults_are_unknown_placement_and_never_retried(
    connect: Connect,
    faults: Faults,
    expected: type[errors.VoicyError],
    really_placed: int,
    make_world: MakeWorld,
) -> None:
    world = make_world(FakeClock(), faults=faults)
    async with connect(world) as client:
        with pytest.raises(expected) as info:
            await client.dial(FROM, TO)
        assert client.requests_sent == 1
        if not faults.p_5xx:  # (with p_5xx=1 every read fails too)
            # What reconciliation does with an unknown dial: look for it in call-list.
            found = [c async for c in client.iter_calls() if c.to_number == TO]
            assert len(found) == really_placed
    assert info.value.placement == "unknown"
    assert world.dial_counts[TO] == really_placed


@pytest.mark.anyio
async def test_reads_retry_through_5xx_then_give_up(
    connect: Connect, make_world: MakeWorld
) -> None:
    world = make_world(FakeClock(), faults=Faults(p_5xx=1.0))
    async with connect(world, read_retries=3) as client:
        with pytest.raises(errors.ServerError) as info:
            await client.list_agents()
        assert client.requests_sent == 4
    assert info.value.status_code == 503
    assert world.requests_by_endpoint["agent-list"] == 4


@pytest.mark.anyio
async def test_iter_calls_pages_through_every_call(connect: Connect, make_world: MakeWorld) -> None:
    world = make_world(FakeClock(), plan="unlimited")
    clock = world.clock
    assert isinstance(clock, FakeClock)
    async with connect(world) as client:
        placed = []
        for i in range(25):
            placed.append((await client.dial(FROM, f"+1555987{i:04d}")).call_id)
            clock.advance(1)
        sent_before = client.requests_sent
        newest_first = [c.call_id async for c in client.iter_calls(page_size=10)]
        pages = client.requests_sent - sent_before
        oldest_first = [
            c.call_id async for c in client.iter_calls(page_size=10, sort_order="ascending")
        ]
    assert newest_first == placed[::-1]
    assert oldest_first == placed
    assert pages == 3
