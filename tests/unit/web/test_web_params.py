"""Query parameters of the contacts table: strict parsing, links that keep the view."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from campaign.web.errors import BadRequest
from campaign.web.params import ContactQuery, parse_contact_query, parse_notice


def parse(query: str) -> ContactQuery:
    return parse_contact_query(QueryParams(query))


def test_defaults_and_a_full_query() -> None:
    assert parse("") == ContactQuery()
    assert parse("q=+García+&outcome=FAILED&sort=attempts&order=desc&page=3&per_page=100") == (
        ContactQuery("García", "failed", "attempts", True, 3, 100)
    )
    assert parse("outcome=&page=") == ContactQuery()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "page must be a whole number from 1 to 10,000,000, not '0'"),
        ("page=1.5", "page must be a whole number"),
        ("page=99999999999", "page must be a whole number"),
        ("page=%EF%BC%91", "page must be a whole number"),  # a full-width digit
        ("per_page=30", "per_page must be one of 25, 50, 100, 200"),
        ("sort=position", "sort must be one of line, name, phone"),
        ("order=up", "order must be asc or desc, not 'up'"),
        ("outcome=won", "outcome must be one of connected, goal_reached, no_goal, failed"),
        ("q=a&q=b", "give q once, not 2 times"),
    ],
)
def test_malformed_values_say_what_is_accepted(query: str, message: str) -> None:
    with pytest.raises(BadRequest) as raised:
        parse(query)
    assert raised.value.status_code == 400
    assert message in str(raised.value.detail)


def test_links_keep_the_view_and_leave_defaults_out() -> None:
    view = ContactQuery("a b", "failed", "line", False, 2, 50)
    assert view.query_string() == "?q=a+b&outcome=failed&page=2"
    assert view.query_string(page=1) == "?q=a+b&outcome=failed"
    assert ContactQuery().query_string() == "?"
    # A header link sorts by its column from page 1; clicking the sorted column flips it.
    assert view.sorted_by("attempts") == "?q=a+b&outcome=failed&sort=attempts&order=desc"
    assert view.sorted_by("phone") == "?q=a+b&outcome=failed&sort=phone"
    assert view.sorted_by("line") == "?q=a+b&outcome=failed&order=desc"


def test_notices() -> None:
    assert parse_notice(QueryParams("")) is None
    assert parse_notice(QueryParams("done=pause-requested")) == "pause-requested"
    with pytest.raises(BadRequest):
        parse_notice(QueryParams("done=<b>"))
