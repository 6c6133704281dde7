"""Serving the simulator over real HTTP with uvicorn, in a background thread or in front."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import uvicorn

from campaign.simulator.app import API_PREFIX, create_app
from campaign.simulator.webhooks import WebhookSender
from campaign.simulator.world import World

_STARTUP_TIMEOUT = 10.0


class _QuietDrops(logging.Filter):
    """A dropped connection is an injected fault here, not a server bug worth an ERROR."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without completing response" not in record.getMessage()


_QUIET_DROPS = _QuietDrops()


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket; port 0 picks a free ephemeral port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that name it, and
    # without it Nagle + delayed ACK add ~40 ms to every keep-alive answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}{API_PREFIX}"


def _server(world: World, *, log_level: str, access_log: bool) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(world),
        lifespan="off",
        log_level=log_level,
        access_log=access_log,
        # A slow-fault answer may still be sleeping at shutdown: do not wait for it long.
        timeout_graceful_shutdown=1,
    )
    # uvicorn configures its loggers when the config is built, so filter after that.
    logging.getLogger("uvicorn.error").addFilter(_QUIET_DROPS)
    return uvicorn.Server(config)


@contextmanager
def running_server(
    world: World, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning"
) -> Iterator[str]:
    """Serve `world` on a loopback port in a background thread; yields the base URL."""
    sock = bind_socket(host, port)
    server = _server(world, log_level=log_level, access_log=False)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="voicy-simulator", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Voicy simulator server did not start")
            time.sleep(0.005)
        yield base_url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=_STARTUP_TIMEOUT)
        sock.close()


def serve_forever(
    world: World,
    sock: socket.socket,
    *,
    log_level: str = "info",
    sender: WebhookSender | None = None,
) -> None:
    """Serve `world` on an already bound socket until interrupted (Ctrl-C), with its
    webhook sender posting call_ended alongside when one is given."""
    server = _server(world, log_level=log_level, access_log=True)
    if sender is None:
        server.run(sockets=[sock])
        return

    async def serve_and_send() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(sender.run)
            await server.serve(sockets=[sock])
            tg.cancel_scope.cancel()

    anyio.run(serve_and_send)
