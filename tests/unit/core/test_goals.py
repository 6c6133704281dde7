"""`--goal VAR[=VALUE]`: parsing the option and judging one call's extracted vars."""

from __future__ import annotations

from typing import Any

import pytest

from campaign.errors import InputError
from campaign.goals import Goal


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("confirmed", Goal("confirmed")),
        (" confirmed ", Goal("confirmed")),
        ("result=booked", Goal("result", "booked")),
        ("result = Booked ", Goal("result", "Booked")),
        (None, None),
        ("  ", None),
    ],
)
def test_parse(spec: str | None, expected: Goal | None) -> None:
    assert Goal.parse(spec) == expected


@pytest.mark.parametrize("spec", ["=yes", "result=", "result= "])
def test_parse_refuses_with_the_fix(spec: str) -> None:
    with pytest.raises(InputError, match="--goal"):
        Goal.parse(spec)


@pytest.mark.parametrize(
    ("extracted", "reached"),
    [
        ({"confirmed": True}, True),
        ({"confirmed": False}, False),
        ({"confirmed": "true"}, True),
        ({"confirmed": "Yes"}, True),
        ({"confirmed": " YES "}, True),
        ({"confirmed": "1"}, True),
        ({"confirmed": 1}, True),
        ({"confirmed": 0}, False),
        ({"confirmed": "כן"}, True),  # Hebrew: yes
        ({"confirmed": "לא"}, False),  # Hebrew: no
        ({"confirmed": "no"}, False),
        ({"confirmed": "false"}, False),
        ({"confirmed": ""}, False),
        ({"confirmed": None}, False),
        ({"other": True}, False),  # missing
        ({}, False),
        (None, False),
    ],
)
def test_true_goal(extracted: dict[str, Any] | None, reached: bool) -> None:
    assert Goal("confirmed").reached(extracted) is reached


@pytest.mark.parametrize(
    ("value", "reached"),
    [("booked", True), ("BOOKED", True), (" booked ", True), ("declined", False), (None, False)],
)
def test_valued_goal(value: Any, reached: bool) -> None:
    assert Goal("result", "booked").reached({"result": value}) is reached
