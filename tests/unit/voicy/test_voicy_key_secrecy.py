"""The API key never shows in a repr, an error, a chained cause or a log line."""

from __future__ import annotations

import logging

import httpx
import pytest

from campaign.voicy import errors
from campaign.voicy.client import VoicyClient
from campaign.voicy.errors import mask_key

DIAL = ("+15551234567", "+15559876543")


def _assert_secret_absent(text: str, api_key: str) -> None:
    assert api_key not in text
    assert api_key[9:] not in text  # not even without the prefix
    assert "Bearer" not in text
    assert "Authorization" not in text


def test_repr_shows_only_the_masked_key(api_key) -> None:
    client = VoicyClient(api_key)
    assert repr(client) == (
        "VoicyClient(base_url='https://api.voicy.co/functions/v1', api_key='voicy_sk_…abcd')"
    )
    assert mask_key(api_key) == "voicy_sk_…abcd"
    _assert_secret_absent(repr(client), api_key)
    _assert_secret_absent(str(client), api_key)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "echoed"),
    [
        (httpx.Response(401, json={"error": "Invalid API key: {key}"}), True),
        (httpx.Response(403, text="key {key} is not allowed"), True),
        (httpx.Response(429, json={"message": "Rate limit exceeded for {key}"}), True),
        (httpx.Response(503, text="upstream {key} down"), True),
        (httpx.Response(200, text="<html>{key}</html>"), False),
        (httpx.ConnectError("could not reach host for {key}"), True),
        (httpx.ReadTimeout("timed out"), False),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), False),
    ],
    ids=["401", "403", "429", "503", "html-200", "connect", "read-timeout", "dropped"],
)
async def test_errors_never_carry_the_key(
    scripted, client_for, api_key, caplog, answer, echoed
) -> None:
    # Servers sometimes echo what they were sent: plant the key where an echo would put it.
    if isinstance(answer, httpx.Response):
        answer = httpx.Response(
            answer.status_code,
            content=answer.content.replace(b"{key}", api_key.encode()),
            headers={"Content-Type": answer.headers.get("content-type", "text/plain")},
        )
    else:
        answer = type(answer)(str(answer).replace("{key}", api_key))
    caplog.set_level(logging.DEBUG)
    async with client_for(scripted(answer), read_retries=1) as client:
        with pytest.raises(errors.VoicyError) as info:
            await client.get_call("c-1")
        with pytest.raises(errors.VoicyError) as dial_info:
            await client.dial(*DIAL)
    for error in (info.value, dial_info.value):
        for text in (str(error), repr(error), error.message, repr(error.args)):
            _assert_secret_absent(text, api_key)
        # An echoed key is masked, not dropped: the user can still tell which key was sent.
        assert (mask_key(api_key) in error.message) is echoed
    _assert_secret_absent(caplog.text, api_key)


@pytest.mark.anyio
async def test_the_chained_cause_does_not_carry_the_key(scripted, client_for, api_key) -> None:
    async with client_for(scripted(httpx.ReadTimeout("timed out"))) as client:
        with pytest.raises(errors.ReadTimeout) as info:
            await client.dial(*DIAL)
    cause = info.value.__cause__
    assert cause is not None
    _assert_secret_absent(str(cause), api_key)
    _assert_secret_absent(repr(cause), api_key)
