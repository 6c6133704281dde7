"""Times as people read them: the user's zone, named; library messages localized."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaign.campaigns.create import default_name
from campaign.localtime import local_text, localize_stamps, zone_name

AT = datetime(2026, 1, 5, 15, 7, tzinfo=UTC)
SUMMER = datetime(2026, 7, 5, 15, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "zone", "text"),
    [
        (AT, "Asia/Jerusalem", "2026-01-05 17:07 IST"),
        (SUMMER, "Asia/Jerusalem", "2026-07-05 18:07 IDT"),  # summer time, same zone
        (AT, "America/Chicago", "2026-01-05 09:07 CST"),
        (AT, "UTC", "2026-01-05 15:07 UTC"),
        (None, "UTC", "-"),
    ],
)
def test_local_text_names_its_zone(at: datetime | None, zone: str, text: str) -> None:
    assert local_text(at, zone) == text


def test_the_machines_zone_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Jerusalem")
    time.tzset()
    try:
        assert zone_name() == "Asia/Jerusalem"
        assert local_text(AT) == "2026-01-05 17:07 IST"
        assert localize_stamps("the next is due 2026-01-05T15:07+00:00; resume then") == (
            "the next is due 2026-01-05 17:07 IST; resume then"
        )
        assert localize_stamps("started 2026-01-05T15:07:09.5+00:00") == (
            "started 2026-01-05 17:07 IST"
        )
        assert localize_stamps("no instant here, 15:07") == "no instant here, 15:07"
        # A campaign's default name carries the date and time the user read.
        assert default_name("lists/contacts.csv", AT) == "contacts-20260105-170700"
    finally:
        monkeypatch.undo()
        time.tzset()
