"""`run --webhook-listen HOST:PORT`: a receiver around a run, in the run's event loop.

    async with listening(db, "127.0.0.1:8790", clock=clock) as receiving:
        await runner.run()          # deliveries land in the inbox meanwhile

Under --simulate (`world` given) the simulator's webhook sender posts to this receiver with
the same secret (a random one when $VOICY_WEBHOOK_SECRET is unset, as nothing leaves the
machine), with the faults named by $CAMPAIGN_SIMULATE_WEBHOOKS (e.g.
`lost=0.15,repeated=0.1,scope=connected`; see `campaign.simulator.webhooks`), so one machine
rehearses the whole path.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio

from campaign.clock import Clock
from campaign.errors import InputError
from campaign.receiver.app import OnDelivery
from campaign.receiver.serve import (
    ReceiverAddress,
    check_listen,
    parse_listen,
    serve_webhooks,
    webhook_secret,
)
from campaign.store.db import Database

SIMULATE_FAULTS_ENV = "CAMPAIGN_SIMULATE_WEBHOOKS"


@dataclass(frozen=True)
class Listening:
    address: ReceiverAddress
    #: The simulator's WebhookSender under --simulate (its ground truth), else None.
    sender: Any = None


def check_webhook_listen(spec: str | None, *, simulate: bool) -> None:
    """Fail before anything is stored when --webhook-listen cannot work."""
    if spec is None:
        return
    host, _ = parse_listen(spec)
    secret = webhook_secret()
    if simulate:
        _simulated_faults()
        return
    check_listen(host, secret)


def _simulated_faults() -> Any:
    from campaign.simulator.webhooks import WebhookFaults

    spec = os.environ.get(SIMULATE_FAULTS_ENV, "")
    try:
        return WebhookFaults.from_spec(spec)
    except ValueError as exc:
        raise InputError(f"{SIMULATE_FAULTS_ENV}={spec!r}: {exc}") from None


@asynccontextmanager
async def listening(
    db: Database,
    spec: str | None,
    *,
    clock: Clock,
    world: Any = None,
    on_delivery: OnDelivery | None = None,
) -> AsyncIterator[Listening | None]:
    """Receive webhooks at `spec` (HOST:PORT) while the body runs; nothing when None."""
    if spec is None:
        yield None
        return
    host, port = parse_listen(spec)
    secret = webhook_secret()
    if secret is None and world is not None:
        secret = secrets.token_urlsafe(32)
    check_listen(host, secret)
    assert secret is not None
    async with anyio.create_task_group() as tg:
        address = await tg.start(serve_webhooks, db, secret, host, port, clock, on_delivery)
        sender = None
        if world is not None:
            from campaign.simulator.webhooks import WebhookSender

            sender = WebhookSender(world, address.url, secret, faults=_simulated_faults())
            tg.start_soon(sender.run)
        try:
            yield Listening(address, sender)
        finally:
            if sender is not None:
                sender.close()
            tg.cancel_scope.cancel()
