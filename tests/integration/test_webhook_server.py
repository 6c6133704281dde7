"""`serve_webhooks` inside a caller's event loop: real HTTP on a loopback port, started with
`task_group.start`, gone when cancelled, and SIGINT stays the caller's."""

from __future__ import annotations

import json
import signal

import anyio
import httpx
import pytest

from campaign.receiver import serve_webhooks
from campaign.store.db import Database
from campaign.voicy.webhooks import sign

pytestmark = pytest.mark.anyio

SECRET = "whsec_server_test_9d8c7b6a5f"


async def test_it_serves_in_the_callers_loop_and_stops_when_cancelled(db: Database) -> None:
    handler_before = signal.getsignal(signal.SIGINT)
    raw = json.dumps({"event": "call_ended", "call": {"call_id": "c-1"}}).encode()
    async with anyio.create_task_group() as tg:
        address = await tg.start(serve_webhooks, db, SECRET, "127.0.0.1", 0)
        assert address.port > 0
        assert signal.getsignal(signal.SIGINT) is handler_before
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                address.url, content=raw, headers={"x-voicy-signature": sign(SECRET, raw)}
            )
            assert answer.status_code == 200 and answer.json()["stored"] == "unknown_call"
            refused = await client.post(address.url, content=raw)
            assert refused.status_code == 401
        tg.cancel_scope.cancel()
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.post(address.url, content=raw)
    assert signal.getsignal(signal.SIGINT) is handler_before
