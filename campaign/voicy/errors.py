"""The Voicy exception tree, documented in one place.

    VoicyError
    ├── UnexpectedResponse        a 2xx whose body cannot be read → dial outcome UNKNOWN
    ├── TransportError            no HTTP answer
    │   ├── ConnectError          could not connect              → dial NOT placed
    │   ├── ConnectTimeout        connect took too long          → dial NOT placed
    │   ├── PoolTimeout           no free connection in the pool → dial NOT placed
    │   ├── WriteTimeout          request not fully sent         → dial outcome UNKNOWN
    │   ├── ReadTimeout           request sent, no answer in time→ dial outcome UNKNOWN
    │   └── ConnectionDropped     request sent, connection closed→ dial outcome UNKNOWN
    └── APIStatusError            an HTTP error answer (has status_code, message)
        ├── InvalidRequest   400                                 → dial NOT placed
        ├── AuthError        401, 403                            → dial NOT placed
        ├── NotFound         404                                 → dial NOT placed
        ├── Unprocessable    422                                 → dial NOT placed
        ├── RateLimited      429 (retry_after, reset_at)         → dial NOT placed
        │   └── ConcurrencyLimited  429 "concurrent call limit"  → dial NOT placed
        ├── ClientError      any other 4xx                       → dial NOT placed
        └── ServerError      5xx                                 → dial outcome UNKNOWN

`error.placement` is "not_placed" or "unknown". A dial whose placement is "unknown" may
have created a call: it must be reconciled from call-list, never blindly redialed.

Refusals of an incoming webhook delivery (bad signature, oversize, not call_ended) have their
own small tree in `campaign.voicy.webhooks`: they are the receiver's answers, not the API's.
"""

from __future__ import annotations

from typing import Literal

from campaign.voicy.models import RateLimit

Placement = Literal["not_placed", "unknown"]


def mask_key(api_key: str | None) -> str:
    """`voicy_sk_…abcd`: enough to tell keys apart, never enough to use one."""
    if not api_key:
        return "<no key>"
    prefix = "voicy_sk_" if api_key.startswith("voicy_sk_") else ""
    return f"{prefix}…{api_key[-4:]}" if len(api_key) > 8 else f"{prefix}…"


class VoicyError(Exception):
    """Base of every error the Voicy client raises."""

    placement: Placement = "unknown"
    endpoint: str | None = None

    def __init__(self, message: str, *, endpoint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint


class UnexpectedResponse(VoicyError):
    """A success status whose body is not the expected JSON: the request took effect."""

    placement: Placement = "unknown"

    def __init__(self, message: str, *, status_code: int, endpoint: str | None = None) -> None:
        super().__init__(message, endpoint=endpoint)
        self.status_code = status_code


# --- transport -------------------------------------------------------------------------


class TransportError(VoicyError):
    """The request got no HTTP answer."""


class ConnectError(TransportError):
    placement: Placement = "not_placed"


class ConnectTimeout(TransportError):
    placement: Placement = "not_placed"


class PoolTimeout(TransportError):
    placement: Placement = "not_placed"


class WriteTimeout(TransportError):
    placement: Placement = "unknown"


class ReadTimeout(TransportError):
    placement: Placement = "unknown"


class ConnectionDropped(TransportError):
    placement: Placement = "unknown"


# --- HTTP status -----------------------------------------------------------------------


class APIStatusError(VoicyError):
    placement: Placement = "not_placed"

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        endpoint: str | None = None,
        rate_limit: RateLimit | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint)
        self.status_code = status_code
        self.rate_limit = rate_limit

    def __str__(self) -> str:
        where = f" on {self.endpoint}" if self.endpoint else ""
        return f"HTTP {self.status_code}{where}: {self.message}"


class InvalidRequest(APIStatusError):
    """400: bad JSON, a missing field, a number not in E.164."""


class AuthError(APIStatusError):
    """401/403: the API key is missing, wrong or not allowed."""


class NotFound(APIStatusError):
    """404: unknown call or agent."""


class Unprocessable(APIStatusError):
    """422: valid but refused, e.g. a from_number not assigned to the account."""


class ClientError(APIStatusError):
    """Any other 4xx."""


class RateLimited(APIStatusError):
    """429: over the request budget. `retry_after` seconds, `reset_at` unix seconds."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 429,
        endpoint: str | None = None,
        rate_limit: RateLimit | None = None,
        retry_after: float | None = None,
        reset_at: float | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, endpoint=endpoint, rate_limit=rate_limit)
        self.retry_after = retry_after
        self.reset_at = reset_at


class ConcurrencyLimited(RateLimited):
    """429 whose message names the concurrent-call limit: wait for a call to end."""


class ServerError(APIStatusError):
    """5xx: the server failed; a dial may or may not have taken effect."""

    placement: Placement = "unknown"
