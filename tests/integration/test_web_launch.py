"""New campaign from the browser, at the HTTP level: upload, check, map, start (simulated).

The app runs in the TestClient's event loop with its lifespan, so a started campaign runs
in the app's own task on the in-process simulator, whose `dial_counts` is the ground truth.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from campaign.contacts import ImportOptions, load_contacts, validation_summary
from campaign.simulator import DEFAULT_AGENT_ID, DEFAULT_FROM_NUMBERS
from campaign.simulator.agents import APPOINTMENT_AGENT
from campaign.store.db import Database, open_db
from campaign.store.models import Campaign
from campaign.voicy.models import Agent
from campaign.web.app import create_app
from tests.ground_truth import assert_never_twice, placed_per_number

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_lists" / "contacts.csv"
#: The simulated account has two agents: the form names the one to check the vars against.
MAPPED = {
    "agent_id": DEFAULT_AGENT_ID,
    "mapped": "1",
    "map:first_name": "first_name",
    "map:appointment_date": "appointment_date",
    "map:clinic_name": "clinic_name",
}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_db(tmp_path / "campaign.db")
    yield database
    database.dispose()


def _client(db: Database, upload_limit: int = 50 * 1024 * 1024) -> TestClient:
    app = create_app(
        db, simulate=True, live_max_age=0, charts_in_process=True, upload_limit=upload_limit
    )
    return TestClient(app, follow_redirects=True)


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/new").text)
    assert found
    return found.group(1)


def _upload(client: TestClient, name: str, data: bytes) -> tuple[str, str]:
    """(page text, page URL) after uploading `data` as `name`."""
    response = client.post(
        "/new", data={"csrf": _csrf(client)}, files={"file": (name, data, "text/csv")}
    )
    return response.text, str(response.url)


def _counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def _wait_finished(client: TestClient, campaign_id: int, timeout: float = 40.0) -> None:
    launched = client.app.state.launch.runners.launched[campaign_id]  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while not launched.done.is_set():
        assert time.monotonic() < deadline, "the browser-started campaign did not finish"
        time.sleep(0.2)
    assert launched.error is None


def test_upload_check_map_start_runs_to_the_end_never_twice(db: Database) -> None:
    agent = Agent.from_json(APPOINTMENT_AGENT.to_json())
    expected = validation_summary(load_contacts(SAMPLE, ImportOptions(), agent=agent))
    with _client(db) as client:
        page, url = _upload(client, "contacts.csv", SAMPLE.read_bytes())
        assert _counts(page) == {
            "rows": expected["rows"],
            "valid": expected["valid"],
            "invalid": expected["invalid"],
            "duplicate": expected["duplicate"],
            "dnc": 0,
        }
        assert "data-phone-column>phone<" in page
        rejected = client.get(url + "/rejected.csv?phone_column=&region=US&sheet=")
        assert rejected.status_code == 200
        assert rejected.text.count("\n") == expected["invalid"] + 1
        token = _csrf(client)
        estimate = client.post(url, data={"csrf": token, "action": "estimate", **MAPPED})
        assert re.search(rf"data-estimate-calls>{expected['valid']}<", estimate.text)
        started = client.post(
            url,
            data={
                "csrf": token,
                "action": "start",
                **MAPPED,
                "max_attempts": "2",
                "name": "web list",
                "from_number": DEFAULT_FROM_NUMBERS[0],
            },
        )
        assert started.status_code == 200, started.text
        campaign_id = int(str(started.url).rsplit("/", 1)[1])
        assert "web list" in started.text
        _wait_finished(client, campaign_id)
        world = client.app.state.launch.runners.launched[campaign_id].world  # type: ignore[attr-defined]
        assert_never_twice(db, campaign_id, world, max_attempts=2)
        assert len(world.dial_counts) == expected["valid"]

        again = client.post(url, data={"csrf": token, "action": "start", **MAPPED})
        assert again.status_code == 409
        assert "data-start-error" in again.text
    with db.read_session() as session:
        stored = session.get(Campaign, campaign_id)
        assert stored is not None and stored.state == "finished"
        assert stored.settings["max_attempts"] == 2 and stored.settings["simulate"] is True
        assert stored.settings["from_numbers"] == [DEFAULT_FROM_NUMBERS[0]]


def test_second_tab_starting_the_same_list_gets_a_clear_error(db: Database) -> None:
    with _client(db) as client:
        _, url = _upload(client, "contacts.csv", SAMPLE.read_bytes())
        token = _csrf(client)
        first = client.post(url, data={"csrf": token, "action": "start", **MAPPED})
        assert first.status_code == 200
        second = client.post(url, data={"csrf": token, "action": "start", **MAPPED})
        assert second.status_code == 409
        assert re.search(r"data-start-error>[^<]*(already|unfinished|resume)", second.text)
        campaign_id = int(str(first.url).rsplit("/", 1)[1])
        _wait_finished(client, campaign_id)
    with db.read_session() as session:
        assert session.query(Campaign).count() == 1


def test_without_a_chosen_agent_the_page_says_the_vars_are_unchecked_and_maps_columns(
    db: Database,
) -> None:
    """Two agents and none chosen: nothing is checked, and the page says so and shows what
    each column is sent as; renaming a Hebrew header there is what the calls then send."""
    hebrew = "שם,phone,תאריך תור\nדנה,+972502345678,יום שלישי\nרון,+972502345679,\n"
    with _client(db) as client:
        page, url = _upload(client, "patients.csv", hebrew.encode())
        assert "data-unchecked" in page and "the account has 2 agents" in page
        assert 'data-as="שם" dir="auto" aria-label' in page and 'value="שם"' in page
        assert "data-map=" not in page  # no agent, so no agent var to map
        renamed = client.post(
            url,
            data={
                "csrf": _csrf(client),
                "action": "check",
                "mapped": "columns",
                "as:שם": "first_name",
                "as:תאריך תור": "",
            },
        )
        preview = re.findall(r'<td class="mono" dir="auto">([^<]*)</td>', renamed.text)
        sent = [json.loads(html.unescape(cell)) for cell in preview]
        assert sent == [{"first_name": "דנה"}, {"first_name": "רון"}]
        chosen = client.post(
            url,
            data={
                "csrf": _csrf(client),
                "action": "check",
                "agent_id": DEFAULT_AGENT_ID,
                "mapped": "columns",
                "as:שם": "first_name",
                "as:תאריך תור": "",
            },
        )
        assert "data-unchecked" not in chosen.text and 'data-map="first_name"' in chosen.text


def test_unmapped_required_var_blocks_the_start(db: Database) -> None:
    with _client(db) as client:
        _, url = _upload(client, "contacts.csv", SAMPLE.read_bytes())
        unmapped = {**MAPPED, "map:first_name": ""}
        refused = client.post(url, data={"csrf": _csrf(client), "action": "start", **unmapped})
        assert refused.status_code == 400
        assert "Map a column to each of first_name" in refused.text
    with db.read_session() as session:
        assert session.query(Campaign).count() == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.csv", b"", "is empty"),
        ("picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not a contact list"),
        ("names.csv", b"name,city\nAda,London\nBob,Paris\n", "phone"),
    ],
)
def test_bad_files_get_a_message_and_store_nothing(
    db: Database, name: str, data: bytes, message: str
) -> None:
    with _client(db) as client:
        page, _ = _upload(client, name, data)
        assert message in page
        assert "data-launch-error" in page
        assert "data-start disabled" in page
    with db.read_session() as session:
        assert session.query(Campaign).count() == 0


def test_cells_stay_text(db: Database) -> None:
    hostile = (
        b"first_name,phone,appointment_date\n"
        b"\"=cmd|' /C calc'!A0\",212-555-0143,<img src=x onerror=alert(1)>\n"
    )
    with _client(db) as client:
        page, _ = _upload(client, "hostile.csv", hostile)
    # The preview shows each call's vars_provided as JSON, with markup characters escaped.
    assert "<img src=x" not in page
    assert r'"\u003cimg src=x onerror=alert(1)\u003e"' in page
    assert r'"=cmd|\u0027 /C calc\u0027!A0"' in page


def test_oversize_upload_is_refused_before_reading(db: Database) -> None:
    with _client(db, upload_limit=1000) as client:
        page, _ = _upload(client, "big.csv", b"phone\n" + b"2125550143\n" * 200)
        assert "larger than the" in page and "MB limit" in page


def test_post_without_csrf_is_403(db: Database) -> None:
    with _client(db) as client:
        response = client.post("/new", files={"file": ("c.csv", SAMPLE.read_bytes())})
        assert response.status_code == 403


def test_stopping_the_app_drains_its_campaigns_like_ctrl_c(db: Database) -> None:
    with _client(db) as client:
        _, url = _upload(client, "contacts.csv", SAMPLE.read_bytes())
        started = client.post(
            url, data={"csrf": _csrf(client), "action": "start", **MAPPED, "concurrency": "5"}
        )
        campaign_id = int(str(started.url).rsplit("/", 1)[1])
        launched = client.app.state.launch.runners.launched[campaign_id]  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        while not launched.world or not launched.world.dial_counts:
            assert time.monotonic() < deadline, "no call placed"
            time.sleep(0.1)
    # The lifespan's end asked the runner to stop and waited for it: resumable later.
    assert launched.done.is_set() and launched.error is None
    assert launched.result is not None and launched.result.state == "interrupted"
    with db.read_session() as session:
        stored = session.get(Campaign, campaign_id)
        assert stored is not None and stored.state == "interrupted"
    assert_never_twice(db, campaign_id, launched.world, max_attempts=3)

    # The next serve resumes it by itself, with its stored settings, to the end.
    with _client(db) as client:
        assert client.app.state.launch.runners.is_running(campaign_id)  # type: ignore[attr-defined]
        _wait_finished(client, campaign_id)
        second = client.app.state.launch.runners.launched[campaign_id]  # type: ignore[attr-defined]
    both = launched.world.dial_counts + second.world.dial_counts
    assert placed_per_number(db, campaign_id) == both
    assert max(both.values()) <= 3


def test_workbook_sheet_is_chosen_and_a_wrong_one_explained(db: Database) -> None:
    workbook = ROOT / "sample_lists" / "contacts.xlsx"
    expected = validation_summary(load_contacts(workbook, ImportOptions(sheet="Contacts")))
    with _client(db) as client:
        page, url = _upload(client, "contacts.xlsx", workbook.read_bytes())
        assert '<option value="Notes">' in page
        assert _counts(page)["valid"] == expected["valid"]
        notes = client.post(url, data={"csrf": _csrf(client), "action": "check", "sheet": "Notes"})
        assert "data-launch-error" in notes.text
        assert "data-start disabled" in notes.text


def test_a_bare_number_as_a_retry_delay_is_refused_on_the_page(db: Database) -> None:
    with _client(db) as client:
        _, url = _upload(client, "contacts.csv", SAMPLE.read_bytes())
        refused = client.post(
            url, data={"csrf": _csrf(client), "action": "start", **MAPPED, "retry_busy": "10"}
        )
        assert refused.status_code == 400
        assert "retry delay for busy: &#39;10&#39; has no unit: did you mean 10m?" in refused.text
    with db.read_session() as session:
        assert session.query(Campaign).count() == 0
