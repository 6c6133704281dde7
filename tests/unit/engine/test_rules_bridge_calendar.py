"""The engine's calling rules hold contacts by the calendar: schedules, holidays, closed dates,
and `--start-at` going straight to the first opening after it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from campaign.engine.dispatch import Candidate
from campaign.engine.rules_bridge import CallingRules, calendar_of
from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.store.db import Database

ISRAEL = "+972527654321"
JERUSALEM = ZoneInfo("Asia/Jerusalem")


def il(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JERUSALEM).astimezone(UTC)


def candidate(number: str = ISRAEL, timezone: str | None = None) -> Candidate:
    return Candidate(1, number, None, None, timezone, 0)


def rules(db: Database, **settings: object) -> CallingRules:
    return CallingRules(db, RunSettings(min_gap=0, **settings))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "now", "expected"),
    [
        ({}, "2026-09-04T12:00", None),  # Friday morning: open
        ({}, "2026-09-04T13:30", ("2026-09-06T09:00", "window")),  # Friday afternoon
        ({}, "2026-09-05T10:00", ("2026-09-06T09:00", "window")),  # Shabbat
        ({}, "2026-09-21T10:00", ("2026-09-22T09:00", "window")),  # Yom Kippur
        ({"holidays": False}, "2026-09-21T10:00", None),
        ({"window": "any"}, "2026-09-19T03:00", None),  # any keeps meaning any time
        ({"closed_dates": (("2026-09-07", "staff day"),)}, "2026-09-07T10:00",
         ("2026-09-08T09:00", "window")),
        # --start-at on Shabbat waits straight for Sunday 09:00, not for Saturday.
        ({"start_at": "2026-09-05T10:00+03:00"}, "2026-09-04T10:00",
         ("2026-09-06T09:00", "scheduled")),
        ({"start_at": "2026-09-06T10:00+03:00"}, "2026-09-04T10:00",
         ("2026-09-06T10:00", "scheduled")),
    ],
)  # fmt: skip
def test_hold_until(
    db: Database, settings: dict[str, object], now: str, expected: tuple[str, str] | None
) -> None:
    held = rules(db, **settings).hold_until(candidate(), il(now))
    if expected is None:
        assert held is None
    else:
        assert held == (il(expected[0]), expected[1])


def test_a_number_with_no_zone_is_looked_at_again_tomorrow(db: Database) -> None:
    held = rules(db).hold_until(candidate("+80012345678"), il("2026-09-06T10:00"))
    assert held is not None and held[1] == "window"
    assert held[0] == il("2026-09-07T10:00")


def test_settings_keep_the_calendar_through_resume() -> None:
    settings = RunSettings(
        window="sun-thu 10:00-18:00", holidays=False, closed_dates=(("2026-12-24", "party"),)
    )
    again = RunSettings.from_json(settings.to_json())
    assert again == settings
    assert again.closed_dates == (("2026-12-24", "party"),)
    assert RunSettings().window == "default" and RunSettings().holidays is None
    calendar = calendar_of(again)
    assert not calendar.holidays and len(calendar.closed) == 1


def test_bad_calendar_settings_say_the_option_and_the_fix() -> None:
    with pytest.raises(InputError, match=r"^--window/--days: cannot read calling window"):
        calendar_of(RunSettings(window="sun-thu 9-20, fri"))
    with pytest.raises(InputError, match=r"^Calling window/days: cannot read days"):
        calendar_of(RunSettings(days="funday"), "Calling window/days")
