"""Report figures, the terminal report, the charts and the self-contained HTML page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console

from campaign.clock import FakeClock
from campaign.outcomes import charts
from campaign.outcomes.figures import compute_figures, report_figures
from campaign.outcomes.frames import CampaignRows
from campaign.outcomes.html import render_html, write_html
from campaign.outcomes.report import render_report
from campaign.store.db import Database
from campaign.store.models import Campaign
from tests.outcomes_factory import T0, StoredCampaign, ready_campaign

NOW = T0 + timedelta(hours=3)


def test_figures(rows: CampaignRows) -> None:
    figures = compute_figures(rows, state="finished", now=NOW)
    assert (figures.contacts, figures.people, figures.dialed, figures.connected) == (8, 6, 5, 3)
    assert figures.reach_rate == 3 / 5
    assert figures.attempts_distribution == {1: 3, 2: 1, 3: 1}
    assert figures.calls == 8
    assert sorted(figures.talk_times_s) == [42.0, 95.0, 180.0]
    assert figures.talk_median_s == 95.0
    assert figures.cost == {"USD": 0.47} and figures.costed_calls == 3
    assert figures.outcomes["duplicate"] == 1


def test_hours_are_the_recipients_local_hours(rows: CampaignRows) -> None:
    by_hour = compute_figures(rows, state="finished", now=NOW).calls_by_hour
    # Alice (Chicago, UTC-6) answered at 15:07 UTC -> 09h; David (Jerusalem, UTC+2) at 15:49
    # UTC -> 17h; Carol's three London calls at 15:xx UTC -> 15h.
    assert by_hour["connected"][9] == 1 and by_hour["connected"][17] == 1
    assert by_hour["failed"][15] == 3
    assert sum(sum(values) for values in by_hour.values()) == 8


def test_countries_zones_and_top_answers(rows: CampaignRows) -> None:
    figures = compute_figures(rows, state="finished", now=NOW)
    countries = {row.key: (row.contacts, row.dialed, row.connected) for row in figures.by_country}
    assert countries == {"US": (4, 3, 2), "GB": (1, 1, 0), "IL": (1, 1, 1)}
    zones = {row.key for row in figures.by_timezone}
    assert {"America/Chicago", "Europe/London", "Asia/Jerusalem"} <= zones
    confirmed = next(v for v in figures.top_values if v.name == "confirmed")
    assert confirmed.top == [("true", 2), ("false", 1)]
    assert confirmed.answered == 3


def test_calls_over_time_buckets_cover_the_span(rows: CampaignRows) -> None:
    series = compute_figures(rows, state="finished", now=NOW).calls_over_time
    assert series.bucket_s == 300
    assert sum(sum(v) for v in series.series.values()) == 8
    assert series.starts[0] == datetime(2026, 1, 5, 15, 5, tzinfo=UTC)


def test_terminal_report(db: Database, finished: StoredCampaign) -> None:
    figures = report_figures(db, finished.name, clock=FakeClock(NOW))
    console = Console(record=True, width=120)
    console.print(render_report(figures))
    text = console.export_text()
    assert "3 of 5 dialed people connected (60%)" in text
    assert "average 1m 46s, median 1m 35s" in text
    assert "0.47 USD over 3 calls" in text
    assert "Calls by hour" in text and "America/Chicago" in text
    assert "true ×2, false ×1" in text


def test_html_is_one_self_contained_page_with_charts(
    db: Database, finished: StoredCampaign, tmp_path: Path
) -> None:
    figures = report_figures(db, finished.name, clock=FakeClock(NOW))
    path = write_html(figures, tmp_path / "report.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert page.count("<svg") == 5
    for label in ("Contacts by outcome", "Calls over time", "Talk time", "Calls by hour"):
        assert f'aria-label="{label}' in page
    assert '<meta name="viewport" content="width=device-width' in page
    assert "@media (max-width:480px)" in page
    assert "<script" not in page and "<link" not in page and " src=" not in page
    assert not re.search(r"""(href|url)\(?=?["']?https?://""", page)  # nothing to fetch
    assert "Asia/Jerusalem" in page
    assert "60%" in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # several charts on one page, no id clash


def test_html_in_hebrew_is_right_to_left_and_hebrew(
    db: Database, finished: StoredCampaign, tmp_path: Path
) -> None:
    figures = report_figures(db, finished.name, clock=FakeClock(NOW))
    page = write_html(figures, tmp_path / "report.html", "he").read_text(encoding="utf-8")
    assert '<html lang="he" dir="rtl">' in page
    assert "שיעור מענה (3 מתוך 5 שחויגו)" in page and "<h2>לפי מדינה</h2>" in page
    assert "הסתיים" in page  # the state, as a word
    english = render_html(figures)
    assert '<html lang="en" dir="ltr">' in english and "reach rate (3 of 5 dialed)" in english
    # Dates by Babel for the report's language (`22 בספט׳ 2026, 9:00`, `Sep 22, 2026, 09:00`).
    assert re.search(r"\d{1,2} ב[\u05d0-\u05ea]+\u05f3? \d{4}, \d{1,2}:\d{2}", page)
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{2}:\d{2}", english)
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page + english)


def test_html_escapes_what_users_typed(db: Database) -> None:
    ready_campaign(db, "<script>alert(1)</script>", contacts=1)
    html = render_html(report_figures(db, "<script>alert(1)</script>", clock=FakeClock(NOW)))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_report_of_a_campaign_not_started(db: Database) -> None:
    ready_campaign(db, "fresh", contacts=2)
    figures = report_figures(db, "fresh", clock=FakeClock(NOW))
    assert (figures.dialed, figures.calls, figures.reach_rate) == (0, 0, None)
    console = Console(record=True, width=100)
    console.print(render_report(figures))
    assert "0 of 0 dialed people connected (-)" in console.export_text()
    assert render_html(figures).count("<svg") == 5  # placeholders, not crashes


def test_chart_svgs_scale_and_use_their_own_ids() -> None:
    outcome_svg = charts.outcomes_chart({"connected": 3, "failed": 1})
    hour_svg = charts.hour_of_day_chart({"connected": [1] * 24, "failed": [0] * 24})
    for svg in (outcome_svg, hour_svg):
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        root = svg[: svg.index(">")]
        assert "viewBox" in root and " width=" not in root
    assert not set(re.findall(r'id="([^"]+)"', outcome_svg)) & set(
        re.findall(r'id="([^"]+)"', hour_svg)
    )
    assert charts.talk_time_chart([]).count("No connected calls yet") == 2  # label + text
    assert charts.attempts_chart({1: 4, 2: 1}).startswith("<svg")
    start = datetime(2026, 1, 5, 15, tzinfo=UTC)
    over_time = charts.calls_over_time_chart(
        [start, start + timedelta(hours=1)], {"connected": [2, 3]}, bucket_s=3600
    )
    assert "calls per hour" in over_time


def test_report_state_reflects_a_dead_runner(db: Database, finished: StoredCampaign) -> None:
    with db.session() as session:
        campaign = session.get(Campaign, finished.campaign_id)
        assert campaign is not None
        campaign.state = "running"
        campaign.lock_owner = "gone"
        campaign.lock_heartbeat_at = NOW - timedelta(minutes=5)
    assert report_figures(db, clock=FakeClock(NOW)).state == "interrupted"
