"""`serve`'s webhook route: Voicy (through a proxy, without the dashboard token) reaches
`POST /webhooks/voicy` while every page stays behind the host check and the token; without a
secret the route is off; the secret shows on no page."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.receiver import WEBHOOK_PATH
from campaign.store.db import Database
from campaign.store.inbox import webhook_stats
from campaign.voicy.webhooks import sign
from campaign.web.app import create_app
from campaign.web.guard import LOOPBACK_HOSTS
from tests.outcomes_factory import StoredCampaign, finished_campaign

with warnings.catch_warnings():  # starlette asks for httpx2, which is not packaged here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "dashboard-token-7c1e"
SECRET = "whsec_dashboard_route_0f9d3b"
PROXY = "http://voicy-proxy.example"


@pytest.fixture
def finished(db: Database) -> StoredCampaign:
    return finished_campaign(db)


def delivery(finished: StoredCampaign) -> bytes:
    first = finished.calls[0]
    call = {"call_id": first.call_id, "call_status": first.status, "to_number": first.to_number}
    return json.dumps({"event": "call_ended", "call": call}).encode()


@pytest.fixture
def guarded(db: Database, finished: StoredCampaign) -> Iterator[TestClient]:
    app = create_app(
        db,
        token=TOKEN,
        allowed_hosts=list(LOOPBACK_HOSTS),
        live_max_age=0,
        charts_in_process=True,
        webhook_secret=SECRET,
    )
    with TestClient(app, base_url=PROXY, follow_redirects=False) as client:
        yield client


def test_the_route_takes_signed_deliveries_past_the_dashboard_guard(
    db: Database, finished: StoredCampaign, guarded: TestClient
) -> None:
    raw = delivery(finished)
    answer = guarded.post(
        WEBHOOK_PATH, content=raw, headers={"x-voicy-signature": sign(SECRET, raw)}
    )
    assert answer.status_code == 200 and answer.json()["stored"] == "new"
    unsigned = guarded.post(WEBHOOK_PATH, content=raw)
    assert unsigned.status_code == 401
    # The pages are still guarded: a foreign Host is refused, and so is a missing token.
    assert guarded.get("/").status_code == 421
    assert guarded.get("http://127.0.0.1/").status_code == 401
    with db.read_session() as session:
        stats = webhook_stats(session, finished.campaign_id)
    assert (stats.delivered, stats.refused_signature) == (1, 1)


def test_without_a_secret_the_route_is_off(db: Database, finished: StoredCampaign) -> None:
    app = create_app(db, live_max_age=0, charts_in_process=True)
    raw = delivery(finished)
    with TestClient(app) as client:
        answer = client.post(WEBHOOK_PATH, content=raw, headers={"x-voicy-signature": "x"})
    assert answer.status_code == 404
    assert "VOICY_WEBHOOK_SECRET" in answer.json()["error"]
    with db.read_session() as session:
        assert not webhook_stats(session).any


def test_no_page_shows_the_secret(finished: StoredCampaign, guarded: TestClient) -> None:
    raw = delivery(finished)
    guarded.post(WEBHOOK_PATH, content=raw, headers={"x-voicy-signature": sign(SECRET, raw)})
    base = "http://127.0.0.1"
    assert guarded.get(f"{base}/?token={TOKEN}").status_code == 303
    cid = finished.campaign_id
    for path in ("/", f"/campaigns/{cid}", f"/campaigns/{cid}/live", f"/campaigns/{cid}/contacts"):
        page = guarded.get(f"{base}{path}")
        assert page.status_code == 200, path
        assert SECRET not in page.text, path


def test_status_json_and_the_campaign_page_show_the_deliveries(
    db: Database, db_path: Path, finished: StoredCampaign, guarded: TestClient
) -> None:
    cid = finished.campaign_id
    base = "http://127.0.0.1"
    guarded.get(f"{base}/?token={TOKEN}")
    before = guarded.get(f"{base}/campaigns/{cid}").text
    assert "none received (results come from polling)" in before
    raw = delivery(finished)
    guarded.post(WEBHOOK_PATH, content=raw, headers={"x-voicy-signature": sign(SECRET, raw)})
    guarded.post(WEBHOOK_PATH, content=raw, headers={"x-voicy-signature": "sha256=0"})
    page = guarded.get(f"{base}/campaigns/{cid}").text
    assert "1 received (last " in page and "1 refused: bad signature" in page
    live = guarded.get(f"{base}/campaigns/{cid}/live").json()
    assert "1 received" in json.dumps(live)
    result = CliRunner().invoke(main, ["status", finished.name, "--json", "--db", str(db_path)])
    hooks = json.loads(result.output)["webhooks"]
    assert (hooks["delivered"], hooks["refused_signature"]) == (1, 1)
    assert hooks["last_delivery_at"].endswith("+00:00")
    text = CliRunner().invoke(main, ["status", finished.name, "--db", str(db_path)]).output
    assert "Webhooks" in text and "1 received" in text and SECRET not in text


def test_a_stored_delivery_wakes_the_campaigns_this_server_runs(
    db: Database, finished: StoredCampaign, guarded: TestClient
) -> None:
    runners = guarded.app.state.launch.runners  # type: ignore[attr-defined]
    assert runners.relay is not None  # every runner it starts is attached (launch_runner)
    rows_when_woken: list[int] = []

    def wake() -> None:  # what Runner.delivery_arrived is told
        with db.read_session() as session:
            rows_when_woken.append(webhook_stats(session, finished.campaign_id).delivered)

    raw = delivery(finished)
    signed = {"x-voicy-signature": sign(SECRET, raw)}
    with runners.relay.attached(wake):
        assert guarded.post(WEBHOOK_PATH, content=raw, headers=signed).status_code == 200
        assert guarded.post(WEBHOOK_PATH, content=raw, headers=signed).status_code == 200
        assert guarded.post(WEBHOOK_PATH, content=raw).status_code == 401
    # Woken once, for the new delivery, after its row was written; a repeat and a forgery
    # wake nobody.
    assert rows_when_woken == [1]
