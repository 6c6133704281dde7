"""The check page on an Israeli list: the default region and why, and the loud warnings."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from campaign.store.db import Database, open_db
from campaign.web.app import create_app

HEBREW = Path(__file__).resolve().parents[2] / "sample_lists" / "contacts_he.csv"
#: The simulator's agent needs first_name: the Hebrew header gives it.
MAPPED = {
    "mapped": "1",
    "map:first_name": "שם פרטי",
    "map:appointment_date": "תאריך תור",
    "action": "check",
}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_db(tmp_path / "campaign.db")
    yield database
    database.dispose()


def _check_page(db: Database, data: bytes, **form: str) -> str:
    app = create_app(db, simulate=True, live_max_age=0, charts_in_process=True)
    with TestClient(app, follow_redirects=True) as client:
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/new").text)
        assert csrf
        response = client.post(
            "/new",
            data={"csrf": csrf.group(1)},
            files={"file": ("מרפאה-תורים.csv", data, "text/csv")},
        )
        if form:
            response = client.post(str(response.url), data={"csrf": csrf.group(1), **form})
        return html.unescape(response.text)


def test_the_check_page_names_the_region_and_the_differing_duplicate(db: Database) -> None:
    data = HEBREW.read_text(encoding="utf-8").replace("\n", "\r\n").encode("cp1255")
    page = _check_page(db, data, **MAPPED)
    assert 'default region <strong><bdi dir="ltr">IL</bdi></strong>' in page
    assert "valid IL numbers" in page
    assert "data-duplicates-differing" in page and "line 12 = line 2" in page
    assert "data-mostly-rejected" not in page
    assert 'data-count="valid">15<' in page
    # The file keeps its Hebrew name, isolated from the text around it; vars read as text.
    assert "Check <bdi>מרפאה-תורים.csv</bdi>" in page
    assert re.search(r'data-preview>.*"first_name": "יוסי"', page, re.S)
    assert "\\u05" not in page


def test_the_check_page_warns_when_most_rows_are_rejected(db: Database) -> None:
    page = _check_page(db, HEBREW.read_bytes(), region="US", **MAPPED)
    assert "data-mostly-rejected" in page
    assert "17 of 20 rows cannot be dialed" in page


def test_a_list_without_a_phone_column_gets_a_picker_of_every_column(db: Database) -> None:
    page = _check_page(db, "שם,עיר,הערות\nדנה,חיפה,052-7654321 נייד\n".encode())
    assert "no phone column in מרפאה-תורים.csv" in page
    assert "choose the phone column above" in page and "--phone-column" not in page
    picker = re.search(r'name="phone_column".*?</select>', page, re.S)
    assert picker is not None
    assert re.findall(r'<option value="([^"]*)"', picker.group(0)) == ["", "שם", "עיר", "הערות"]
    chosen = _check_page(
        db, "שם,עיר,הערות\nדנה,חיפה,052-7654321\n".encode(), phone_column="הערות", action="check"
    )
    assert "data-phone-column>הערות<" in chosen
