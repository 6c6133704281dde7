"""Callback times: ISO 8601 and English/Hebrew phrases, in the recipient's zone, relative to
the call's end; past times and garbage give None."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from campaign.rules.callbacks import callback_time

JERUSALEM = ZoneInfo("Asia/Jerusalem")
NEW_YORK = ZoneInfo("America/New_York")
#: Wednesday 2 December 2026, 14:00 in Jerusalem (12:00 UTC).
ENDED = datetime(2026, 12, 2, 14, 0, tzinfo=JERUSALEM)


def local(value: Any, zone: str = "Asia/Jerusalem") -> datetime | None:
    found = callback_time(value, ENDED, zone)
    return found.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if found else None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        # ISO 8601: with an offset it is that instant; without, the recipient's local time.
        ("2026-12-03T10:00:00+02:00", datetime(2026, 12, 3, 10, 0)),
        ("2026-12-03T08:00:00Z", datetime(2026, 12, 3, 10, 0)),
        ("2026-12-03T10:00", datetime(2026, 12, 3, 10, 0)),
        ("2026-12-03 17:30", datetime(2026, 12, 3, 17, 30)),
        # English phrases.
        ("tomorrow at 5pm", datetime(2026, 12, 3, 17, 0)),
        ("tomorrow at 5", datetime(2026, 12, 3, 17, 0)),  # "at five" on a call: the afternoon
        ("tomorrow at 5am", datetime(2026, 12, 3, 5, 0)),
        ("in two hours", datetime(2026, 12, 2, 16, 0)),
        ("in 30 minutes", datetime(2026, 12, 2, 14, 30)),
        ("next monday at 10am", datetime(2026, 12, 7, 10, 0)),
        # Hebrew phrases.
        ("מחר בחמש", datetime(2026, 12, 3, 17, 0)),  # tomorrow at five
        ("מחר ב-17:00", datetime(2026, 12, 3, 17, 0)),
        ("מחר ב 17:00", datetime(2026, 12, 3, 17, 0)),
        ("מחר בשעה 5", datetime(2026, 12, 3, 17, 0)),
        ("מחר בבוקר בתשע", datetime(2026, 12, 3, 9, 0)),  # tomorrow morning at nine
        ("מחר בשמונה בערב", datetime(2026, 12, 3, 20, 0)),  # tomorrow at eight in the evening
        ("בעוד שעתיים", datetime(2026, 12, 2, 16, 0)),  # in two hours
        ("בעוד שעה", datetime(2026, 12, 2, 15, 0)),  # in an hour
        ("יום ראשון בעשר", datetime(2026, 12, 6, 10, 0)),  # Sunday at ten
    ],
)
def test_times(said: str, expected: datetime) -> None:
    assert local(said) == expected


def test_phrases_read_in_the_recipients_zone() -> None:
    # The same words mean 17:00 in New York, wherever the call ended from.
    assert local("tomorrow at 5pm", "America/New_York") == datetime(2026, 12, 3, 17, 0)
    found = callback_time("tomorrow at 5pm", ENDED, "America/New_York")
    assert found is not None and found.tzinfo is UTC


@pytest.mark.parametrize(
    "said",
    [
        "2026-12-01T10:00:00+02:00",  # before the call ended
        "2026-12-02T13:59",
        "garbage xyz",
        "when I'm less busy",
        "",
        "   ",
        None,
        True,
        5,
        3.5,
    ],
)
def test_not_a_future_time(said: Any) -> None:
    assert callback_time(said, ENDED, "Asia/Jerusalem") is None


def test_unknown_zone_reads_as_utc() -> None:
    found = callback_time("2026-12-03T10:00", ENDED, "Not/AZone")
    assert found == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
