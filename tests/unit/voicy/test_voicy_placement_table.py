"""Every row of the placement table: each httpx failure and each status code, on a dial."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest

from campaign.voicy import errors

DIAL = ("+15551234567", "+15559876543")


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


TRANSPORT_ROWS = [
    (httpx.ConnectError("connection refused"), errors.ConnectError, "not_placed"),
    (httpx.ConnectTimeout("timed out"), errors.ConnectTimeout, "not_placed"),
    (httpx.PoolTimeout("pool"), errors.PoolTimeout, "not_placed"),
    (httpx.UnsupportedProtocol("ftp"), errors.ConnectError, "not_placed"),
    (httpx.ProxyError("proxy said no"), errors.ConnectError, "not_placed"),
    (httpx.WriteTimeout("write"), errors.WriteTimeout, "unknown"),
    (httpx.ReadTimeout("read"), errors.ReadTimeout, "unknown"),
    (httpx.RemoteProtocolError("Server disconnected"), errors.ConnectionDropped, "unknown"),
    (httpx.ReadError("reset by peer"), errors.ConnectionDropped, "unknown"),
    (httpx.WriteError("broken pipe"), errors.ConnectionDropped, "unknown"),
    (httpx.CloseError("close"), errors.ConnectionDropped, "unknown"),
    (httpx.LocalProtocolError("bad"), errors.ConnectionDropped, "unknown"),
    (httpx.DecodingError("gzip"), errors.ConnectionDropped, "unknown"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("raised", "expected", "placement"),
    TRANSPORT_ROWS,
    ids=[type(row[0]).__name__ for row in TRANSPORT_ROWS],
)
async def test_transport_failure_maps_to_tree(
    scripted, client_for, raised, expected, placement
) -> None:
    api = scripted(raised)
    async with client_for(api) as client:
        with pytest.raises(errors.TransportError) as info:
            await client.dial(*DIAL)
    assert type(info.value) is expected
    assert info.value.placement == placement
    assert info.value.endpoint == "call-dial"
    assert info.value.__cause__ is raised
    assert "call-dial" in info.value.message
    assert len(api.requests) == 1


STATUS_ROWS = [
    (400, {"error": "to_number must be E.164"}, errors.InvalidRequest, "not_placed"),
    (401, {"error": "Invalid API key"}, errors.AuthError, "not_placed"),
    (403, {"error": "Forbidden"}, errors.AuthError, "not_placed"),
    (404, {"error": "Not found"}, errors.NotFound, "not_placed"),
    (405, {"error": "Method not allowed"}, errors.ClientError, "not_placed"),
    (409, {"error": "Conflict"}, errors.ClientError, "not_placed"),
    (422, {"error": "from_number not assigned"}, errors.Unprocessable, "not_placed"),
    (
        429,
        {"error": "Rate limit exceeded. Please retry after 12 seconds."},
        errors.RateLimited,
        "not_placed",
    ),
    (
        429,
        {"error": "Concurrent call limit reached (10). Wait for a call to end."},
        errors.ConcurrencyLimited,
        "not_placed",
    ),
    (500, {"error": "Internal error"}, errors.ServerError, "unknown"),
    (502, {"error": "Bad gateway"}, errors.ServerError, "unknown"),
    (503, {"error": "Service unavailable"}, errors.ServerError, "unknown"),
    (504, {"error": "Gateway timeout"}, errors.ServerError, "unknown"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "expected", "placement"),
    STATUS_ROWS,
    ids=[f"{row[0]}-{row[2].__name__}" for row in STATUS_ROWS],
)
async def test_status_maps_to_tree(scripted, client_for, status, body, expected, placement) -> None:
    api = scripted(_json(status, body))
    async with client_for(api) as client:
        with pytest.raises(errors.APIStatusError) as info:
            await client.dial(*DIAL)
    error = info.value
    assert type(error) is expected
    assert error.placement == placement
    assert error.status_code == status
    assert error.message == body["error"]
    assert str(error) == f"HTTP {status} on call-dial: {body['error']}"
    assert len(api.requests) == 1


@pytest.mark.anyio
async def test_redirect_is_a_client_error_naming_the_fix(scripted, client_for) -> None:
    api = scripted(httpx.Response(301, headers={"Location": "https://elsewhere.example/"}))
    async with client_for(api) as client:
        with pytest.raises(errors.ClientError) as info:
            await client.dial(*DIAL)
    assert info.value.placement == "not_placed"
    assert "https://elsewhere.example/" in info.value.message
    assert "VOICY_BASE_URL" in info.value.message


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("response", "message"),
    [
        (_json(400, {"error": "missing to_number"}), "missing to_number"),
        (_json(400, {"status": "error", "message": "missing to_number"}), "missing to_number"),
        (_json(400, {"error": {"message": "missing to_number"}}), "missing to_number"),
        (
            httpx.Response(400, text="<html><body>Bad  request\n</body></html>"),
            "<html><body>Bad request </body></html>",
        ),
        (httpx.Response(400, text=""), "Bad Request"),
        (_json(400, {"unexpected": True}), "Bad Request"),
        (httpx.Response(400, text="x" * 500), "x" * 200 + "…"),
    ],
    ids=["error", "status-message", "nested", "html", "empty", "unknown-json", "long-text"],
)
async def test_both_error_shapes_and_non_json(scripted, client_for, response, message) -> None:
    async with client_for(scripted(response)) as client:
        with pytest.raises(errors.InvalidRequest) as info:
            await client.dial(*DIAL)
    assert info.value.message == message


@pytest.mark.anyio
async def test_429_reads_retry_after_from_message_header_and_reset(
    scripted, client_for, fake_clock
) -> None:
    reset = int(fake_clock.time()) + 40
    answer = _json(
        429,
        {"error": "Rate limit exceeded. Please retry after 30 seconds."},
        headers={
            "Retry-After": "35",
            "X-RateLimit-Limit": "60",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(reset),
        },
    )
    async with client_for(scripted(answer)) as client:
        with pytest.raises(errors.RateLimited) as info:
            await client.dial(*DIAL)
        assert client.rate_limited_count == 1
    error = info.value
    assert type(error) is errors.RateLimited
    assert error.retry_after == 35  # the longer of the message's 30 and the header's 35
    assert error.reset_at == reset
    assert error.rate_limit is not None and error.rate_limit.remaining == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("message", "headers", "retry_after"),
    [
        ("Rate limit exceeded. Please retry after 7 seconds.", {}, 7.0),
        ("Too many requests", {"Retry-After": "9"}, 9.0),
        ("Too many requests", {"Retry-After": "<http-date 20 s from now>"}, 20.0),
        ("Too many requests", {"Retry-After": "soon"}, None),
        ("Too many requests", {}, None),
    ],
)
async def test_retry_after_sources(
    scripted, client_for, fake_clock, message, headers, retry_after
) -> None:
    if headers.get("Retry-After", "").startswith("<http-date"):
        headers = {"Retry-After": formatdate(fake_clock.time() + 20, usegmt=True)}
    answer = _json(429, {"error": message}, headers=headers)
    async with client_for(scripted(answer)) as client:
        with pytest.raises(errors.RateLimited) as info:
            await client.dial(*DIAL)
    assert info.value.retry_after == retry_after
    assert info.value.reset_at is None
