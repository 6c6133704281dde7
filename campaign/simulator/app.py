"""The simulated Voicy HTTP API: Starlette routes over a World.

Every endpoint answers under `/functions/v1/<name>` and under `/<name>`, so a base URL may
name either. A gate in front of the routes checks the Bearer key and the request budget and
puts the `X-RateLimit-*` headers on every answer, errors included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign.simulator.parsing import parse_dial, parse_list
from campaign.simulator.shapes import detail_json, dial_json, error_json, summary_json
from campaign.simulator.world import Refusal, World

Handler = Callable[[Request], Awaitable[Response]]

API_PREFIX = "/functions/v1"
ENDPOINTS = ("call-dial", "call-get", "call-list", "agent-get", "agent-list")


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_json(message), status_code=status, headers=headers)


def endpoint_of(path: str) -> str:
    """The function name a path calls (`call-get` for `/functions/v1/call-get/<id>`)."""
    if path.startswith(API_PREFIX):
        path = path[len(API_PREFIX) :]
    name = path.strip("/").split("/", 1)[0]
    return name if name in ENDPOINTS else "other"


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


class RateGate:
    """Auth and the fixed-window budget, ahead of every route (unknown paths count too)."""

    def __init__(self, app: ASGIApp, world: World) -> None:
        self.app = app
        self.world = world

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = _bearer(scope)
        authorized, admission = self.world.admit(key, endpoint_of(scope["path"]))
        headers = admission.headers()
        if not authorized:
            message = "Invalid API key" if key else "Missing API key: send Authorization: Bearer"
            await error(401, message, headers)(scope, receive, send)
            return
        if not admission.allowed:
            message = f"Rate limit exceeded. Please retry after {admission.retry_after} seconds."
            await error(429, message, headers)(scope, receive, send)
            return
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

        async def send_with_rate_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_rate_headers)


class DroppedResponse(Response):
    """Starts a 201 answer, then stops: the server closes the connection mid-response."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"256")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"call_id": "', "more_body": True})


def create_app(world: World) -> Starlette:
    """The ASGI app serving `world`."""

    async def call_dial(request: Request) -> Response:
        outage = world.outage_phase("call-dial")
        if outage == "refused":
            return DroppedResponse()
        if outage == "unavailable":
            return error(503, "Service temporarily unavailable, please retry")
        fault = world.draw_dial_fault()
        if fault == "5xx":
            return error(503, "Service temporarily unavailable, please retry")
        try:
            body = parse_dial(await request.body())
            call = world.dial(
                body.from_number,
                body.to_number,
                body.override_agent_id,
                body.vars_provided,
                fault=fault,
            )
        except Refusal as refusal:
            return error(refusal.status, refusal.message)
        if fault == "ambiguous":
            return error(502, "Bad gateway: upstream telephony provider did not answer")
        if fault == "drop":
            return DroppedResponse()
        if fault == "slow":
            await world.clock.sleep(world.faults.slow_seconds)
        return JSONResponse(dial_json(call), status_code=201)

    async def call_get(request: Request) -> Response:
        call = world.get_call(request.path_params["call_id"])
        if call is None:
            return error(404, "Call not found")
        agent = world.agent(call.agent_id)
        assert agent is not None  # calls only ever get an agent of the world
        return JSONResponse(detail_json(call, agent, world.clock.time()))

    async def call_list(request: Request) -> Response:
        try:
            page, total = world.list_calls(parse_list(await request.body()))
        except Refusal as refusal:
            return error(refusal.status, refusal.message)
        now = world.clock.time()
        return JSONResponse({"calls": [summary_json(c, now) for c in page], "total_count": total})

    async def agent_get(request: Request) -> Response:
        agent = world.agent(request.path_params["agent_id"])
        if agent is None:
            return error(404, "Agent not found")
        return JSONResponse(agent.to_json())

    async def agent_list(request: Request) -> Response:
        agents = [a.to_json() for a in world.agents.values()]
        return JSONResponse({"agents": agents, "total_count": len(agents)})

    def read(handler: Handler) -> Handler:
        # Reads only ever fail with a 5xx fault, refused before any work.
        async def guarded(request: Request) -> Response:
            outage = world.outage_phase("read")
            if outage == "refused":
                return DroppedResponse()
            if outage == "unavailable" or world.draw_read_fault():
                return error(503, "Service temporarily unavailable, please retry")
            return await handler(request)

        return guarded

    routes = []
    for prefix in (API_PREFIX, ""):
        routes += [
            Route(f"{prefix}/call-dial", call_dial, methods=["POST"]),
            Route(f"{prefix}/call-get/{{call_id}}", read(call_get), methods=["GET"]),
            Route(f"{prefix}/call-list", read(call_list), methods=["POST"]),
            Route(f"{prefix}/agent-get/{{agent_id}}", read(agent_get), methods=["GET"]),
            Route(f"{prefix}/agent-list", read(agent_list), methods=["GET"]),
        ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    app = Starlette(
        routes=routes,
        middleware=[Middleware(RateGate, world=world)],
        exception_handlers={HTTPException: http_error},
    )
    app.state.world = world
    return app
