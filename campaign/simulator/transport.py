"""An httpx transport that calls the simulator in-process, with real-server failure modes.

`httpx.ASGITransport` cannot express a connection closed mid-answer, so the app is wrapped
to notice a response that never completed, and the transport raises what httpx raises over
a real socket in that case: `httpx.RemoteProtocolError`.
"""

from __future__ import annotations

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign.simulator.app import create_app
from campaign.simulator.world import World


class _ResponseCutOff(Exception):
    """The app returned before finishing its answer: the peer closed the connection."""


def _detect_cut_off(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        complete = False

        async def tracking_send(message: Message) -> None:
            nonlocal complete
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                complete = True
            await send(message)

        await app(scope, receive, tracking_send)
        if scope["type"] == "http" and not complete:
            raise _ResponseCutOff

    return wrapped


class SimulatorTransport(httpx.AsyncBaseTransport):
    def __init__(self, world: World) -> None:
        self.world = world
        self._inner = httpx.ASGITransport(app=_detect_cut_off(create_app(world)))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except _ResponseCutOff:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            ) from None

    async def aclose(self) -> None:
        await self._inner.aclose()


def in_process_transport(world: World) -> httpx.AsyncBaseTransport:
    """For `httpx.AsyncClient(transport=..., base_url="http://voicy.sim/functions/v1")`."""
    return SimulatorTransport(world)
