"""Reads retry on the fake clock; a dial is sent exactly once; hooks see every attempt."""

from __future__ import annotations

import httpx
import pytest

from campaign.voicy import errors
from campaign.voicy._retry import MAX_RATE_LIMIT_WAIT

OK_CALL = httpx.Response(200, json={"call_id": "c-1", "call_status": "ongoing"})
DIAL = ("+15551234567", "+15559876543")


def _error(status: int, message: str = "nope", headers: dict[str, str] | None = None):
    return httpx.Response(status, json={"error": message}, headers=headers)


@pytest.mark.anyio
async def test_read_retries_server_errors_then_succeeds(scripted, client_for, fake_clock) -> None:
    start = fake_clock.time()
    api = scripted(_error(503), _error(500), httpx.ReadTimeout("slow"), OK_CALL)
    gated: list[str] = []

    async def before_request(endpoint: str) -> None:
        gated.append(endpoint)

    answers: list[tuple[str, int]] = []
    async with client_for(
        api,
        before_request=before_request,
        on_response=lambda endpoint, status, _rl: answers.append((endpoint, status)),
    ) as client:
        call = await client.get_call("c-1")
        assert client.requests_sent == 4
    assert call.call_status == "ongoing"
    assert gated == ["call-get"] * 4
    assert answers == [("call-get", 503), ("call-get", 500), ("call-get", 200)]
    # Exponential backoff with jitter: 0.5-1, 1-1.5, 2-2.5 s, all on the fake clock.
    gaps = [b - a for a, b in zip(api.times, api.times[1:], strict=False)]
    assert all(low <= gap <= low + 0.5 for low, gap in zip([0.5, 1.0, 2.0], gaps, strict=True))
    assert fake_clock.time() - start < 6


@pytest.mark.anyio
async def test_read_gives_up_after_read_retries(scripted, client_for) -> None:
    api = scripted(_error(502, "bad gateway"))
    async with client_for(api, read_retries=2) as client:
        with pytest.raises(errors.ServerError) as info:
            await client.list_agents()
    assert len(api.requests) == 3
    assert info.value.message == "bad gateway"


@pytest.mark.anyio
async def test_read_retries_zero_means_one_attempt(scripted, client_for) -> None:
    api = scripted(httpx.ConnectError("refused"))
    async with client_for(api, read_retries=0) as client:
        with pytest.raises(errors.ConnectError):
            await client.get_agent("a1")
    assert len(api.requests) == 1


@pytest.mark.anyio
async def test_read_429_waits_for_the_window_reset(scripted, client_for, fake_clock) -> None:
    reset = int(fake_clock.time()) + 37
    limited = _error(429, "Rate limit exceeded.", {"X-RateLimit-Reset": str(reset)})
    api = scripted(limited, OK_CALL)
    async with client_for(api) as client:
        await client.get_call("c-1")
        assert client.rate_limited_count == 1
        assert client.requests_sent == 2
    assert reset <= api.times[1] <= reset + 1


@pytest.mark.anyio
async def test_read_429_waits_retry_after_from_the_message(
    scripted, client_for, fake_clock
) -> None:
    limited = _error(429, "Rate limit exceeded. Please retry after 12 seconds.")
    api = scripted(limited, limited, OK_CALL)
    async with client_for(api) as client:
        await client.get_call("c-1")
        assert client.rate_limited_count == 2
    assert 12 <= api.times[1] - api.times[0] <= 13
    assert 12 <= api.times[2] - api.times[1] <= 13


@pytest.mark.anyio
async def test_read_429_wait_is_capped_against_clock_skew(scripted, client_for, fake_clock) -> None:
    far = int(fake_clock.time()) + 3600
    api = scripted(_error(429, "slow down", {"X-RateLimit-Reset": str(far)}), OK_CALL)
    async with client_for(api) as client:
        await client.get_call("c-1")
    assert api.times[1] - api.times[0] == pytest.approx(MAX_RATE_LIMIT_WAIT)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, errors.InvalidRequest),
        (401, errors.AuthError),
        (403, errors.AuthError),
        (404, errors.NotFound),
        (422, errors.Unprocessable),
        (418, errors.ClientError),
    ],
)
async def test_reads_do_not_retry_client_errors(scripted, client_for, status, expected) -> None:
    api = scripted(_error(status))
    async with client_for(api) as client:
        with pytest.raises(expected):
            await client.get_call("c-1")
    assert len(api.requests) == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    [
        _error(503),
        _error(502),
        _error(500),
        _error(429, "Rate limit exceeded. Please retry after 1 seconds."),
        _error(429, "Concurrent call limit reached"),
        httpx.ReadTimeout("read"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("dropped"),
    ],
    ids=["503", "502", "500", "429", "429-concurrency", "read-timeout", "connect", "dropped"],
)
async def test_dial_is_never_retried(scripted, client_for, fake_clock, failure) -> None:
    api = scripted(failure, httpx.Response(201, json={"call_id": "c-2"}))
    gated: list[str] = []

    async def before_request(endpoint: str) -> None:
        gated.append(endpoint)

    start = fake_clock.time()
    async with client_for(api, before_request=before_request) as client:
        with pytest.raises(errors.VoicyError):
            await client.dial(*DIAL)
        assert client.requests_sent == 1
    assert len(api.requests) == 1
    assert gated == ["call-dial"]
    assert fake_clock.time() == start


@pytest.mark.anyio
async def test_before_request_failure_sends_nothing(scripted, client_for) -> None:
    api = scripted(OK_CALL)

    async def refuse(endpoint: str) -> None:
        raise RuntimeError("budget closed")

    async with client_for(api, before_request=refuse) as client:
        with pytest.raises(RuntimeError):
            await client.get_call("c-1")
        assert client.requests_sent == 0
    assert api.requests == []


@pytest.mark.anyio
async def test_a_failing_on_response_does_not_lose_a_placed_call(scripted, client_for) -> None:
    api = scripted(httpx.Response(201, json={"call_id": "c-9", "call_status": "initiated"}))

    def broken(endpoint: str, status: int, rate_limit: object) -> None:
        raise RuntimeError("observer bug")

    async with client_for(api, on_response=broken) as client:
        result = await client.dial(*DIAL)
    assert result.call_id == "c-9"


@pytest.mark.anyio
async def test_each_endpoint_reports_its_name(scripted, client_for) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("call-dial"):
            return httpx.Response(201, json={"call_id": "c-1"})
        if path.endswith("call-list") or path.endswith("agent-list"):
            return httpx.Response(200, json={"calls": [], "agents": []})
        if "/agent-get/" in path:
            return httpx.Response(200, json={"agent_id": "a1"})
        return OK_CALL

    gated: list[str] = []
    answered: list[str] = []

    async def before_request(endpoint: str) -> None:
        gated.append(endpoint)

    async with client_for(scripted(answer)) as client:
        # The engine wires its budget in after building the client.
        client.before_request = before_request
        client.on_response = lambda endpoint, *_: answered.append(endpoint)
        await client.dial(*DIAL)
        await client.get_call("c-1")
        await client.list_calls()
        await client.get_agent("a1")
        await client.list_agents()
    names = ["call-dial", "call-get", "call-list", "agent-get", "agent-list"]
    assert gated == names
    assert answered == names
