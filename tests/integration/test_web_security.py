"""The dashboard's gate over HTTP: the access token (401 for everything without it), the
CSRF token on every POST, the Host check against DNS rebinding, and the security headers."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest

from campaign.store.db import Database
from campaign.store.models import Campaign
from campaign.web.app import create_app
from tests.outcomes_factory import ready_campaign

with warnings.catch_warnings():  # starlette asks for httpx2, which is not packaged here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "correct-horse-battery-staple"


@pytest.fixture
def campaign_id(db: Database) -> int:
    return ready_campaign(db, "fresh", contacts=3)


@pytest.fixture
def guarded(db: Database, campaign_id: int) -> Iterator[TestClient]:
    app = create_app(db, token=TOKEN, live_max_age=0, charts_in_process=True)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def state_of(db: Database, campaign_id: int) -> str:
    with db.read_session() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        return campaign.state


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def test_without_the_token_everything_is_401(
    db: Database, campaign_id: int, guarded: TestClient
) -> None:
    urls = [
        "/",
        "/live",
        f"/campaigns/{campaign_id}",
        f"/campaigns/{campaign_id}/live",
        f"/campaigns/{campaign_id}/contacts",
        f"/campaigns/{campaign_id}/contacts/1",
        f"/campaigns/{campaign_id}/charts",
        f"/campaigns/{campaign_id}/results.csv",
        f"/campaigns/{campaign_id}/cancel",
        "/static/app.js",
        "/static/app.css",
        "/nowhere",
    ]
    for url in urls:
        for headers in ({}, {"authorization": "Bearer wrong-token"}):
            response = guarded.get(url, headers=headers)
            assert response.status_code == 401, url
            assert "Access token needed" in response.text
            assert TOKEN not in response.text
    assert guarded.get(f"/?token={TOKEN}x").status_code == 401
    for action in ("pause", "cancel"):
        response = guarded.post(f"/campaigns/{campaign_id}/{action}", data={"csrf": "x"})
        assert response.status_code == 401
    assert state_of(db, campaign_id) == "ready"


def test_the_token_in_the_address_becomes_a_cookie(campaign_id: int, guarded: TestClient) -> None:
    welcome = guarded.get(f"/campaigns/{campaign_id}/contacts?token={TOKEN}&page=1")
    assert welcome.status_code == 303
    assert welcome.headers["location"] == f"/campaigns/{campaign_id}/contacts?page=1"
    cookie = welcome.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    page = guarded.get(welcome.headers["location"])
    assert page.status_code == 200 and TOKEN not in page.text
    assert guarded.get("/static/app.js").status_code == 200
    elsewhere = guarded.get(f"http://testserver//evil.example/x?token={TOKEN}")
    assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/evil.example/x"


def test_a_bearer_token_works_for_scripts(campaign_id: int, guarded: TestClient) -> None:
    response = guarded.get(
        f"/campaigns/{campaign_id}/live", headers={"authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 200
    assert response.json()["state"] == "ready"


def test_a_post_needs_this_browsers_csrf_token(db: Database, campaign_id: int) -> None:
    app = create_app(db, live_max_age=0, charts_in_process=True)
    with TestClient(app, follow_redirects=False) as client:
        token = csrf_of(client.get(f"/campaigns/{campaign_id}").text)
        url = f"/campaigns/{campaign_id}/pause"
        for form in ({}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": token + "0"}):
            response = client.post(url, data=form)
            assert response.status_code == 403
            assert "Nothing was changed" in response.text
        cross_site = client.post(
            url, data={"csrf": token}, headers={"origin": "http://evil.example"}
        )
        assert cross_site.status_code == 403
        assert state_of(db, campaign_id) == "ready"
        other = create_app(db, live_max_age=0, charts_in_process=True)
        with TestClient(other, follow_redirects=False) as stranger:
            stranger.get("/")  # another browser: its own nonce cookie
            response = stranger.post(url, data={"csrf": token})
            assert response.status_code == 403
        done = client.post(url, data={"csrf": token}, headers={"origin": "http://testserver"})
        assert done.status_code == 303
        assert done.headers["location"] == f"/campaigns/{campaign_id}?done=pause-applied"
        assert state_of(db, campaign_id) == "paused"


def test_only_loopback_host_names_are_served(db: Database, campaign_id: int) -> None:
    app = create_app(
        db, allowed_hosts=["127.0.0.1", "localhost"], live_max_age=0, charts_in_process=True
    )
    with TestClient(app, base_url="http://127.0.0.1:8700") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"host": "localhost:8700"}).status_code == 200
        rebound = client.get("/", headers={"host": "attacker.example:8700"})
        assert rebound.status_code == 421


def test_security_headers_on_pages_errors_and_json(db: Database, campaign_id: int) -> None:
    with TestClient(create_app(db, live_max_age=0, charts_in_process=True)) as client:
        for url in (
            "/",
            f"/campaigns/{campaign_id}",
            f"/campaigns/{campaign_id}/live",
            "/campaigns/999",
            f"/campaigns/{campaign_id}/contacts?page=x",
        ):
            headers = client.get(url).headers
            csp = headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
            assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["x-frame-options"] == "DENY"
            assert headers["cache-control"] == "no-store"
