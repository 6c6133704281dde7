"""What the client sends and how it reads answers: bodies, headers, shapes, pagination."""

from __future__ import annotations

import json

import httpx
import pytest

from campaign import __version__
from campaign.errors import InputError
from campaign.voicy import errors
from campaign.voicy.client import DEFAULT_BASE_URL, VoicyClient
from campaign.voicy.models import RateLimit

DIAL_ANSWER = {
    "call_id": "550e8400-e29b-41d4-a716-446655440000",
    "call_status": "initiated",
    "call_type": "phone_call",
    "agent_id": "550e8400-e29b-41d4-a716-446655440001",
    "from_number": "+15551234567",
    "to_number": "+15559876543",
    "direction": "outgoing",
    "a_field_from_the_future": {"x": 1},
}


def _body(request: httpx.Request) -> dict:
    return json.loads(request.content)


@pytest.mark.anyio
async def test_dial_sends_the_documented_request(scripted, client_for, api_key) -> None:
    api = scripted(httpx.Response(201, json=DIAL_ANSWER))
    async with client_for(api) as client:
        result = await client.dial(
            "+15551234567",
            "+15559876543",
            vars_provided={"customer_name": "John", "items": ["a", "b"]},
            override_agent_id="agent-2",
        )
    request = api.requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"{DEFAULT_BASE_URL}/call-dial"
    assert request.headers["Authorization"] == f"Bearer {api_key}"
    assert request.headers["User-Agent"] == f"campaign/{__version__}"
    assert request.headers["Content-Type"] == "application/json"
    assert _body(request) == {
        "from_number": "+15551234567",
        "to_number": "+15559876543",
        "vars_provided": {"customer_name": "John", "items": ["a", "b"]},
        "override_agent_id": "agent-2",
    }
    assert result.call_id == DIAL_ANSWER["call_id"]
    assert result.call_status == "initiated"
    assert result.direction == "outgoing"


@pytest.mark.anyio
async def test_dial_omits_optional_fields(scripted, client_for) -> None:
    api = scripted(httpx.Response(201, json=DIAL_ANSWER))
    async with client_for(api) as client:
        await client.dial("+15551234567", "+15559876543")
    assert _body(api.requests[0]) == {"from_number": "+15551234567", "to_number": "+15559876543"}


@pytest.mark.anyio
async def test_list_calls_body_maps_every_filter(scripted, client_for) -> None:
    api = scripted(httpx.Response(200, json={"calls": [], "total_count": 0}))
    async with client_for(api) as client:
        page = await client.list_calls(
            agent_ids=["a1", "a2"],
            statuses="ongoing",
            direction="outgoing",
            start_after_ms=1_000,
            start_before_ms=2_000,
            include_test_calls=False,
            sort_order="ascending",
            limit=1000,
            pagination_key="call-9",
        )
    assert str(api.requests[0].url) == f"{DEFAULT_BASE_URL}/call-list"
    assert _body(api.requests[0]) == {
        "filter_criteria": {
            "agent_id": ["a1", "a2"],
            "call_status": ["ongoing"],
            "direction": ["outgoing"],
            "start_timestamp": {"lower_threshold": 1_000, "upper_threshold": 2_000},
            "include_test_calls": False,
        },
        "sort_order": "ascending",
        "limit": 1000,
        "pagination_key": "call-9",
    }
    assert page.calls == [] and page.total_count == 0 and page.next_pagination_key is None


@pytest.mark.anyio
async def test_list_calls_defaults_and_limits(scripted, client_for) -> None:
    api = scripted(httpx.Response(200, json={"calls": []}))
    async with client_for(api) as client:
        await client.list_calls()
        assert _body(api.requests[0]) == {"sort_order": "descending", "limit": 50}
        for bad in ({"limit": 0}, {"limit": 1001}, {"sort_order": "newest"}):
            with pytest.raises(ValueError):
                await client.list_calls(**bad)
    assert len(api.requests) == 1


