"""Running the webhook receiver: the secret, the address, and uvicorn in the caller's loop.

    secret = webhook_secret()                           # $VOICY_WEBHOOK_SECRET or None
    host, port = parse_listen("127.0.0.1:8790")
    check_listen(host, secret)                          # InputError when it must not start
    address = await task_group.start(serve_webhooks, db, secret, host, port)
    address.url                                         # http://127.0.0.1:8790/webhooks/voicy

A receiver never starts without a signing secret, not even on a loopback address: a tunnel
(ngrok, cloudflared) or a reverse proxy on the same machine puts a loopback port on the
internet, and an unsigned call_ended could write anyone's summary, vars or opt-out into the
results. The secret is read from the environment only; it is never printed or stored.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import anyio
import uvicorn
from anyio.abc import TaskStatus

from campaign.clock import Clock
from campaign.errors import InputError
from campaign.receiver.app import WEBHOOK_PATH, OnDelivery, WebhookReceiver
from campaign.sockets import listen_socket
from campaign.store.db import Database

SECRET_ENV = "VOICY_WEBHOOK_SECRET"
#: A shorter secret is refused: a guessable one would let anyone sign deliveries.
MIN_SECRET_LENGTH = 16
_MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
_STARTUP_TIMEOUT = 10.0

log = logging.getLogger("campaign.receiver")


def webhook_secret(environ: Mapping[str, str] | None = None) -> str | None:
    """The signing secret from $VOICY_WEBHOOK_SECRET (None when unset or blank)."""
    value = (os.environ if environ is None else environ).get(SECRET_ENV, "").strip()
    if value and len(value) < MIN_SECRET_LENGTH:
        raise InputError(
            f"{SECRET_ENV} is shorter than {MIN_SECRET_LENGTH} characters; make a long one "
            f"with {_MAKE_ONE} and set it in the agent's webhook settings and here"
        )
    return value or None


def parse_listen(spec: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:8790` for IPv6; port 0 picks a free one)."""
    text = spec.strip()
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise InputError(
            f"--webhook-listen {spec!r}: give HOST:PORT, e.g. 127.0.0.1:8790 (behind a "
            "TLS reverse proxy or a tunnel) or 0.0.0.0:8790"
        )
    return host, int(port_text)


def check_listen(host: str, secret: str | None) -> None:
    """Refuse to receive without a secret (on any address: see the module's docstring)."""
    if secret:
        return
    where = "this machine only" if _is_loopback(host) else "the network"
    raise InputError(
        f"--webhook-listen {host}: set {SECRET_ENV} to the signing secret of the agent's "
        f"webhook in Voicy's dashboard (Agent → Settings → Webhooks). Without it anyone who "
        f"reaches the address ({where}, or through a tunnel or proxy) could forge call "
        f"results. Make one with {_MAKE_ONE}"
    )


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ReceiverAddress:
    host: str
    port: int

    @property
    def url(self) -> str:
        """The local URL to post to (a proxy's public URL ends in the same path)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = "::1" if host == "::" else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}{WEBHOOK_PATH}"


class _InLoopServer(uvicorn.Server):
    """uvicorn inside someone else's event loop: signals stay the runner's to handle."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_webhooks(
    db: Database,
    secret: str,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
    on_delivery: OnDelivery | None = None,
    *,
    task_status: TaskStatus[ReceiverAddress] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve the receiver in the current event loop until cancelled.

    Start it with `await task_group.start(serve_webhooks, db, secret, host, port)`: that
    returns once the port is listening, with its `ReceiverAddress`.
    """
    check_listen(host, secret)
    sock = listen_socket(host, port, option="--webhook-listen")
    app = WebhookReceiver(db, secret, clock=clock, on_delivery=on_delivery)
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", access_log=False, timeout_graceful_shutdown=1
    )
    server = _InLoopServer(config)
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve, [sock])
            with anyio.fail_after(_STARTUP_TIMEOUT):
                while not server.started:
                    await anyio.sleep(0.005)
            bound_host, bound_port = sock.getsockname()[:2]
            task_status.started(ReceiverAddress(host if host else bound_host, bound_port))
    finally:
        with anyio.CancelScope(shield=True):
            if server.started and not server.should_exit:
                server.should_exit = True
                with anyio.move_on_after(2):
                    await server.shutdown(sockets=[sock])
            sock.close()
