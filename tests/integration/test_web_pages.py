"""The dashboard's pages over HTTP on a real SQLite file: what they show agrees with
`status`, the contacts table searches, filters, sorts and pages, bad addresses get 404 and
bad parameters 400 (never a traceback), and every caller's word is escaped."""

from __future__ import annotations

import html
import re
import signal
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import update

from campaign.cli import main
from campaign.outcomes.status import campaign_status, campaign_summaries
from campaign.outcomes.status_view import sources_text
from campaign.store.db import Database
from campaign.store.models import Contact
from campaign.web.app import create_app
from tests.browser.support import (
    HOSTILE_NAME,
    IMG_SUMMARY,
    SCRIPT_LINE,
    SECRET,
    Hostile,
    hostile_campaign,
    many_contacts,
    start_runner,
    write_list,
)
from tests.outcomes_factory import FORMULA_SUMMARY, HEBREW_LINE, StoredCampaign, finished_campaign

with warnings.catch_warnings():  # starlette asks for httpx2, which is not packaged here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture
def finished(db: Database) -> StoredCampaign:
    return finished_campaign(db)


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db, live_max_age=0, charts_in_process=True)) as test_client:
        yield test_client


def live_values(page: str) -> dict[str, str]:
    """`data-live="key"` element texts of a page."""
    found = re.findall(r'data-live="([^"]+)"[^>]*>([^<]*)<', page)
    return {key: html.unescape(text) for key, text in found}


def test_campaign_page_agrees_with_status(
    db: Database, finished: StoredCampaign, client: TestClient
) -> None:
    status = campaign_status(db, finished.name).to_json()
    page = client.get(f"/campaigns/{finished.campaign_id}")
    assert page.status_code == 200
    values = live_values(page.text)
    for outcome, count in status["outcomes"].items():
        assert values[f"outcome.{outcome}"] == f"{count:,}"
    assert re.findall(r"data-live-state>(\w+)<", page.text) == [status["state"]] == ["finished"]
    assert values["requests"] == str(status["requests_used"])
    assert values["rate_limited"] == str(status["rate_limited"])
    # Where the results came from (webhook / polled / fetched), as `status` counts them.
    assert values["ends_learned"] == sources_text(status["results_by_source"])
    live = client.get(f"/campaigns/{finished.campaign_id}/live").json()
    assert live["state"] == "finished"
    assert {k: v for k, v in live["live"].items() if k.startswith("outcome.")} == {
        k: v for k, v in values.items() if k.startswith("outcome.")
    }
    assert live["flags"]["can_pause"] is False and live["flags"]["can_cancel"] is False


def test_campaign_list_agrees_with_list(
    db: Database, finished: StoredCampaign, client: TestClient
) -> None:
    other = many_contacts(db, "second", 12)
    page = client.get("/").text
    assert page.index(f"/campaigns/{other}") < page.index(f"/campaigns/{finished.campaign_id}")
    rows = {row["id"]: row for row in client.get("/live").json()["campaigns"]}
    for summary in campaign_summaries(db):
        row = rows[finished.campaign_id if summary.name == finished.name else other]
        assert row["state"] == summary.state
        assert row["live"]["pending"] == str(summary.outcomes.get("pending", 0))
        assert row["live"]["connected"] == str(summary.outcomes.get("connected", 0))


def test_live_json_follows_the_store(
    db: Database, finished: StoredCampaign, client: TestClient
) -> None:
    url = f"/campaigns/{finished.campaign_id}/live"
    before = client.get(url).json()["live"]
    with db.session() as session:
        session.execute(
            update(Contact)
            .where(Contact.campaign_id == finished.campaign_id, Contact.outcome == "failed")
            .values(outcome="connected")
        )
    after = client.get(url).json()["live"]
    assert int(after["outcome.connected"]) == int(before["outcome.connected"]) + 1
    assert after["outcome.failed"] == "0"


