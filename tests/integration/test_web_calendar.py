"""The web check page shows the calendar the form's settings give each country of the list,
warns of an overnight window, and stores the holidays choice with the campaign."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from campaign.clock import FakeClock
from campaign.store.db import Database, open_db
from campaign.store.models import Campaign, Contact
from campaign.web.app import create_app
from tests.integration.test_web_launch import _client, _csrf, _upload, _wait_finished
from tests.outcomes_factory import queued_contacts, ready_campaign

with warnings.catch_warnings():  # starlette asks for httpx2, which is not packaged here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

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
        # The schedule is spelled out with the page language's day names (Babel).
        assert "Israel 2 Sun–Thu 09:00–20:00, Fri 09:00–13:00 (Israel's default)" in text
        assert "no calls on Israel public holidays; holiday eves 09:00-13:00" in text
        assert "United States 1 08:00–21:00 every day (the default)" in text
        assert "Time zones: Asia/Jerusalem, America/New_York" in text
        assert "data-calendar-warning" not in page

        night = client.post(
            url,
            data={
                "csrf": _csrf(client),
                "action": "check",
                "window": "20:00-08:00",
                "holidays": "call",
            },
        )
        text = _text(night.text)
        assert "20:00–08:00 every day ( --window )" in text
        assert "public holidays not skipped" in text
        assert re.search(
            r"data-calendar-warning>--window 20:00-08:00: calls go out overnight", night.text
        )

        wrong = client.post(
            url, data={"csrf": _csrf(client), "action": "check", "window": "sun-thu 9-20, fri"}
        )
        assert re.search(
            r"data-calendar-error>Calling window/days: cannot read calling window "
            r"[^<]*fri has no hours",
            html.unescape(wrong.text),
        )


def test_the_holidays_choice_is_stored_with_the_campaign(db: Database) -> None:
    mapped = {"mapped": "1", "map:first_name": "first_name"}
    with _client(db) as client:
        _, url = _upload(client, "clinic.csv", ISRAELI_LIST)
        started = client.post(
            url,
            data={
                "csrf": _csrf(client),
                "action": "start",
                "window": "any",
                "holidays": "skip",
                **mapped,
            },
        )
        assert started.status_code == 200, started.text
        campaign_id = int(str(started.url).rsplit("/", 1)[1])
        _wait_finished(client, campaign_id)
    with db.read_session() as session:
        stored = session.get(Campaign, campaign_id)
        assert stored is not None
        assert stored.settings["window"] == "any" and stored.settings["holidays"] is True


def test_campaign_page_names_each_countrys_calendar_and_why_people_wait(db: Database) -> None:
    # Yom Kippur 2026, 10:00 in Israel: the Israelis wait for Tuesday, with the holiday's name.
    now = datetime(2026, 9, 21, 7, tzinfo=UTC)
    campaign_id = ready_campaign(db, contacts=0)
    queued_contacts(
        db, campaign_id, 2, numbers=["+972527654321", "+972547654321"],
        next_attempt_at=datetime(2026, 9, 22, 6, tzinfo=UTC), wait_reason="window",
    )  # fmt: skip
    with db.session() as session:
        session.execute(update(Contact).values(wait_detail="holiday (Yom Kippur)"))
    app = create_app(db, live_max_age=0, charts_in_process=True, clock=FakeClock(now))
    with TestClient(app, cookies={"campaign_tz": "Asia/Jerusalem"}) as client:
        page = client.get(f"/campaigns/{campaign_id}").text
        hebrew = _text(client.get(f"/campaigns/{campaign_id}?lang=he").text)
    text = _text(page)
    assert 'data-country="IL"' in page
    assert "Israel ( IL ) 2 Sun–Thu 09:00–20:00, Fri 09:00–13:00 (Israel's default)" in text
    # Times in the reader's zone (the page's script keeps it in a cookie), by Babel.
    assert "holiday (Yom Kippur) , opens Sep 22, 2026, 09:00 Israel Time" in text
    assert "waiting for their calling window holiday (Yom Kippur) 2" in text
    # In Hebrew: the days, the holiday's Hebrew name (the holidays library's), the date.
    days = "ראשון–חמישי 09:00–20:00, שישי 09:00–13:00"
    assert f"ישראל ( IL ) 2 {days} (ברירת המחדל של ישראל)" in hebrew
    assert "חג (יום כיפור) , נפתח 22 בספט׳ 2026, 9:00 שעון ישראל" in hebrew
