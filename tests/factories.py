"""Builders for tests: contact lists without a file, numbers, campaigns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeRow:
    """The shape of campaign.contacts.ContactRow, for tests that skip importing a file."""

    line: int
    position: int
    raw: dict[str, str]
    raw_phone: str
    e164: str | None
    status: str = "valid"
    reason: str | None = None
    duplicate_of: int | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    from_number: str | None = None
    agent_id: str | None = None
    timezone: str | None = None
    region: str | None = "US"
    warning: str | None = None


@dataclass
class FakeContactList:
    source_name: str
    rows_: list[FakeRow]
    columns: list[str] = field(default_factory=lambda: ["first_name", "phone"])
    phone_column: str = "phone"

    def rows(self) -> Iterator[FakeRow]:
        return iter(self.rows_)


def fake_contacts(numbers: list[str], name: str = "list.csv") -> FakeContactList:
    rows = [
        FakeRow(
            line=i + 2,
            position=i,
            raw={"first_name": f"Person {i}", "phone": n},
            raw_phone=n,
            e164=n,
            vars={"first_name": f"Person {i}"},
        )
        for i, n in enumerate(numbers)
    ]
    return FakeContactList(name, rows)


def us_numbers(count: int, start: int = 0) -> list[str]:
    """Distinct valid-looking US numbers (+1 212 555 xxxx is not valid; 201-555-01xx is)."""
    return [f"+1202{(2000000 + start + i):07d}" for i in range(count)]
