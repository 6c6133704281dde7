"""Request bodies: what call-dial and call-list accept, and the 400s for the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from campaign.simulator import DEFAULT_AGENT_ID, ListQuery
from campaign.simulator.parsing import parse_dial, parse_list
from campaign.simulator.world import Refusal

GOOD_DIAL = {"from_number": "+12125550100", "to_number": "+15559876543"}


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_a_full_dial_request() -> None:
    parsed = parse_dial(
        body({**GOOD_DIAL, "override_agent_id": DEFAULT_AGENT_ID, "vars_provided": {"a": [1]}})
    )
    assert (parsed.from_number, parsed.to_number) == ("+12125550100", "+15559876543")
    assert parsed.override_agent_id == DEFAULT_AGENT_ID
    assert parsed.vars_provided == {"a": [1]}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "Invalid JSON"),
        (b"", "Invalid JSON"),
        (body([GOOD_DIAL]), "JSON object"),
        (body({"to_number": "+15559876543"}), "Missing required field: from_number"),
        (body({**GOOD_DIAL, "to_number": "5559876543"}), "to_number must be in E.164"),
        (body({**GOOD_DIAL, "to_number": "+05559876543"}), "E.164"),
        (body({**GOOD_DIAL, "to_number": "+123456"}), "E.164"),  # 6 digits: too short
        (body({**GOOD_DIAL, "to_number": "+1234567890123456"}), "E.164"),  # 16: too long
        (body({**GOOD_DIAL, "from_number": 12125550100}), "E.164"),
        (body({**GOOD_DIAL, "override_agent_id": "agent-7"}), "UUID"),
        (body({**GOOD_DIAL, "vars_provided": ["x"]}), "vars_provided"),
    ],
)
def test_bad_dial_requests_are_refused_with_400(raw: bytes, message: str) -> None:
    with pytest.raises(Refusal) as refused:
        parse_dial(raw)
    assert refused.value.status == 400
    assert message in refused.value.message


def test_e164_bounds_accepted() -> None:
    parse_dial(body({**GOOD_DIAL, "to_number": "+1234567"}))
    parse_dial(body({**GOOD_DIAL, "to_number": "+123456789012345"}))


def test_an_empty_list_request_takes_the_defaults() -> None:
    assert parse_list(b"") == ListQuery()
    assert parse_list(b"{}") == ListQuery(descending=True, limit=50)


def test_a_full_list_request() -> None:
    query = parse_list(
        body(
            {
                "filter_criteria": {
                    "agent_id": [DEFAULT_AGENT_ID],
                    "call_status": ["ongoing", "busy"],
                    "direction": ["outgoing"],
                    "start_timestamp": {"lower_threshold": 1000.2, "upper_threshold": 2000.8},
                    "include_test_calls": True,
                },
                "sort_order": "ascending",
                "limit": 1000,
                "pagination_key": "abc",
            }
        )
    )
    assert query == ListQuery(
        agent_ids=frozenset({DEFAULT_AGENT_ID}),
        statuses=frozenset({"ongoing", "busy"}),
        directions=frozenset({"outgoing"}),
        lower_ms=1001,
        upper_ms=2000,
        descending=False,
        limit=1000,
        pagination_key="abc",
    )


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "10"}, "limit"),
        ({"limit": True}, "limit"),
        ({"sort_order": "newest"}, "sort_order"),
        ({"filter_criteria": []}, "filter_criteria"),
        ({"filter_criteria": {"call_status": "busy"}}, "call_status"),
        ({"filter_criteria": {"start_timestamp": {"lower_threshold": "x"}}}, "lower_threshold"),
        ({"filter_criteria": {"include_test_calls": "yes"}}, "include_test_calls"),
        ({"pagination_key": 5}, "pagination_key"),
    ],
)
def test_bad_list_requests_are_refused_with_400(request_body: dict[str, Any], message: str) -> None:
    with pytest.raises(Refusal) as refused:
        parse_list(body(request_body))
    assert refused.value.status == 400
    assert message in refused.value.message
