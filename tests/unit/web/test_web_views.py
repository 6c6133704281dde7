"""What the campaign pages show: progress, ETA, buttons, settings, live fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from campaign import i18n
from campaign.calls.tally import tally
from campaign.outcomes.status import CampaignStatus, Runner, Waiting
from campaign.store.inbox import WebhookStats
from campaign.web.lookup import CampaignRef
from campaign.web.settings_words import settings_rows
from campaign.web.views import (
    campaign_view,
    eta_of,
    live_fields,
    percent_done,
    progress_text,
)

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
REF = CampaignRef(
    id=7,
    name="spring",
    state="running",
    source_columns=("name", "phone"),
    phone_column="phone",
    settings={},
)


@pytest.fixture(autouse=True)
def reader_in_utc() -> Any:
    """Times on screens are in the reader's zone: here UTC, whatever this machine's is."""
    token = i18n.use_zone("UTC")
    yield
    i18n.reset_zone(token)


def make_status(**changes: Any) -> CampaignStatus:
    status = CampaignStatus(
        name="spring",
        state="running",
        stored_state="running",
        as_of=NOW,
        created_at=NOW - timedelta(hours=2),
        started_at=NOW - timedelta(hours=1),
        finished_at=None,
        elapsed_s=3600.0,
        source_name="list.csv",
        contacts=110,
        outcomes={"connected": 40, "failed": 10, "invalid": 6, "duplicate": 4, "pending": 50},
        contact_states={"done": 60, "queued": 48, "active": 2},
        calls_in_progress=2,
        unresolved_requests=0,
        ready_to_dial=30,
        waiting=[Waiting("redial", 18, NOW + timedelta(minutes=10))],
        attempts_used=64,
        max_attempts=3,
        requests_used=600,
        rate_limited=3,
        requested_action=None,
        runner=Runner("1@h:x", 1, "h", NOW - timedelta(seconds=2), True),
        resume_command="python -m campaign resume spring",
        settings={
            "rate": 60,
            "api_key": "voicy_sk_x",
            "min_gap": 86400.0,
            "retry_delays": {"busy": 600.0},
            "from_numbers": ["+1", "+2"],
            "local_presence": False,
            "agent_id": None,
            "webhook_token": "t",
        },
    )
    return replace(status, **changes)


def test_progress_counts_people_to_call() -> None:
    progress = tally(make_status().outcomes)
    assert (progress.done, progress.total) == (50, 100)  # invalid and duplicate rows left out
    assert progress_text(progress) == "50 of 100 people done (50%)"
    assert percent_done(tally({})) == "100%"


def test_eta_at_the_pace_so_far() -> None:
    progress = tally(make_status().outcomes)
    eta = eta_of("running", 3600.0, progress, NOW)
    assert eta == NOW + timedelta(hours=1)  # 50 done in an hour, 50 to go
    assert eta_of("paused", 3600.0, progress, NOW) is None
    assert eta_of("running", None, progress, NOW) is None
    assert eta_of("running", 10.0, tally({"pending": 5}), NOW) is None


def test_settings_leave_secrets_out_and_speak_words() -> None:
    rows = {row.key: row.value for row in settings_rows(make_status().settings)}
    assert not any("key" in key or "token" in key for key in rows)
    assert rows["gap between calls to a number"] == "1d" and rows["redial after"] == "busy 10m"
    assert rows["numbers called from"] == "+1, +2"
    assert rows["local caller id"] == "no" and rows["agent"] == "default"


@pytest.mark.parametrize(
    ("state", "asked", "pause", "cancel", "resumable"),
    [
        ("running", None, True, True, False),
        ("running", "pause", False, True, False),
        ("running", "cancel", False, False, False),
        ("ready", None, True, True, False),
        ("paused", "pause", False, True, True),  # the runner leaves its request behind
        ("interrupted", "pause", True, True, True),
        ("finished", None, False, False, False),
        ("canceled", None, False, False, False),
    ],
)
def test_buttons_follow_the_state(
    state: str, asked: str | None, pause: bool, cancel: bool, resumable: bool
) -> None:
    view = campaign_view(REF, make_status(state=state, requested_action=asked), [])
    flags = view.flags
    assert (flags["can_pause"], flags["can_cancel"], flags["resumable"]) == (
        pause,
        cancel,
        resumable,
    )
    assert flags["running"] == (state == "running")


def test_live_fields_cover_every_outcome_and_wait_reason() -> None:
    fields = live_fields(make_status(requested_action="pause"))
    assert fields["outcome.connected"] == "40" and fields["outcome.canceled"] == "0"
    assert fields["waiting.redial"] == "18" and fields["waiting.window"] == "0"
    assert fields["waiting.redial.next"] == "Mar 2, 2026, 15:10 UTC (in 10 minutes)"
    assert fields["waiting.window.next"] == "–"
    assert fields["state_note"].startswith("pause requested")
    assert fields["requests_per_minute"] == "10.0"
    assert fields["eta"].startswith("about 1h")
    assert fields["runner"] == "pid 1 on h, working (last heartbeat 2 seconds ago)"
    assert all(isinstance(value, str) for value in fields.values())


def test_a_finished_campaign_shows_when_it_ended() -> None:
    status = make_status(
        state="finished",
        finished_at=NOW,
        runner=None,
        outcomes={"connected": 100, "invalid": 10},
        resume_command=None,
    )
    fields = live_fields(status)
    assert fields["finished"] == "Mar 2, 2026, 15:00 UTC" and fields["eta"] == "–"
    assert fields["runner"] == "none" and fields["state_note"] == ""


def test_a_hebrew_page_gets_its_sentences_times_and_settings_in_hebrew() -> None:
    stats = WebhookStats(
        delivered=12, consumed=12, last_delivery_at=NOW - timedelta(seconds=3), accepted=12,
        repeated=0, unknown_call=0, refused_signature=2, refused_other=0, last_refused_at=NOW,
        counters={},
    )  # fmt: skip
    status = make_status(
        webhooks=stats,
        api_down_since=NOW - timedelta(minutes=2),
        results_by_source={"webhook": 12, "polled": 3},
        waiting=[Waiting("window", 2, NOW + timedelta(hours=20), "holiday (Yom Kippur)")],
    )
    token = i18n.use("he")
    try:
        fields = live_fields(status)
        rows = {row.key: row.value for row in settings_rows(status.settings)}
    finally:
        i18n.reset(token)
    assert fields["state_note"].startswith("ה־API לא זמין מאז 2 במרץ 2026, 14:58 UTC")
    assert fields["webhooks"].startswith("12 התקבלו (האחרון 2 במרץ 2026, 14:59 UTC, לפני 3 שניות)")
    assert "2 נדחו: חתימה שגויה" in fields["webhooks"]
    assert fields["ends_learned"] == "3 בתשאול רשימת השיחות, 12 מ־webhooks"  # EndSource order
    assert fields["waiting.window.detail"] == "חג (יום כיפור)"
    assert fields["waiting.window.next"] == "3 במרץ 2026, 11:00 UTC (בעוד 20 שעות)"
    assert fields["runner"] == "תהליך 1 במחשב \u2068h\u2069, פועל (דופק אחרון לפני שתי שניות)"
    assert rows["מרווח בין שיחות לאותו מספר"] == "1 י׳"
    assert rows["חיוג חוזר אחרי"] == "תפוס 10 דק׳"
    assert rows["מזהה מתקשר מקומי"] == "לא" and rows["סוכן"] == "ברירת מחדל"
