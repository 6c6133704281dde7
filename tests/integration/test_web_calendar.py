"""The web check page shows the calendar the form's settings give each country of the list,
warns of an overnight window, and stores the holidays choice with the campaign."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from campaign.store.db import Database, open_db
from campaign.store.models import Campaign
from tests.integration.test_web_launch import _client, _csrf, _upload, _wait_finished

ISRAELI_LIST = b"first_name,phone\nDana,+972527654321\nNoa,+972547654321\nBob,+12025550123\n"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_db(tmp_path / "campaign.db")
    yield database
    database.dispose()


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_check_page_names_each_countrys_calendar(db: Database) -> None:
    with _client(db) as client:
        page, url = _upload(client, "clinic.csv", ISRAELI_LIST)
        assert 'data-calendar-country="IL"' in page and 'data-calendar-country="US"' in page
        text = _text(page)
        assert "Israel 2 sun-thu 09:00-20:00, fri 09:00-13:00 (Israel's default)" in text
        assert "no calls on Israel public holidays; holiday eves 09:00-13:00" in text
        assert "United States 1 08:00-21:00 every day (the default)" in text
        assert "Time zones: Asia/Jerusalem, America/New_York" in text
        assert "data-calendar-warning" not in page

        night = client.post(url, data={"csrf": _csrf(client), "action": "check",
                                       "window": "20:00-08:00", "holidays": "call"})
        text = _text(night.text)
        assert "20:00-08:00 every day (--window)" in text
        assert "public holidays not skipped" in text
        assert re.search(r"data-calendar-warning>--window 20:00-08:00: calls go out overnight",
                         night.text)

        wrong = client.post(url, data={"csrf": _csrf(client), "action": "check",
                                       "window": "sun-thu 9-20, fri"})
        assert re.search(r"data-calendar-error>Calling window/days: cannot read calling window "
                         r"[^<]*fri has no hours", html.unescape(wrong.text))


def test_the_holidays_choice_is_stored_with_the_campaign(db: Database) -> None:
    mapped = {"mapped": "1", "map:first_name": "first_name"}
    with _client(db) as client:
        _, url = _upload(client, "clinic.csv", ISRAELI_LIST)
        started = client.post(url, data={"csrf": _csrf(client), "action": "start",
                                         "window": "any", "holidays": "skip", **mapped})
        assert started.status_code == 200, started.text
        campaign_id = int(str(started.url).rsplit("/", 1)[1])
        _wait_finished(client, campaign_id)
    with db.read_session() as session:
        stored = session.get(Campaign, campaign_id)
        assert stored is not None
        assert stored.settings["window"] == "any" and stored.settings["holidays"] is True
