"""Receiving Voicy's call_ended webhooks into the store's inbox.

    from campaign.receiver import WebhookReceiver, serve_webhooks, webhook_secret

`WebhookReceiver(db, secret)` is the ASGI app (`POST /webhooks/voicy`); `WebhookRoute` puts it
in front of the dashboard; `serve_webhooks` runs it with uvicorn inside the caller's event
loop (a runner's task group), and `listening` does that around a run, with the simulator's
sender posting to it under --simulate. `DeliveryRelay` wakes the runners of the same
process once a delivery is stored (a nudge: the inbox stays the one path). What arrives is
in `campaign.store.inbox`.

May import: clock, errors, voicy, store (and the simulator, lazily, for a rehearsal).
"""

from campaign.receiver.app import WEBHOOK_PATH, OnDelivery, WebhookReceiver, WebhookRoute
from campaign.receiver.listen import Listening, check_webhook_listen, listening
from campaign.receiver.relay import DeliveryRelay
from campaign.receiver.serve import (
    SECRET_ENV,
    ReceiverAddress,
    check_listen,
    parse_listen,
    serve_webhooks,
    webhook_secret,
)

__all__ = [
    "SECRET_ENV",
    "WEBHOOK_PATH",
    "DeliveryRelay",
    "Listening",
    "OnDelivery",
    "ReceiverAddress",
    "WebhookReceiver",
    "WebhookRoute",
    "check_listen",
    "check_webhook_listen",
    "listening",
    "parse_listen",
    "serve_webhooks",
    "webhook_secret",
]
