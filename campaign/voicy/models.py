"""Typed Voicy API objects, parsed defensively.

Every parser keeps the raw JSON in `raw`, ignores unknown fields and accepts the older
`get-call` shape (transcript as text + `transcript_object`, `end_timestamp`,
`disconnection_reason`, direction `outbound`, statuses `in_progress`/`ended`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# --- statuses --------------------------------------------------------------------------

IN_PROGRESS_STATUSES = frozenset({"initiated", "ringing", "ongoing", "in_progress"})
CONNECTED_STATUSES = frozenset(
    {"user_hangup", "agent_hangup", "inactivity", "error_inactivity", "ended"}
)
FAILED_STATUSES = frozenset({"busy", "no_answer", "error", "canceled"})
#: Failed statuses worth another attempt (canceled is final).
RETRYABLE_STATUSES = frozenset({"busy", "no_answer", "error"})

StatusCategory = Literal["in_progress", "connected", "failed", "unknown"]


def status_category(status: str | None) -> StatusCategory:
    """Where a Voicy status stands; unknown statuses are reported, never guessed."""
    if status is None:
        return "unknown"
    s = status.strip().lower()
    if s in IN_PROGRESS_STATUSES:
        return "in_progress"
    if s in CONNECTED_STATUSES:
        return "connected"
    if s in FAILED_STATUSES:
        return "failed"
    return "unknown"


def is_final_status(status: str | None) -> bool:
    return status_category(status) in ("connected", "failed")


# --- helpers ---------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _direction(value: Any) -> str | None:
    if value is None:
        return None
    d = str(value).lower()
    return {"outbound": "outgoing", "inbound": "incoming"}.get(d, d)


# --- rate limit headers ----------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    """The `X-RateLimit-*` headers of one response."""

    limit: int | None
    remaining: int | None
    reset: float | None  # unix seconds when the window resets

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit | None:
        lower = {k.lower(): v for k, v in headers.items()}
        limit = _int(lower.get("x-ratelimit-limit"))
        remaining = _int(lower.get("x-ratelimit-remaining"))
        reset = _float(lower.get("x-ratelimit-reset"))
        if limit is None and remaining is None and reset is None:
            return None
        return cls(limit=limit, remaining=remaining, reset=reset)

    def reset_at(self, now: float) -> float | None:
        """Absolute unix reset time; a small value is seconds-from-now (some servers)."""
        if self.reset is None:
            return None
        return now + self.reset if self.reset < 1_000_000_000 else self.reset


# --- calls -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DialResult:
    """The 201 answer of call-dial."""

    call_id: str
    call_status: str
    from_number: str | None = None
    to_number: str | None = None
    agent_id: str | None = None
    call_type: str | None = None
    direction: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DialResult:
        call_id = data.get("call_id") or data.get("id")
        if not call_id:
            raise ValueError("call-dial answer has no call_id")
        return cls(
            call_id=str(call_id),
            call_status=str(data.get("call_status") or "initiated"),
            from_number=_str(data.get("from_number")),
            to_number=_str(data.get("to_number")),
            agent_id=_str(data.get("agent_id")),
            call_type=_str(data.get("call_type")),
            direction=_direction(data.get("direction")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class CallSummary:
    """One entry of call-list (no transcript, summary or vars)."""

    call_id: str
    call_status: str
    from_number: str | None = None
    to_number: str | None = None
    direction: str | None = None
    agent_id: str | None = None
    start_timestamp: int | None = None  # unix ms
    duration_ms: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def category(self) -> StatusCategory:
        return status_category(self.call_status)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallSummary:
        agent = data.get("agent")
        agent_id = data.get("agent_id")
        if agent_id is None and isinstance(agent, Mapping):
            agent_id = agent.get("id") or agent.get("agent_id")
        return cls(
            call_id=str(data.get("call_id") or data.get("id")),
            call_status=str(data.get("call_status") or data.get("status") or "unknown"),
            from_number=_str(data.get("from_number")),
            to_number=_str(data.get("to_number")),
            direction=_direction(data.get("direction")),
            agent_id=_str(agent_id),
            start_timestamp=_int(data.get("start_timestamp")),
            duration_ms=_int(data.get("duration_ms")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class TranscriptEntry:
    role: str
    content: str
    timestamp_ms: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _transcript(data: Mapping[str, Any]) -> list[TranscriptEntry]:
    items = data.get("transcript")
    if not isinstance(items, list):
        items = data.get("transcript_object")
    entries: list[TranscriptEntry] = []
    if isinstance(items, list):
        for item in items:
            if isinstance(item, Mapping):
                entries.append(
                    TranscriptEntry(
                        role=str(item.get("role") or "unknown"),
                        content="" if item.get("content") is None else str(item.get("content")),
                        timestamp_ms=_int(item.get("timestamp_ms")),
                        raw=dict(item),
                    )
                )
            elif item is not None:
                entries.append(TranscriptEntry(role="unknown", content=str(item)))
    elif isinstance(data.get("transcript"), str) and data.get("transcript"):
        entries.append(TranscriptEntry(role="transcript", content=str(data["transcript"])))
    return entries


def _mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, list):
        # Some shapes send vars as [{name, value}, ...].
        out: dict[str, Any] = {}
        for item in value:
            if isinstance(item, Mapping) and "name" in item:
                out[str(item["name"])] = item.get("value")
        return out
    return {}


@dataclass(frozen=True)
class CallDetail:
    """call-get: one call in full."""

    call_id: str
    call_status: str
    from_number: str | None = None
    to_number: str | None = None
    direction: str | None = None
    agent_name: str | None = None
    agent_version: str | None = None
    start_timestamp: int | None = None  # unix ms
    end_timestamp: int | None = None  # unix ms
    duration_ms: int | None = None
    transcript: list[TranscriptEntry] = field(default_factory=list)
    summary: str | None = None
    detected_gender: str | None = None
    recording_url: str | None = None
    disconnection_reason: str | None = None
    vars_provided: dict[str, Any] = field(default_factory=dict)
    vars_extracted: dict[str, Any] = field(default_factory=dict)
    vars_collected: dict[str, Any] = field(default_factory=dict)
    cost: float | None = None
    currency: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def category(self) -> StatusCategory:
        return status_category(self.call_status)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallDetail:
        agent = data.get("agent") if isinstance(data.get("agent"), Mapping) else {}
        cost = data.get("call_cost") if isinstance(data.get("call_cost"), Mapping) else {}
        start = _int(data.get("start_timestamp"))
        end = _int(data.get("end_timestamp"))
        duration = _int(data.get("duration_ms"))
        if duration is None and start is not None and end is not None:
            duration = max(0, end - start)
        if end is None and start is not None and duration is not None:
            end = start + duration
        summary = data.get("summary")
        if summary is None and isinstance(data.get("call_analysis"), Mapping):
            summary = data["call_analysis"].get("call_summary")
        return cls(
            call_id=str(data.get("call_id") or data.get("id")),
            call_status=str(data.get("call_status") or data.get("status") or "unknown"),
            from_number=_str(data.get("from_number")),
            to_number=_str(data.get("to_number")),
            direction=_direction(data.get("direction")),
            agent_name=_str(agent.get("name")) if agent else None,
            agent_version=_str(agent.get("version")) if agent else None,
            start_timestamp=start,
            end_timestamp=end,
            duration_ms=duration,
            transcript=_transcript(data),
            summary=_str(summary),
            detected_gender=_str(data.get("detected_gender")),
            recording_url=_str(data.get("recording_url")),
            disconnection_reason=_str(data.get("disconnection_reason")),
            vars_provided=_mapping(data.get("vars_provided")),
            vars_extracted=_mapping(data.get("vars_extracted")),
            vars_collected=_mapping(data.get("vars_collected")),
            cost=_float(cost.get("combined_cost")) if cost else None,
            currency=_str(cost.get("currency")) if cost else None,
            raw=dict(data),
        )


@dataclass(frozen=True)
class CallPage:
    calls: list[CallSummary]
    total_count: int | None
    #: The `pagination_key` for the next page, or None when this page was the last.
    next_pagination_key: str | None


# --- agents ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentVar:
    name: str
    type: str | None = None
    default_value: Any = None
    description: str | None = None
    required: bool = False

    @property
    def has_default(self) -> bool:
        return self.default_value not in (None, "")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AgentVar:
        required = data.get("required")
        return cls(
            name=str(data.get("name")),
            type=_str(data.get("type")),
            default_value=data.get("default_value"),
            description=_str(data.get("description")),
            required=bool(required) if required is not None else False,
        )


@dataclass(frozen=True)
class Agent:
    agent_id: str
    name: str | None = None
    vars_provided: list[AgentVar] = field(default_factory=list)
    vars_extracted: list[AgentVar] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Agent:
        def var_list(value: Any) -> list[AgentVar]:
            if not isinstance(value, list):
                return []
            out = []
            for v in value:
                if isinstance(v, Mapping) and v.get("name"):
                    out.append(AgentVar.from_json(v))
                elif isinstance(v, str):
                    out.append(AgentVar(name=v))
            return out

        agent_id = data.get("agent_id") or data.get("id")
        with contextlib.suppress(Exception):
            agent_id = str(agent_id)
        return cls(
            agent_id=str(agent_id),
            name=_str(data.get("name") or data.get("agent_name")),
            vars_provided=var_list(data.get("vars_provided")),
            vars_extracted=var_list(data.get("vars_extracted")),
            raw=dict(data),
        )
