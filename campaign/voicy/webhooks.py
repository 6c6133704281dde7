"""Voicy's `call_ended` webhook: checking a delivery and reading the call it carries.

Voicy signs a delivery when the agent's webhook has a signing secret:
`x-voicy-signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the secret>`. The check
runs over the bytes as received (never re-serialized JSON) and compares in constant time.
The body is `{"event": "call_ended", "call": {...}}`, the call in the shape call-get answers
(either documented shape: see `campaign.voicy.models.CallDetail`).

    delivery = read_delivery(secret, raw_body, headers)   # verify, then parse
    delivery.detail                                        # a CallDetail, as from call-get

Every refusal is one exception, with the HTTP status a receiver answers and a `reason`
(a `RefusalReason`, the name its counter is stored under):

    WebhookRefused              base: .status_code, .reason
    ├── SignatureMissing     401  no x-voicy-signature header
    ├── SignatureInvalid     401  malformed, or not the body's signature under the secret
    ├── BodyTooLarge         413  more than MAX_BODY_BYTES (the receiver stops reading there)
    ├── MalformedBody        400  not a UTF-8 JSON object, or no call with a call_id in it
    └── NotCallEnded         400  an event other than call_ended
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from campaign.voicy.models import CallDetail

SIGNATURE_HEADER = "x-voicy-signature"
EVENT_HEADER = "x-voicy-event"
CALL_ENDED = "call_ended"
#: Largest body a receiver accepts; a real call_ended (a long transcript) is far smaller.
MAX_BODY_BYTES = 1024 * 1024
_PREFIX = "sha256="


class RefusalReason(StrEnum):
    SIGNATURE_MISSING = "signature_missing"
    SIGNATURE_INVALID = "signature_invalid"
    BODY_TOO_LARGE = "body_too_large"
    MALFORMED_BODY = "malformed_body"
    NOT_CALL_ENDED = "not_call_ended"


class WebhookRefused(Exception):
    """A delivery the receiver must refuse; nothing of it may be stored."""

    status_code = 400
    reason: RefusalReason = RefusalReason.MALFORMED_BODY

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignatureMissing(WebhookRefused):
    status_code = 401
    reason = RefusalReason.SIGNATURE_MISSING


class SignatureInvalid(WebhookRefused):
    status_code = 401
    reason = RefusalReason.SIGNATURE_INVALID


class BodyTooLarge(WebhookRefused):
    status_code = 413
    reason = RefusalReason.BODY_TOO_LARGE


class MalformedBody(WebhookRefused):
    status_code = 400
    reason = RefusalReason.MALFORMED_BODY


class NotCallEnded(WebhookRefused):
    status_code = 400
    reason = RefusalReason.NOT_CALL_ENDED


# --- signature -------------------------------------------------------------------------


def sign(secret: str | bytes, body: bytes) -> str:
    """The `x-voicy-signature` value of `body` under `secret` (what Voicy sends)."""
    return _PREFIX + _digest(secret, body)


def _digest(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(secret: str | bytes, body: bytes, header: str | None) -> None:
    """Raise unless `header` is `sha256=` + the hex HMAC-SHA256 of `body` under `secret`."""
    if header is None or not header.strip():
        raise SignatureMissing(f"no {SIGNATURE_HEADER} header: the delivery is not signed")
    value = header.strip()
    if not value.lower().startswith(_PREFIX):
        raise SignatureInvalid(f"{SIGNATURE_HEADER} is not of the form sha256=<hex>")
    given = value[len(_PREFIX) :].strip().lower()
    expected = _digest(secret, body)
    # compare_digest takes as long whatever the first differing byte (lengths may leak).
    if not hmac.compare_digest(given.encode("ascii", "replace"), expected.encode("ascii")):
        raise SignatureInvalid(f"{SIGNATURE_HEADER} does not match the body")


# --- body ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallEnded:
    """One verified-and-read `call_ended` delivery."""

    detail: CallDetail

    @property
    def call_id(self) -> str:
        return self.detail.call_id


def parse_call_ended(body: bytes, event_header: str | None = None) -> CallEnded:
    """Read a call_ended body into the CallDetail call-get would give for the same call.

    The event is the body's `event` (or, when the body has none, the x-voicy-event header);
    the call is under `call` (some senders say `data`), or the body itself when it carries a
    `call_id` at the top level.
    """
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"the body is not UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise MalformedBody(f"the body is not JSON ({exc.msg} at byte {exc.pos})") from None
    if not isinstance(data, Mapping):
        raise MalformedBody(f"the body is a JSON {type(data).__name__}, not an object")
    event = _event(data, event_header)
    if event != CALL_ENDED:
        raise NotCallEnded(f"event {event!r} is not {CALL_ENDED}" if event else "no event named")
    call = _call_object(data)
    call_id = call.get("call_id") or call.get("id")
    if not isinstance(call_id, str | int) or isinstance(call_id, bool) or not str(call_id):
        raise MalformedBody("the call in the body has no call_id")
    return CallEnded(CallDetail.from_json(call))


def _event(data: Mapping[str, Any], header: str | None) -> str | None:
    body_event = data.get("event")
    if body_event is not None:
        return str(body_event).strip().lower()
    return header.strip().lower() if header and header.strip() else None


def _call_object(data: Mapping[str, Any]) -> Mapping[str, Any]:
    for key in ("call", "data"):
        value = data.get(key)
        if isinstance(value, Mapping):
            return value
    if "call_id" in data:
        return data
    raise MalformedBody("the body has no `call` object")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def read_delivery(secret: str | bytes, body: bytes, headers: Mapping[str, str]) -> CallEnded:
    """Check the size and the signature, then read the call; raise a WebhookRefused."""
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
    verify_signature(secret, body, _header(headers, SIGNATURE_HEADER))
    return parse_call_ended(body, _header(headers, EVENT_HEADER))
