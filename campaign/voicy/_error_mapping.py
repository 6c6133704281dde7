"""Turning httpx failures and HTTP error answers into the tree in `campaign.voicy.errors`.

The one question every mapping answers for a dial: could the request have reached Voicy?
Failures before the request left (connect, pool) are "not placed"; anything after the first
byte was written is "unknown", because the API takes no idempotency key.
"""

from __future__ import annotations

import contextlib
import json
import re
from email.utils import parsedate_to_datetime

import httpx

from campaign.voicy import errors
from campaign.voicy.models import RateLimit

_RETRY_AFTER_IN_MESSAGE = re.compile(r"retry\s+after\s+(\d+(?:\.\d+)?)\s*s", re.IGNORECASE)
_CONCURRENCY_IN_MESSAGE = re.compile(r"concurren", re.IGNORECASE)
#: Longest piece of a non-JSON error body quoted in a message.
_BODY_EXCERPT = 200


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` masked (servers sometimes echo the key)."""
    if not secret:
        return text
    return text.replace(secret, errors.mask_key(secret))


# --- transport failures ------------------------------------------------------------------

# Order matters: the first matching httpx class wins (subclasses before their bases).
_TRANSPORT_MAP: tuple[tuple[type[httpx.HTTPError], type[errors.TransportError], str], ...] = (
    (
        httpx.ConnectTimeout,
        errors.ConnectTimeout,
        "connecting to Voicy timed out; check the network and VOICY_BASE_URL",
    ),
    (
        httpx.ConnectError,
        errors.ConnectError,
        "could not connect to Voicy; check the network and VOICY_BASE_URL",
    ),
    (
        httpx.UnsupportedProtocol,
        errors.ConnectError,
        "the base URL is not http(s); fix VOICY_BASE_URL",
    ),
    (
        httpx.ProxyError,
        errors.ConnectError,
        "the HTTP proxy refused the connection; check the proxy settings",
    ),
    (
        httpx.PoolTimeout,
        errors.PoolTimeout,
        "no free connection in time; too many requests in flight",
    ),
    (
        httpx.WriteTimeout,
        errors.WriteTimeout,
        "sending the request timed out; it may or may not have reached Voicy",
    ),
    (
        httpx.ReadTimeout,
        errors.ReadTimeout,
        "no answer in time; the request may have taken effect",
    ),
)
_DROPPED_MESSAGE = "the connection failed before an answer; the request may have taken effect"


def transport_error(
    endpoint: str, exc: httpx.HTTPError, *, secret: str | None = None
) -> errors.TransportError:
    """The tree's error for an httpx failure; anything unlisted may have been sent."""
    error_cls: type[errors.TransportError] = errors.ConnectionDropped
    advice = _DROPPED_MESSAGE
    for httpx_cls, mapped_cls, mapped_advice in _TRANSPORT_MAP:
        if isinstance(exc, httpx_cls):
            error_cls, advice = mapped_cls, mapped_advice
            break
    detail = str(exc).strip()
    cause = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    message = redact(f"{endpoint}: {advice} ({cause})", secret)
    return error_cls(message, endpoint=endpoint)


# --- HTTP error answers --------------------------------------------------------------------


def error_message(response: httpx.Response) -> str:
    """The human message of an error answer, whichever shape it came in."""
    text = response.text.strip()
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            value = body.get(key)
            if isinstance(value, dict):  # {"error": {"message": "..."}}
                value = value.get("message")
            if isinstance(value, str) and value.strip():
                return value.strip()
    if text and body is None:
        excerpt = " ".join(text.split())
        if len(excerpt) > _BODY_EXCERPT:
            excerpt = excerpt[:_BODY_EXCERPT] + "…"
        return excerpt
    return response.reason_phrase or f"HTTP {response.status_code}"


def retry_after_seconds(message: str, headers: httpx.Headers, now: float) -> float | None:
    """The longest wait the answer asks for: the message's "retry after N seconds" and the
    Retry-After header (seconds or an HTTP date)."""
    waits: list[float] = []
    match = _RETRY_AFTER_IN_MESSAGE.search(message)
    if match:
        waits.append(float(match.group(1)))
    header = headers.get("retry-after")
    if header:
        try:
            waits.append(float(header))
        except ValueError:
            with contextlib.suppress(TypeError, ValueError, IndexError):
                waits.append(parsedate_to_datetime(header).timestamp() - now)
    return max(0.0, *waits) if waits else None


_STATUS_MAP: dict[int, type[errors.APIStatusError]] = {
    400: errors.InvalidRequest,
    401: errors.AuthError,
    403: errors.AuthError,
    404: errors.NotFound,
    422: errors.Unprocessable,
}


def status_error(
    endpoint: str,
    response: httpx.Response,
    rate_limit: RateLimit | None,
    *,
    now: float,
    secret: str | None = None,
) -> errors.APIStatusError:
    """The tree's error for a non-2xx answer."""
    status = response.status_code
    message = redact(error_message(response), secret)
    if status == 429:
        limited_cls = (
            errors.ConcurrencyLimited
            if _CONCURRENCY_IN_MESSAGE.search(message)
            else errors.RateLimited
        )
        return limited_cls(
            message,
            endpoint=endpoint,
            rate_limit=rate_limit,
            retry_after=retry_after_seconds(message, response.headers, now),
            reset_at=rate_limit.reset_at(now) if rate_limit else None,
        )
    if status >= 500:
        error_cls: type[errors.APIStatusError] = errors.ServerError
    elif status in _STATUS_MAP:
        error_cls = _STATUS_MAP[status]
    else:
        # Other 4xx, and a redirect or other surprise that never reached the endpoint.
        error_cls = errors.ClientError
        if 300 <= status < 400:
            where = response.headers.get("location", "elsewhere")
            message = f"unexpected redirect to {where}; fix VOICY_BASE_URL"
    return error_cls(message, status_code=status, endpoint=endpoint, rate_limit=rate_limit)
