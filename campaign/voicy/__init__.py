"""The Voicy REST API: an async client, its typed answers and its exception tree.

The client (and httpx with it) is loaded when first used: `from campaign.voicy import
VoicyClient` works as ever, and the answers' and errors' types come without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from campaign.voicy.errors import (
    APIStatusError,
    AuthError,
    ClientError,
    ConcurrencyLimited,
    ConnectError,
    ConnectionDropped,
    ConnectTimeout,
    InvalidRequest,
    NotFound,
    Placement,
    PoolTimeout,
    RateLimited,
    ReadTimeout,
    ServerError,
    TransportError,
    UnexpectedResponse,
    Unprocessable,
    VoicyError,
    WriteTimeout,
    mask_key,
)
from campaign.voicy.models import (
    Agent,
    AgentVar,
    CallDetail,
    CallPage,
    CallSummary,
    DialResult,
    RateLimit,
    TranscriptEntry,
    is_final_status,
    status_category,
)

if TYPE_CHECKING:
    from campaign.voicy.client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, USER_AGENT, VoicyClient

_CLIENT_NAMES = frozenset({"DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "USER_AGENT", "VoicyClient"})

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "APIStatusError",
    "Agent",
    "AgentVar",
    "AuthError",
    "CallDetail",
    "CallPage",
    "CallSummary",
    "ClientError",
    "ConcurrencyLimited",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionDropped",
    "DialResult",
    "InvalidRequest",
    "NotFound",
    "Placement",
    "PoolTimeout",
    "RateLimit",
    "RateLimited",
    "ReadTimeout",
    "ServerError",
    "TranscriptEntry",
    "TransportError",
    "UnexpectedResponse",
    "Unprocessable",
    "VoicyClient",
    "VoicyError",
    "WriteTimeout",
    "is_final_status",
    "mask_key",
    "status_category",
]


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from campaign.voicy import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