@pytest.mark.parametrize(
    ("query", "total", "first_line"),
    [
        ("", 130, 2),
        ("?outcome=failed", 33, 3),
        ("?outcome=invalid", 32, 5),
        ("?q=garc%C3%ADa", 19, 2),  # non-ASCII is stored escaped in the JSON text
        ("?q=gArC%C3%ADA", 19, 2),
        ("?q=smith", 111, 3),
        ("?q=first_name", 0, None),  # a header is not a name
        ("?q=person012", 1, 14),
        ("?q=%28202%29+555-0012", 1, 14),  # as typed in the list
        ("?q=2025550012", 1, 14),  # digits of the E.164 number
        ("?q=García&outcome=connected", 10, 2),
        ("?q=100%25", 0, None),  # LIKE wildcards are searched literally
        ("?q=_", 0, None),
        ("?sort=attempts&order=desc", 130, 4),
        ("?sort=line&order=desc", 130, 131),
        ("?sort=name&order=desc", 130, 131),
        ("?outcome=pending", 0, None),
    ],
)
def test_contacts_search_filter_sort(
    db: Database, client: TestClient, query: str, total: int, first_line: int | None
) -> None:
    campaign_id = many_contacts(db, "many", 130)
    page = client.get(f"/campaigns/{campaign_id}/contacts{query}")
    assert page.status_code == 200
    text = page.text
    if total:
        assert f"of {total:,}" in text
        lines = re.findall(r'data-label="Line" class="n">(\d+)<', text)
        assert int(lines[0]) == first_line
        assert len(lines) == min(total, 50)
    else:
        assert "No row matches" in text


def test_contacts_pages(db: Database, client: TestClient) -> None:
    campaign_id = many_contacts(db, "many", 130)
    url = f"/campaigns/{campaign_id}/contacts"
    last = client.get(f"{url}?page=3&outcome=connected&per_page=25").text
    assert "Rows 51–65 of 65" in last  # 65 connected
    assert "Page 3 of 3" in last
    assert 'rel="next"' not in last and 'rel="prev"' in last
    beyond = client.get(f"{url}?page=9").text
    assert "Page 9 is past the end" in beyond and "go to page 3" in beyond


def test_contact_page_shows_every_call(
    db: Database, finished: StoredCampaign, client: TestClient
) -> None:
    carol = finished.lines[2]
    contact_id = _contact_id(db, finished.campaign_id, carol)
    page = client.get(f"/campaigns/{finished.campaign_id}/contacts/{contact_id}").text
    assert page.count("<article") == 3  # busy, no answer, no answer
    assert "no_answer" in page and "busy" in page
    alice = _contact_id(db, finished.campaign_id, finished.lines[0])
    page = client.get(f"/campaigns/{finished.campaign_id}/contacts/{alice}").text
    assert str(escape(FORMULA_SUMMARY)) in page
    assert "Yes, Tuesday is fine." in page
    assert 'class="turn caller"' in page
    hebrew = _contact_id(db, finished.campaign_id, finished.lines[6])
    page = client.get(f"/campaigns/{finished.campaign_id}/contacts/{hebrew}").text
    assert HEBREW_LINE in page and "[system ran book]" in page


def _contact_id(db: Database, campaign_id: int, line: int) -> int:
    with db.read_session() as session:
        contact = session.query(Contact).filter_by(campaign_id=campaign_id, line=line).one()
        return contact.id


def test_hostile_text_is_escaped_and_the_key_never_shown(db: Database, client: TestClient) -> None:
    hostile: Hostile = hostile_campaign(db)
    base = f"/campaigns/{hostile.campaign_id}"
    pages = {
        url: client.get(url)
        for url in (
            "/",
            "/live",
            base,
            f"{base}/live",
            f"{base}/contacts",
            f"{base}/contacts?q=mallory",
            f"{base}/contacts/{hostile.contact_id}",
            f"{base}/cancel",
            f"{base}/charts",
        )
    }
    for url, response in pages.items():
        assert response.status_code == 200, url
        body = response.text
        assert SECRET not in body, url
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body and "<b>bold</b>" not in body, url
        assert re.findall(r"<script\b", body) in ([], ["<script"]), url  # only our app.js
    contact = pages[f"{base}/contacts/{hostile.contact_id}"].text
    for text in (SCRIPT_LINE, IMG_SUMMARY, HOSTILE_NAME):
        assert str(escape(text)) in contact
    assert "&lt;i&gt;answer&lt;/i&gt;" in contact
    settings = pages[base].text
    assert "api key" not in settings and "&lt;i&gt;09:00-17:00&lt;/i&gt;" in settings


