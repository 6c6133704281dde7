"""The webhook receiver as a pure ASGI app: `POST /webhooks/voicy`, checked, stored, 200.

    app = WebhookReceiver(db, secret)        # standalone (run --webhook-listen)
    WebhookRoute(dashboard, receiver=app)    # in front of the dashboard (serve)

Per delivery, in this order: the size (413 past `MAX_BODY_BYTES`, enforced while reading,
so an endless body is never buffered), the signature over the raw bytes (401), the body
(400 unless JSON and a call_ended), then one short transaction in the inbox (200). A call
this database never placed is answered 200 and dropped; a repeat is answered 200 and changes
nothing. Every outcome is counted in the store. The receiver never waits on the engine: the
optional `on_delivery` hook (e.g. waking a runner in the same process) is told afterwards.
If the database cannot take the delivery the answer is 503, never a 200 for a lost delivery.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Receive, Scope, Send

from campaign.clock import Clock, SystemClock
from campaign.errors import StoreUnavailable
from campaign.store.db import Database
from campaign.store.inbox import CounterKind, Delivery, Stored, count, store_delivery
from campaign.voicy.webhooks import (
    MAX_BODY_BYTES,
    BodyTooLarge,
    CallEnded,
    MalformedBody,
    WebhookRefused,
    read_delivery,
)

WEBHOOK_PATH = "/webhooks/voicy"

#: Told (call id, what the store did) after each verified delivery; must not block.
OnDelivery = Callable[[str, Stored], None]

log = logging.getLogger("campaign.receiver")


class WebhookReceiver:
    """Answers `POST /webhooks/voicy`; anything else is 404 (or 405 for another method)."""

    def __init__(
        self,
        db: Database,
        secret: str,
        *,
        clock: Clock | None = None,
        on_delivery: OnDelivery | None = None,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        if not secret:
            raise ValueError("a webhook receiver needs the signing secret")
        self.db = db
        self._secret = secret
        self.clock: Clock = clock or SystemClock()
        self.on_delivery = on_delivery
        self.max_body = max_body

    def __repr__(self) -> str:  # never the secret
        return f"WebhookReceiver(db={self.db.display_name()!r}, path={WEBHOOK_PATH!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"].rstrip("/") != WEBHOOK_PATH:
            await _answer(send, 404, {"error": f"not found; Voicy posts to {WEBHOOK_PATH}"})
            return
        if scope["method"] != "POST":
            await _answer(send, 405, {"error": "POST only"}, [(b"allow", b"POST")])
            return
        headers = _headers(scope)
        try:
            body = await _read_body(headers, receive, self.max_body)
            delivery = read_delivery(self._secret, body, headers)
            row = _inbox_delivery(delivery, body)
        except WebhookRefused as refusal:
            # Counted in the store (status shows it); a log line per refusal would flood a run.
            log.info("webhook delivery refused (%s): %s", refusal.reason, refusal.message)
            await self._count(CounterKind(refusal.reason.value))
            await _answer(send, refusal.status_code, {"error": refusal.message})
            return
        try:
            stored = await anyio.to_thread.run_sync(store_delivery, self.db, row, self.clock.now())
        except (SQLAlchemyError, StoreUnavailable):  # a lock held too long, a full disk
            log.exception("webhook delivery for call %s could not be stored", delivery.call_id)
            await _answer(send, 503, {"error": "the delivery could not be stored; send it again"})
            return
        await _answer(send, 200, {"ok": True, "call_id": delivery.call_id, "stored": stored.value})
        if self.on_delivery is not None:
            try:
                self.on_delivery(delivery.call_id, stored)
            except Exception:  # a hook never turns a stored delivery into an error
                log.exception("on_delivery hook failed")

    async def _count(self, kind: CounterKind) -> None:
        try:
            await anyio.to_thread.run_sync(count, self.db, kind, self.clock.now())
        except SQLAlchemyError:
            log.exception("webhook counter %s could not be stored", kind)


class WebhookRoute:
    """ASGI middleware sending `/webhooks/voicy` to the receiver, ahead of the dashboard's
    host, token and CSRF checks (Voicy authenticates with the signature, not a cookie).
    Without a receiver (no secret) the path answers 404 and says how to turn it on."""

    def __init__(self, app: ASGIApp, receiver: ASGIApp | None) -> None:
        self.app = app
        self.receiver = receiver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == WEBHOOK_PATH:
            if self.receiver is not None:
                await self.receiver(scope, receive, send)
            else:
                message = "webhooks are off here: start the server with VOICY_WEBHOOK_SECRET set"
                await _answer(send, 404, {"error": message})
            return
        await self.app(scope, receive, send)


#: The inbox's column sizes (campaign.store.models.WebhookDelivery).
_CALL_ID_MAX, _STATUS_MAX, _NUMBER_MAX = 64, 40, 32


def _inbox_delivery(delivery: CallEnded, body: bytes) -> Delivery:
    """The inbox row; a call id no column could hold is refused, the hints are clipped
    (the raw body keeps everything)."""
    detail = delivery.detail
    if len(detail.call_id) > _CALL_ID_MAX:
        raise MalformedBody(f"the call_id is longer than {_CALL_ID_MAX} characters")
    return Delivery(
        call_id=detail.call_id,
        body=body.decode("utf-8"),
        call_status=_clip(detail.call_status, _STATUS_MAX),
        from_number=_clip(detail.from_number, _NUMBER_MAX),
        to_number=_clip(detail.to_number, _NUMBER_MAX),
    )


def _clip(value: str | None, size: int) -> str | None:
    return None if value is None else value[:size]


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _read_body(headers: dict[str, str], receive: Receive, limit: int) -> bytes:
    declared = headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the body is over {limit} bytes ({declared} declared)")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise MalformedBody("the sender closed the connection before the body ended")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the body is over {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(
    send: Send, status: int, data: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps(data, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
