"""The order of dials among due contacts (pure, table-driven): the longest redial chains
still possible first, list order among equals."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from campaign.engine.policy import dial_order


@dataclass(frozen=True)
class Due:
    name: str
    attempts: int


@pytest.mark.parametrize(
    ("due", "max_attempts", "order"),
    [
        # never called (3 calls may come) before a 2nd attempt (2) before a last one (1)
        ([("last", 2), ("second", 1), ("fresh", 0)], 3, ["fresh", "second", "last"]),
        # equals keep the list order (the store's: position)
        ([("a", 1), ("b", 0), ("c", 1), ("d", 0)], 3, ["b", "d", "a", "c"]),
        # one attempt allowed: every due contact is on its last call, list order stays
        ([("a", 0), ("b", 0)], 1, ["a", "b"]),
        ([("a", 4), ("b", 4), ("fresh", 0)], 5, ["fresh", "a", "b"]),
        # past --max-attempts (a callback after the last call): no chain left, last
        ([("past", 6), ("last", 4)], 5, ["last", "past"]),
        ([], 3, []),
    ],
)
def test_longest_chains_first(
    due: list[tuple[str, int]], max_attempts: int, order: list[str]
) -> None:
    contacts = [Due(name, attempts) for name, attempts in due]
    assert [c.name for c in dial_order(contacts, max_attempts)] == order
