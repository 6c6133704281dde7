"""The Voicy simulator over HTTP: uvicorn on a loopback port, and the in-process transport.

Every test runs on both, with plain httpx, and checks the answers against the world's
ground truth (calls really created, requests per window, peak concurrency).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from campaign.clock import FakeClock, SystemClock
from campaign.simulator import (
    DEFAULT_AGENT_ID,
    DEFAULT_FROM_NUMBERS,
    PAYMENT_AGENT_ID,
    TEST_API_KEY,
    Faults,
    World,
    in_process_transport,
    running_server,
)

SIM_BASE_URL = "http://voicy.sim/functions/v1"
FROM = DEFAULT_FROM_NUMBERS[0]
TO = "+15559876543"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")

Connect = Callable[..., httpx.AsyncClient]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["http", "in_process"])
def connect(request: pytest.FixtureRequest) -> Iterator[Connect]:
    """`connect(world, api_key=..., root=False)`: an httpx client for `world`."""
    servers = contextlib.ExitStack()

    def make(
        world: World, api_key: str | None = TEST_API_KEY, root: bool = False, **kw: Any
    ) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        if request.param == "http":
            base_url = servers.enter_context(running_server(world))
        else:
            base_url = SIM_BASE_URL
            kw["transport"] = in_process_transport(world)
        if root:  # the same endpoints without the /functions/v1 prefix
            base_url = base_url.removesuffix("/functions/v1")
        return httpx.AsyncClient(base_url=base_url, headers=headers, **kw)

    with servers:
        yield make


def dial_body(to: str = TO, **extra: Any) -> dict[str, Any]:
    return {"from_number": FROM, "to_number": to, **extra}


def error_of(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"}
    return str(body["error"])


# --- shapes ----------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("root", [False, True])
async def test_the_five_endpoints_answer_the_documented_shapes(
    connect: Connect, clock: FakeClock, root: bool
) -> None:
    world = World(clock=clock, call_seconds=(30, 30), ring_seconds=(5, 5))
    world.script(TO, ["user_hangup"])
    async with connect(world, root=root) as api:
        dialed = await api.post("/call-dial", json=dial_body(vars_provided={"first_name": "Ann"}))
        assert dialed.status_code == 201
        call_id = dialed.json()["call_id"]
        assert dialed.json() == {
            "call_id": call_id,
            "call_status": "initiated",
            "call_type": "phone_call",
            "agent_id": DEFAULT_AGENT_ID,
            "from_number": FROM,
            "to_number": TO,
            "direction": "outgoing",
        }
        clock.advance(2)
        ringing = (await api.get(f"/call-get/{call_id}")).json()
        assert ringing["call_status"] == "ringing" and ringing["duration_ms"] is None
        clock.advance(60)
        detail = (await api.get(f"/call-get/{call_id}")).json()
        assert detail["call_status"] == "user_hangup"
        assert detail["agent"] == {"name": "Appointment reminder", "version": 3}
        assert detail["start_timestamp"] == int((clock.time() - 62) * 1000)
        assert detail["duration_ms"] == 36_000
        assert detail["vars_provided"] == {"first_name": "Ann"}
        assert set(detail["vars_extracted"]) == {"confirmed", "opt_out", "callback_time"}
        assert {e["role"] for e in detail["transcript"]} >= {"agent", "caller"}
        assert all(set(e) >= {"role", "content", "timestamp_ms"} for e in detail["transcript"])
        assert detail["summary"] and detail["recording_url"].startswith("https://")
        assert set(detail["call_cost"]) == {"combined_cost", "currency"}
        assert "vars_collected" in detail and "detected_gender" in detail

        listed = await api.post("/call-list", json={})
        assert listed.status_code == 200
        assert listed.json()["total_count"] == 1
        (entry,) = listed.json()["calls"]
        assert entry["call_id"] == call_id and entry["call_status"] == "user_hangup"
        for omitted in (
            "transcript",
            "summary",
            "recording_url",
            "detected_gender",
            "vars_provided",
            "vars_extracted",
            "vars_collected",
        ):
            assert omitted not in entry

        agent = (await api.get(f"/agent-get/{DEFAULT_AGENT_ID}")).json()
        assert [v["name"] for v in agent["vars_provided"]] == [
            "first_name",
            "appointment_date",
            "clinic_name",
        ]
        assert [v["default_value"] for v in agent["vars_provided"]] == [None, "", "our clinic"]
        assert [(v["name"], v["type"]) for v in agent["vars_extracted"]] == [
            ("confirmed", "boolean"),
            ("opt_out", "boolean"),
            ("callback_time", "string"),
        ]
        agents = (await api.get("/agent-list")).json()["agents"]
        assert {a["name"] for a in agents} == {"Appointment reminder", "Payment follow-up"}


@pytest.mark.anyio
async def test_override_agent_and_hebrew_content_survive_the_wire(
    connect: Connect, clock: FakeClock
) -> None:
    world = World(clock=clock, outcome_weights={"agent_hangup": 1.0})
    async with connect(world) as api:
        dialed = await api.post(
            "/call-dial", json=dial_body("+972501234567", override_agent_id=PAYMENT_AGENT_ID)
        )
        assert dialed.json()["agent_id"] == PAYMENT_AGENT_ID
        clock.advance(3600)
        detail = (await api.get(f"/call-get/{dialed.json()['call_id']}")).json()
        assert detail["agent"]["name"] == "Payment follow-up"
        assert "שלום" in detail["transcript"][0]["content"]


# --- errors ------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("key", [None, "voicy_sk_live_wrong", ""])
async def test_a_missing_or_wrong_key_is_401(
    connect: Connect, clock: FakeClock, key: str | None
) -> None:
    world = World(clock=clock)
    async with connect(world, api_key=key) as api:
        for response in (await api.get("/agent-list"), await api.post("/call-dial", json={})):
            assert response.status_code == 401
            assert "API key" in error_of(response)
            assert all(h in response.headers for h in RATE_HEADERS)
    assert world.dial_counts.total() == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "content", "message"),
    [
        ("/call-dial", b"{not json", "Invalid JSON"),
        ("/call-dial", b'{"from_number": "+12125550100"}', "Missing required field: to_number"),
        ("/call-dial", b'{"from_number": "+12125550100", "to_number": "0612345678"}', "E.164"),
        ("/call-list", b'{"limit": 0}', "limit"),
        ("/call-list", b'{"limit": 1001}', "limit"),
        ("/call-list", b'{"sort_order": "sideways"}', "sort_order"),
    ],
)
async def test_bad_requests_are_400(
    connect: Connect, clock: FakeClock, path: str, content: bytes, message: str
) -> None:
    world = World(clock=clock)
    async with connect(world) as api:
        response = await api.post(
            path, content=content, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert message in error_of(response)
    assert world.dial_counts.total() == 0


@pytest.mark.anyio
async def test_unknown_ids_are_404_and_foreign_numbers_422(
    connect: Connect, clock: FakeClock
) -> None:
    world = World(clock=clock)
    async with connect(world) as api:
        assert (await api.get(f"/call-get/{UNKNOWN_ID}")).status_code == 404
        assert (await api.get(f"/agent-get/{UNKNOWN_ID}")).status_code == 404
        overridden = await api.post("/call-dial", json=dial_body(override_agent_id=UNKNOWN_ID))
        assert overridden.status_code == 404 and "Agent" in error_of(overridden)
        foreign = await api.post(
            "/call-dial", json={"from_number": "+15551234567", "to_number": TO}
        )
        assert foreign.status_code == 422 and "not assigned" in error_of(foreign)
        nowhere = await api.get("/call-hangup")
        assert nowhere.status_code == 404 and error_of(nowhere)
        assert all(h in nowhere.headers for h in RATE_HEADERS)
    assert world.dial_counts.total() == 0
    assert world.requests_by_endpoint["other"] == 1


# --- limits ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_61st_request_in_a_minute_is_429_until_the_window_resets(
    connect: Connect, clock: FakeClock
) -> None:
    clock.advance(15.5)  # mid-window: 44.5 s left
    world = World(clock=clock)
    reset = int(clock.time() - 15.5 + 60)
    async with connect(world) as api:
        for i in range(60):
            ok = await (api.get("/agent-list") if i % 2 else api.post("/call-list", json={}))
            assert ok.status_code == 200
            assert ok.headers["x-ratelimit-limit"] == "60"
            assert ok.headers["x-ratelimit-remaining"] == str(59 - i)
            assert ok.headers["x-ratelimit-reset"] == str(reset)
        refused = await api.post("/call-dial", json=dial_body())
        assert refused.status_code == 429
        assert error_of(refused) == "Rate limit exceeded. Please retry after 45 seconds."
        assert refused.headers["retry-after"] == "45"
        assert refused.headers["x-ratelimit-remaining"] == "0"
        clock.advance(44.5)
        again = await api.post("/call-dial", json=dial_body())
        assert again.status_code == 201
        assert again.headers["x-ratelimit-remaining"] == "59"
        assert again.headers["x-ratelimit-reset"] == str(reset + 60)
    assert world.dial_counts == Counter({TO: 1})
    assert world.served_429 == 1
    assert world.requests_per_window == {reset - 60: 61, reset: 1}


@pytest.mark.anyio
async def test_a_burst_of_100_requests_gets_exactly_60_through(
    connect: Connect, clock: FakeClock
) -> None:
    world = World(clock=clock)
    statuses: list[int] = []
    async with connect(world) as api:

        async def one() -> None:
            statuses.append((await api.get("/agent-list")).status_code)

        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(one)
    assert Counter(statuses) == Counter({200: 60, 429: 40})
    assert world.served_429 == 40
    assert world.max_requests_in_any_window == 100  # refused requests count too


@pytest.mark.anyio
async def test_a_burst_of_dials_never_exceeds_the_concurrent_call_cap(
    connect: Connect, clock: FakeClock
) -> None:
    world = World(clock=clock)
    answers: list[httpx.Response] = []
    async with connect(world) as api:

        async def one(i: int) -> None:
            answers.append(await api.post("/call-dial", json=dial_body(f"+1555000{i:04d}")))

        async with anyio.create_task_group() as tg:
            for i in range(30):
                tg.start_soon(one, i)
    assert Counter(a.status_code for a in answers) == Counter({201: 10, 429: 20})
    refused = [a for a in answers if a.status_code == 429]
    assert all(error_of(a).startswith("Concurrent call limit reached") for a in refused)
    assert world.dial_counts.total() == 10
    assert world.max_concurrent == 10
    assert world.served_concurrency_429 == 20 and world.served_429 == 0


# --- faults ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_5xx_fault_refuses_before_any_effect(connect: Connect, clock: FakeClock) -> None:
    world = World(clock=clock, faults=Faults(p_5xx=1.0))
    async with connect(world) as api:
        assert (await api.post("/call-dial", json=dial_body())).status_code == 503
        assert (await api.post("/call-list", json={})).status_code == 503
        assert (await api.get("/agent-list")).status_code == 503
    assert world.dial_counts.total() == 0
    assert world.faults_served["5xx"] == 3


@pytest.mark.anyio
async def test_ambiguous_fault_creates_the_call_then_answers_502(
    connect: Connect, clock: FakeClock
) -> None:
    world = World(clock=clock, faults=Faults(p_ambiguous=1.0))
    async with connect(world) as api:
        response = await api.post("/call-dial", json=dial_body())
        assert response.status_code == 502 and error_of(response)
        (listed,) = (await api.post("/call-list", json={})).json()["calls"]
    assert listed["to_number"] == TO
    assert world.dial_counts == Counter({TO: 1})
    assert world.calls[0].fault == "ambiguous"


@pytest.mark.anyio
async def test_drop_fault_creates_the_call_and_cuts_the_connection(
    connect: Connect, clock: FakeClock
) -> None:
    world = World(clock=clock, faults=Faults(p_drop=1.0))
    async with connect(world) as api:
        with pytest.raises(httpx.RemoteProtocolError):
            await api.post("/call-dial", json=dial_body())
        # The client recovers: the next request gets a fresh connection.
        assert (await api.get("/agent-list")).status_code == 200
    assert world.dial_counts == Counter({TO: 1})
    assert world.faults_served == Counter({"drop": 1})


@pytest.mark.anyio
async def test_slow_fault_answers_late_on_the_world_clock(
    connect: Connect, clock: FakeClock
) -> None:
    world = World(clock=clock, faults=Faults(p_slow=1.0, slow_seconds=30))
    before = clock.time()
    async with connect(world) as api:
        response = await api.post("/call-dial", json=dial_body())
    assert response.status_code == 201
    assert clock.time() - before >= 30
    assert world.calls[0].start == before  # created before the wait
    assert world.dial_counts == Counter({TO: 1})


@pytest.mark.anyio
async def test_slow_fault_over_a_socket_times_the_client_out_after_the_call_exists() -> None:
    world = World(clock=SystemClock(), faults=Faults(p_slow=1.0, slow_seconds=0.4))
    with running_server(world) as base_url:
        async with httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {TEST_API_KEY}"},
            timeout=httpx.Timeout(5.0, read=0.1),
        ) as api:
            with pytest.raises(httpx.ReadTimeout):
                await api.post("/call-dial", json=dial_body())
    assert world.dial_counts == Counter({TO: 1})


@pytest.mark.anyio
async def test_list_lag_hides_new_calls_from_call_list_only(
    connect: Connect, clock: FakeClock
) -> None:
    world = World(clock=clock, list_lag_seconds=10)
    async with connect(world) as api:
        call_id = (await api.post("/call-dial", json=dial_body())).json()["call_id"]
        early = (await api.post("/call-list", json={})).json()
        assert early == {"calls": [], "total_count": 0}
        assert (await api.get(f"/call-get/{call_id}")).status_code == 200
        clock.advance(10)
        late = (await api.post("/call-list", json={})).json()
        assert [c["call_id"] for c in late["calls"]] == [call_id]


@pytest.mark.anyio
async def test_polled_statuses_end_as_planned(connect: Connect, clock: FakeClock) -> None:
    world = World(clock=clock, seed=11)
    numbers = [f"+1555000{i:04d}" for i in range(8)]
    async with connect(world) as api:
        ids = [(await api.post("/call-dial", json=dial_body(n))).json()["call_id"] for n in numbers]
        clock.advance(600)
        body = {"filter_criteria": {"start_timestamp": {"lower_threshold": 0}}, "limit": 1000}
        listed = {
            c["call_id"]: c["call_status"]
            for c in (await api.post("/call-list", json=body)).json()["calls"]
        }
    assert [listed[i] for i in ids] == [world.planned_status(n, 0) for n in numbers]


# --- command line ------------------------------------------------------------------------


def test_simulate_command_serves_and_prints_how_to_use_it() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "campaign", "simulate", "--port", "0", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).resolve().parents[2],  # the repository root: `campaign` imports
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        base_url = re.search(r"listening on (http://127\.0\.0\.1:\d+/functions/v1)", first)
        assert base_url, first
        printed = "".join(process.stdout.readline() for _ in range(5))
        assert TEST_API_KEY in printed
        assert f"VOICY_BASE_URL={base_url[1]} VOICY_API_KEY={TEST_API_KEY}" in printed
        headers = {"Authorization": f"Bearer {TEST_API_KEY}"}
        answer = httpx.post(f"{base_url[1]}/call-dial", json=dial_body(), headers=headers)
        assert answer.status_code == 201
    finally:
        process.terminate()
        process.wait(timeout=10)
