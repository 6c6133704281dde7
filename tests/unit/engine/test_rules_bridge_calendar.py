"""The engine's calling rules hold contacts by the calendar: schedules, holidays, closed dates
(a hold covering the contact's zone, with the calendar's reason as its detail), and
`--start-at` holding the whole campaign, then each zone until its first opening after it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from campaign.calls.due import Candidate
from campaign.calls.holds import HoldScope
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
        ({}, "2026-09-04T13:30", ("2026-09-06T09:00", "outside calling hours")),  # Friday pm
        ({}, "2026-09-05T10:00", ("2026-09-06T09:00", "closed day (Saturday)")),  # Shabbat
        ({}, "2026-09-21T10:00", ("2026-09-22T09:00", "holiday (Yom Kippur)")),
        ({"holidays": False}, "2026-09-21T10:00", None),
        ({"window": "any"}, "2026-09-19T03:00", None),  # any keeps meaning any time
        ({"closed_dates": (("2026-09-07", "staff day"),)}, "2026-09-07T10:00",
         ("2026-09-08T09:00", "closed date (staff day)")),
    ],
)  # fmt: skip
def test_the_calendar_holds_the_contacts_zone(
    db: Database, settings: dict[str, object], now: str, expected: tuple[str, str] | None
) -> None:
    held = rules(db, **settings).hold(candidate(), il(now))
    if expected is None:
        assert held is None
    else:
        assert held is not None
        assert (held.until, held.reason, held.scope) == (il(expected[0]), "window", HoldScope.ZONE)
        assert held.detail is not None and expected[1].split(" (")[0] in held.detail


@pytest.mark.parametrize(
    ("start_at", "now", "campaign_until", "then"),
    [
        # --start-at on Shabbat: the campaign waits for the start, then its zone for Sunday.
        ("2026-09-05T10:00+03:00", "2026-09-04T10:00", "2026-09-05T10:00", "2026-09-06T09:00"),
        ("2026-09-06T10:00+03:00", "2026-09-04T10:00", "2026-09-06T10:00", None),
    ],
)
def test_start_at_holds_the_campaign_then_the_calendar_takes_over(
    db: Database, start_at: str, now: str, campaign_until: str, then: str | None
) -> None:
    calling = rules(db, start_at=start_at)
    held = calling.campaign_hold(il(now))
    assert held is not None and held.scope is HoldScope.CAMPAIGN
    assert (held.until, held.reason) == (il(campaign_until), "scheduled")
    assert calling.campaign_hold(il(campaign_until)) is None
    after = calling.hold(candidate(), il(campaign_until))
    assert (after.until if after else None) == (il(then) if then else None)


def test_a_number_with_no_zone_is_looked_at_again_tomorrow(db: Database) -> None:
    held = rules(db).hold(candidate("+80012345678"), il("2026-09-06T10:00"))
    assert held is not None and held.reason == "window"
    assert held.until == il("2026-09-07T10:00")


def test_contacts_of_one_country_and_zone_share_a_key(db: Database) -> None:
    calling = rules(db)
    assert calling.zone_key(ISRAEL, None) == calling.zone_key("+972521234567", None)
    assert calling.zone_key(ISRAEL, None).startswith("IL ")
    # A row's timezone column does not make an Israeli number American: its country stays.
    assert calling.zone_key(ISRAEL, "America/New_York") != calling.zone_key(
        "+12022000001", "America/New_York"
    )


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
