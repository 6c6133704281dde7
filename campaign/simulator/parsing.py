"""Request bodies read and checked as the real API does; a bad one is a 400 Refusal."""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from campaign.simulator.world import ListQuery, Refusal, is_e164

MAX_LIST_LIMIT = 1000
DEFAULT_LIST_LIMIT = 50


@dataclass(frozen=True)
class DialRequest:
    from_number: str
    to_number: str
    override_agent_id: str | None
    vars_provided: dict[str, Any]


def _object(body: bytes, *, empty_ok: bool = False) -> dict[str, Any]:
    if empty_ok and not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, "Invalid JSON in request body") from None
    if not isinstance(data, dict):
        raise Refusal(400, "Request body must be a JSON object")
    return data


def parse_dial(body: bytes) -> DialRequest:
    data = _object(body)
    numbers = {}
    for name in ("from_number", "to_number"):
        value = data.get(name)
        if value is None:
            raise Refusal(400, f"Missing required field: {name}")
        if not is_e164(value):
            raise Refusal(400, f"{name} must be in E.164 format (e.g. +15551234567)")
        numbers[name] = value
    agent_id = data.get("override_agent_id")
    if agent_id is not None and not _is_uuid(agent_id):
        raise Refusal(400, "override_agent_id must be a UUID")
    vars_provided = data.get("vars_provided")
    if vars_provided is not None and not isinstance(vars_provided, dict):
        raise Refusal(400, "vars_provided must be an object of key-value pairs")
    return DialRequest(numbers["from_number"], numbers["to_number"], agent_id, vars_provided or {})


def parse_list(body: bytes) -> ListQuery:
    data = _object(body, empty_ok=True)
    criteria = data.get("filter_criteria")
    if criteria is None:
        criteria = {}
    if not isinstance(criteria, dict):
        raise Refusal(400, "filter_criteria must be an object")
    include_test = criteria.get("include_test_calls", False)
    if not isinstance(include_test, bool):
        raise Refusal(400, "filter_criteria.include_test_calls must be a boolean")
    lower, upper = _thresholds(criteria.get("start_timestamp"))
    sort_order = data.get("sort_order", "descending")
    if sort_order not in ("ascending", "descending"):
        raise Refusal(400, "sort_order must be 'ascending' or 'descending'")
    limit = data.get("limit", DEFAULT_LIST_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_LIMIT:
        raise Refusal(400, f"limit must be an integer between 1 and {MAX_LIST_LIMIT}")
    key = data.get("pagination_key")
    if key is not None and not isinstance(key, str):
        raise Refusal(400, "pagination_key must be a call_id string")
    return ListQuery(
        agent_ids=_strings(criteria, "agent_id"),
        statuses=_strings(criteria, "call_status"),
        directions=_strings(criteria, "direction"),
        lower_ms=lower,
        upper_ms=upper,
        descending=sort_order == "descending",
        limit=limit,
        pagination_key=key,
    )


def _strings(criteria: dict[str, Any], name: str) -> frozenset[str] | None:
    value = criteria.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Refusal(400, f"filter_criteria.{name} must be a list of strings")
    return frozenset(value)


def _thresholds(value: Any) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    if not isinstance(value, dict):
        raise Refusal(400, "filter_criteria.start_timestamp must be an object")
    out: list[int | None] = []
    for name, rounding in (("lower_threshold", math.ceil), ("upper_threshold", math.floor)):
        v = value.get(name)
        if v is None:
            out.append(None)
        elif isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise Refusal(400, f"start_timestamp.{name} must be unix milliseconds")
        else:
            out.append(int(rounding(v)))
    return out[0], out[1]


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