def _page_server(calls: list[dict], *, honour_key: bool = True):
    """A call-list that pages by `pagination_key` (the last call_id of the previous page)."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = _body(request)
        start = 0
        if honour_key and body.get("pagination_key"):
            ids = [c["call_id"] for c in calls]
            start = ids.index(body["pagination_key"]) + 1
        chunk = calls[start : start + body["limit"]]
        return httpx.Response(200, json={"calls": chunk, "total_count": len(calls)})

    return answer


def _calls(n: int) -> list[dict]:
    return [
        {"call_id": f"call-{i:05d}", "call_status": "ended", "to_number": f"+1555{i:07d}"}
        for i in range(n)
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(("count", "requests"), [(0, 1), (999, 1), (1000, 2), (2500, 3)])
async def test_iter_calls_follows_pagination(scripted, client_for, count, requests) -> None:
    calls = _calls(count)
    api = scripted(_page_server(calls))
    async with client_for(api) as client:
        seen = [c.call_id async for c in client.iter_calls(statuses=["ended"])]
    assert seen == [c["call_id"] for c in calls]
    assert len(api.requests) == requests
    assert [_body(r).get("pagination_key") for r in api.requests][:2] == (
        [None, "call-00999"][:requests]
    )
    assert all(_body(r)["filter_criteria"] == {"call_status": ["ended"]} for r in api.requests)


@pytest.mark.anyio
async def test_iter_calls_stops_when_the_server_ignores_the_key(scripted, client_for) -> None:
    api = scripted(_page_server(_calls(30), honour_key=False))
    async with client_for(api) as client:
        seen = [c async for c in client.iter_calls(page_size=10)]
    assert len(api.requests) == 2
    assert len(seen) == 20


@pytest.mark.anyio
async def test_get_call_reads_the_old_get_call_shape(scripted, client_for) -> None:
    old = {
        "call_id": "c-1",
        "call_status": "ended",
        "direction": "outbound",
        "start_timestamp": 1_700_000_000_000,
        "end_timestamp": 1_700_000_065_000,
        "transcript": "Agent: Shalom\nUser: שלום",
        "transcript_object": [
            {"role": "agent", "content": "Shalom", "timestamp_ms": 0},
            {"role": "user", "content": "שלום", "words": []},
        ],
        "disconnection_reason": "user_hangup",
        "call_analysis": {"call_summary": "Greeted."},
    }
    api = scripted(httpx.Response(200, json=old))
    async with client_for(api) as client:
        call = await client.get_call("c-1")
    assert str(api.requests[0].url) == f"{DEFAULT_BASE_URL}/call-get/c-1"
    assert api.requests[0].method == "GET"
    assert call.direction == "outgoing"
    assert call.category == "connected"
    assert call.duration_ms == 65_000
    assert [(t.role, t.content) for t in call.transcript] == [
        ("agent", "Shalom"),
        ("user", "שלום"),
    ]
    assert call.disconnection_reason == "user_hangup"
    assert call.summary == "Greeted."


@pytest.mark.anyio
async def test_get_call_reads_the_current_shape_and_unknown_status(scripted, client_for) -> None:
    current = {
        "call_id": "c/2",
        "call_status": "transferred_somewhere",
        "agent": {"name": "Sales", "version": 3},
        "transcript": [
            {"role": "system", "content": "", "function_invocation": {"name": "order"}},
        ],
        "vars_collected": {"products": [{"sku": 1}, {"sku": 2}]},
        "call_cost": {"combined_cost": 0.42, "currency": "USD"},
        "brand_new_field": True,
    }
    api = scripted(httpx.Response(200, json={"call": current}))
    async with client_for(api) as client:
        call = await client.get_call("c/2")
    assert api.requests[0].url.raw_path == b"/functions/v1/call-get/c%2F2"
    assert call.call_id == "c/2"
    assert call.category == "unknown"
    assert call.agent_name == "Sales" and call.agent_version == "3"
    assert call.transcript[0].raw["function_invocation"] == {"name": "order"}
    assert call.vars_collected["products"] == [{"sku": 1}, {"sku": 2}]
    assert call.cost == 0.42 and call.currency == "USD"


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [
        [{"agent_id": "a1", "name": "One"}, {"agent_id": "a2"}, "junk"],
        {"agents": [{"agent_id": "a1", "name": "One"}, {"agent_id": "a2"}]},
        {"data": [{"id": "a1", "name": "One"}, {"id": "a2"}]},
    ],
    ids=["list", "agents", "data"],
)
async def test_list_agents_accepts_each_shape(scripted, client_for, body) -> None:
    api = scripted(httpx.Response(200, json=body))
    async with client_for(api) as client:
        agents = await client.list_agents()
    assert str(api.requests[0].url) == f"{DEFAULT_BASE_URL}/agent-list"
    assert [(a.agent_id, a.name) for a in agents] == [("a1", "One"), ("a2", None)]


@pytest.mark.anyio
async def test_get_agent_reads_the_variable_contract(scripted, client_for) -> None:
    agent = {
        "agent_id": "a1",
        "name": "Reminder",
        "vars_provided": [
            {"name": "customer_name", "type": "string", "default_value": "", "description": "x"}
        ],
        "vars_extracted": [{"name": "confirmed", "type": "boolean", "required": True}],
    }
    api = scripted(httpx.Response(200, json=agent))
    async with client_for(api) as client:
        result = await client.get_agent("a1")
    assert str(api.requests[0].url) == f"{DEFAULT_BASE_URL}/agent-get/a1"
    assert [v.name for v in result.vars_provided] == ["customer_name"]
    assert result.vars_extracted[0].required is True


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (200, httpx.Response(200, text="<html>login page</html>")),
        (201, httpx.Response(201, json={"call_status": "initiated"})),
        (201, httpx.Response(201, json=["not", "an", "object"])),
    ],
    ids=["html", "no-call-id", "list"],
)
async def test_unreadable_success_is_unexpected_response(
    scripted, client_for, status, answer
) -> None:
    api = scripted(answer)
    async with client_for(api) as client:
        with pytest.raises(errors.UnexpectedResponse) as info:
            await client.dial("+15551234567", "+15559876543")
    assert info.value.placement == "unknown"
    assert info.value.status_code == status
    assert info.value.message.startswith("call-dial: HTTP")
    assert len(api.requests) == 1


@pytest.mark.anyio
async def test_unreadable_read_is_not_retried(scripted, client_for) -> None:
    api = scripted(httpx.Response(200, text="not json"))
    async with client_for(api) as client:
        with pytest.raises(errors.UnexpectedResponse):
            await client.get_call("c-1")
    assert len(api.requests) == 1


@pytest.mark.anyio
async def test_rate_limit_headers_are_tracked(scripted, client_for) -> None:
    seen: list[tuple[str, int, RateLimit | None]] = []
    api = scripted(
        httpx.Response(
            200,
            json={"calls": []},
            headers={
                "X-RateLimit-Limit": "60",
                "X-RateLimit-Remaining": "17",
                "X-RateLimit-Reset": "1767625260",
            },
        ),
        httpx.Response(200, json={"calls": []}),
        httpx.Response(200, json={"calls": []}, headers={"X-RateLimit-Remaining": "3"}),
    )
    async with client_for(api, on_response=lambda *a: seen.append(a)) as client:
        assert client.last_rate_limit is None
        await client.list_calls()
        full = RateLimit(limit=60, remaining=17, reset=1767625260.0)
        assert client.last_rate_limit == full
        await client.list_calls()  # no headers: the last known stays
        assert client.last_rate_limit == full
        await client.list_calls()
        assert client.last_rate_limit == RateLimit(limit=None, remaining=3, reset=None)
    assert seen == [
        ("call-list", 200, full),
        ("call-list", 200, None),
        ("call-list", 200, RateLimit(limit=None, remaining=3, reset=None)),
    ]


def test_rate_limit_headers_parse_defensively() -> None:
    assert RateLimit.from_headers({}) is None
    assert RateLimit.from_headers({"x-ratelimit-limit": "abc"}) is None
    parsed = RateLimit.from_headers({"X-RATELIMIT-RESET": "30", "X-RateLimit-Limit": "600"})
    assert parsed == RateLimit(limit=600, remaining=None, reset=30.0)
    assert parsed.reset_at(now=1_767_625_200.0) == 1_767_625_230.0  # relative form


def test_from_env(monkeypatch) -> None:
    monkeypatch.delenv("VOICY_API_KEY", raising=False)
    monkeypatch.delenv("VOICY_BASE_URL", raising=False)
    with pytest.raises(InputError) as info:
        VoicyClient.from_env()
    assert "VOICY_API_KEY" in info.value.message and "--simulate" in info.value.message
    monkeypatch.setenv("VOICY_API_KEY", "  ")
    with pytest.raises(InputError):
        VoicyClient.from_env()
    monkeypatch.setenv("VOICY_API_KEY", "voicy_sk_live_0000000000wxyz")
    assert VoicyClient.from_env().base_url == DEFAULT_BASE_URL
    monkeypatch.setenv("VOICY_BASE_URL", "http://localhost:9999/functions/v1/")
    assert VoicyClient.from_env().base_url == "http://localhost:9999/functions/v1"
    assert VoicyClient.from_env("http://other/v1").base_url == "http://other/v1"


def test_bad_base_url_says_the_fix() -> None:
    with pytest.raises(InputError) as info:
        VoicyClient("voicy_sk_live_0000000000wxyz", "api.voicy.co")
    assert "VOICY_BASE_URL" in info.value.message