def test_unknown_addresses_get_a_404_page(
    db: Database, finished: StoredCampaign, client: TestClient
) -> None:
    other = many_contacts(db, "other", 3)
    foreign = _contact_id(db, other, 2)
    base = f"/campaigns/{finished.campaign_id}"
    for url in (
        "/campaigns/999",
        "/campaigns/999/contacts",
        "/campaigns/999/live",
        f"{base}/contacts/999999",
        f"{base}/contacts/{foreign}",
        "/campaigns/abc",
        "/campaigns/99999999999999999999999",
        f"{base}/contacts/99999999999999999999",
        f"{base}/results.pdf",
        "/nowhere",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Traceback" not in response.text
        assert "Not found" in response.text or response.json()["error"] == "Not found"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("contacts?page=0", "page must be a whole number from 1"),
        ("contacts?page=abc", "page must be a whole number from 1"),
        ("contacts?page=-2", "page must be a whole number from 1"),
        ("contacts?page=1&page=2", "give page once"),
        ("contacts?per_page=7", "per_page must be one of 25, 50, 100, 200"),
        ("contacts?sort=drop+table", "sort must be one of"),
        ("contacts?order=sideways", "order must be asc or desc"),
        ("contacts?outcome=maybe", "outcome must be one of"),
        ("contacts?q=" + "x" * 201, "use at most 200"),
        ("contacts?q=a%00b", "NUL character"),
        ("?done=%3Cscript%3E", "done must be one of"),
        ("charts?v=%3Cx%3E", "v must be the charts version"),
        ("charts?fragment=yes", "fragment must be 1"),
    ],
)
def test_malformed_parameters_get_a_400_page(
    finished: StoredCampaign, client: TestClient, query: str, message: str
) -> None:
    response = client.get(f"/campaigns/{finished.campaign_id}/{query}".replace("/?", "?"))
    assert response.status_code == 400
    assert str(escape(message)) in response.text
    assert "Traceback" not in response.text and "<script>" not in response.text


def test_downloads_are_the_files_export_writes(
    db: Database, db_path: Path, finished: StoredCampaign, client: TestClient, tmp_path: Path
) -> None:
    csv_download = client.get(f"/campaigns/{finished.campaign_id}/results.csv")
    assert csv_download.status_code == 200
    assert f'filename="{finished.name}-results.csv"' in csv_download.headers["content-disposition"]
    exported = tmp_path / "cli.csv"
    result = CliRunner().invoke(
        main, ["export", finished.name, "-o", str(exported), "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    assert csv_download.content == exported.read_bytes()

    xlsx_download = client.get(f"/campaigns/{finished.campaign_id}/results.xlsx")
    assert xlsx_download.status_code == 200
    (tmp_path / "web.xlsx").write_bytes(xlsx_download.content)
    result = CliRunner().invoke(
        main, ["export", finished.name, "-o", str(tmp_path / "cli.xlsx"), "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output

    def cells(path: Path) -> list[tuple[object, ...]]:
        sheet = load_workbook(path, read_only=True).worksheets[0]
        return list(sheet.iter_rows(values_only=True))

    assert cells(tmp_path / "web.xlsx") == cells(tmp_path / "cli.xlsx")
    assert not list(Path(__import__("tempfile").gettempdir()).glob("campaign-download-*/x"))


def test_charts_are_the_report_charts(finished: StoredCampaign, client: TestClient) -> None:
    base = f"/campaigns/{finished.campaign_id}"
    fragment = client.get(f"{base}/charts?fragment=1")
    deadline = time.monotonic() + 30
    while fragment.status_code == 202 and time.monotonic() < deadline:  # a slow drawing:
        fragment = client.get(f"{base}/charts?fragment=1")  # ask again, as the page does
    assert fragment.status_code == 200
    assert fragment.text.count('<svg class="chart"') == 5
    for label in ("Contacts by outcome", "Calls over time", "Talk time", "Calls by hour"):
        assert label in fragment.text
    assert "<script" not in fragment.text
    page = client.get(f"{base}/charts")
    assert page.status_code == 200 and page.text.count('<svg class="chart"') == 5


def test_a_failing_page_shows_no_traceback(
    db: Database, finished: StoredCampaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr("campaign.web.contacts.contact_page", broken)
    app = create_app(db, live_max_age=0, charts_in_process=True)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get(f"/campaigns/{finished.campaign_id}/contacts")
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "RuntimeError" in response.text
    assert "Traceback" not in response.text and "/etc/passwd" not in response.text


def test_pages_keep_working_when_the_runner_is_killed(
    db: Database, db_path: Path, client: TestClient, tmp_path: Path
) -> None:
    people = write_list(tmp_path / "people.csv", 40)
    runner = start_runner(people, db_path, "killed", "--concurrency", "2")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if client.get("/live").json()["campaigns"]:
                break
            time.sleep(0.2)
        campaign_id = client.get("/live").json()["campaigns"][0]["id"]
        url = f"/campaigns/{campaign_id}/live"
        while client.get(url).json()["state"] != "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.get(url).json()["state"] == "running"
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=10)
        after = client.get(url).json()
        assert after["state"] == "interrupted" and after["flags"]["resumable"]
        assert "resume killed" in after["live"]["resume_command"]
        for page in (f"/campaigns/{campaign_id}", f"/campaigns/{campaign_id}/contacts", "/"):
            assert client.get(page).status_code == 200
    finally:
        if runner.poll() is None:
            runner.kill()
