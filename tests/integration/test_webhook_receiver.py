"""The webhook receiver over ASGI on real SQLite files and on PostgreSQL: what it answers,
what it stores (the inbox, once per call), what it counts, and what it never touches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select, text

from campaign.clock import FakeClock
from campaign.receiver import WEBHOOK_PATH, WebhookReceiver
from campaign.store.db import Database, open_db
from campaign.store.inbox import (
    Matched,
    deliveries_for,
    deliveries_to,
    mark_consumed,
    pending_deliveries,
    webhook_stats,
)
from campaign.store.models import ENDED, PLACED, UNKNOWN, Attempt, Campaign, Contact
from campaign.voicy.webhooks import MAX_BODY_BYTES, parse_call_ended, sign
from tests.pg import pg_cluster, pg_url  # noqa: F401

pytestmark = pytest.mark.anyio

SECRET = "whsec_receiver_test_5e2c9a71d0"
FROM = "+12125550100"
KNOWN = "11111111-aaaa-4aaa-8aaa-000000000001"
ENDED_CALL = "11111111-aaaa-4aaa-8aaa-000000000002"
UNKNOWN_DIAL_TO = "+12025550002"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    url = (
        str(tmp_path / "inbox.db")
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    db = open_db(url)
    yield db
    db.dispose()


@pytest.fixture
def campaign_id(store: Database, fake_clock: FakeClock) -> int:
    """A campaign with a call in progress, a call already ended, and an unknown dial."""
    now = fake_clock.now()
    with store.session() as session:
        campaign = Campaign(
            name="webhooks", state="running", created_at=now, settings={}, source_columns=[]
        )
        session.add(campaign)
        session.flush()
        for position, (to, call_id, state) in enumerate(
            [
                ("+12025550001", KNOWN, PLACED),
                ("+12025550003", ENDED_CALL, ENDED),
                (UNKNOWN_DIAL_TO, None, UNKNOWN),
            ]
        ):
            contact = Contact(
                campaign_id=campaign.id,
                position=position,
                line=position + 2,
                import_status="valid",
                to_number=to,
                state="active",
            )
            session.add(contact)
            session.flush()
            session.add(
                Attempt(
                    campaign_id=campaign.id,
                    contact_id=contact.id,
                    number=1,
                    state=state,
                    from_number=FROM,
                    to_number=to,
                    call_id=call_id,
                    requested_at=now - timedelta(minutes=1),
                )
            )
        return int(campaign.id)


def call(call_id: str, to: str = "+12025550001", **extra: Any) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "call_status": "user_hangup",
        "agent": {"id": "agent-1", "name": "Reminder", "version": 1},
        "from_number": FROM,
        "to_number": to,
        "direction": "outgoing",
        "start_timestamp": 1_772_463_540_000,
        "duration_ms": 31_000,
        "transcript": [{"role": "agent", "content": "שלום", "timestamp_ms": 1_772_463_545_000}],
        "summary": "Confirmed.",
        "vars_provided": {},
        "vars_extracted": {"confirmed": True, "opt_out": False},
        "vars_collected": {},
        "call_cost": {"combined_cost": 0.06, "currency": "USD"},
        **extra,
    }


def body(data: dict[str, Any], event: str = "call_ended") -> bytes:
    return json.dumps({"event": event, "call": data}, ensure_ascii=False).encode()


def signed(raw: bytes, secret: str = SECRET) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-voicy-event": "call_ended",
        "x-voicy-signature": sign(secret, raw),
    }


@pytest.fixture
def receiver(store: Database, fake_clock: FakeClock) -> WebhookReceiver:
    return WebhookReceiver(store, SECRET, clock=fake_clock)


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://proxy.test")


async def post(app: Any, raw: bytes, headers: dict[str, str]) -> httpx.Response:
    async with client_for(app) as client:
        return await client.post(WEBHOOK_PATH, content=raw, headers=headers)


def inbox_rows(db: Database) -> list[tuple[Any, ...]]:
    with db.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                text("SELECT call_id, matched_by, attempt_id, body FROM webhook_inbox")
            )
        ]


def calls_state(db: Database) -> list[tuple[Any, ...]]:
    """Everything a receiver must never write: attempts and contacts, column by column."""
    with db.engine.connect() as connection:
        attempts = connection.execute(text("SELECT * FROM attempts ORDER BY id")).all()
        contacts = connection.execute(text("SELECT * FROM contacts ORDER BY id")).all()
    return [tuple(r) for r in [*attempts, *contacts]]


# --- genuine, repeated, forged ---------------------------------------------------------


async def test_a_genuine_delivery_is_stored_once_as_received(
    store: Database, campaign_id: int, receiver: WebhookReceiver
) -> None:
    before = calls_state(store)
    raw = body(call(KNOWN))
    answer = await post(receiver, raw, signed(raw))
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "call_id": KNOWN, "stored": "new"}
    [(call_id, matched_by, _attempt, stored_body)] = inbox_rows(store)
    assert (call_id, matched_by) == (KNOWN, Matched.CALL_ID)
    assert stored_body.encode() == raw  # the raw bytes, Hebrew and all
    with store.read_session() as session:
        entry = deliveries_for(session, [KNOWN, "other"])[KNOWN]
        assert entry.campaign_id == campaign_id and entry.consumed_at is None
        detail = parse_call_ended(entry.body.encode()).detail
        assert detail.summary == "Confirmed." and detail.vars_extracted["confirmed"] is True
        stats = webhook_stats(session, campaign_id)
    assert (stats.delivered, stats.accepted, stats.refused_signature) == (1, 1, 0)
    assert stats.last_delivery_at is not None and stats.last_delivery_at.tzinfo is not None
    assert calls_state(store) == before


async def test_a_replayed_delivery_changes_nothing(
    store: Database, campaign_id: int, receiver: WebhookReceiver, fake_clock: FakeClock
) -> None:
    raw = body(call(KNOWN))
    assert (await post(receiver, raw, signed(raw))).json()["stored"] == "new"
    first = inbox_rows(store)
    fake_clock.advance(3600)
    for _ in range(3):
        answer = await post(receiver, raw, signed(raw))
        assert answer.status_code == 200 and answer.json()["stored"] == "repeated"
    # A later, different (but genuinely signed) body for the same call is a repeat too.
    other = body(call(KNOWN, summary="Second thoughts."))
    assert (await post(receiver, other, signed(other))).json()["stored"] == "repeated"
    assert inbox_rows(store) == first
    with store.read_session() as session:
        stats = webhook_stats(session, campaign_id)
        [entry] = pending_deliveries(session, campaign_id)
    assert (stats.delivered, stats.accepted, stats.repeated) == (1, 1, 4)
    assert stats.last_delivery_at == entry.received_at  # the first arrival


async def test_a_forged_delivery_for_a_real_call_is_refused_and_nothing_is_stored(
    store: Database, campaign_id: int, receiver: WebhookReceiver
) -> None:
    before = calls_state(store)
    genuine = body(call(KNOWN))
    forged = body(call(KNOWN, summary="FORGED", vars_extracted={"opt_out": True}))
    cases = [
        (forged, signed(genuine)),  # content altered under a genuine signature
        (forged, signed(forged, secret="an-attacker-guess-000")),  # wrong key
        (forged, {"content-type": "application/json"}),  # unsigned
        (json.dumps(json.loads(genuine), indent=1).encode(), signed(genuine)),  # re-serialized
    ]
    for raw, headers in cases:
        answer = await post(receiver, raw, headers)
        assert answer.status_code == 401
        assert SECRET not in answer.text
    assert inbox_rows(store) == []
    assert calls_state(store) == before
    with store.read_session() as session:
        stats = webhook_stats(session, campaign_id)
    assert (stats.refused_signature, stats.delivered, stats.accepted) == (4, 0, 0)
    assert stats.counters["signature_missing"] == 1
    assert stats.last_refused_at is not None
    # The genuine one still gets in afterwards.
    assert (await post(receiver, genuine, signed(genuine))).json()["stored"] == "new"


async def test_an_unknown_call_is_answered_200_ignored_and_counted(
    store: Database, campaign_id: int, receiver: WebhookReceiver
) -> None:
    raw = body(call("99999999-0000-4000-8000-inbound00001", to="+12025559999"))
    answer = await post(receiver, raw, signed(raw))
    assert answer.status_code == 200 and answer.json()["stored"] == "unknown_call"
    assert inbox_rows(store) == []
    with store.read_session() as session:
        stats = webhook_stats(session)
    assert (stats.unknown_call, stats.delivered, stats.accepted) == (1, 0, 0)


async def test_a_delivery_for_an_unknown_dial_is_kept_by_number(
    store: Database, campaign_id: int, receiver: WebhookReceiver
) -> None:
    before = calls_state(store)
    raw = body(call("22222222-bbbb-4bbb-8bbb-000000000009", to=UNKNOWN_DIAL_TO))
    assert (await post(receiver, raw, signed(raw))).json()["stored"] == "new"
    [(call_id, matched_by, attempt_id, _)] = inbox_rows(store)
    assert matched_by == Matched.NUMBER
    with store.read_session() as session:
        unknown = session.scalars(select(Attempt).where(Attempt.state == UNKNOWN)).one()
        assert attempt_id == unknown.id
        found = deliveries_to(session, [UNKNOWN_DIAL_TO], since=unknown.requested_at)
    assert [e.call_id for e in found] == [call_id]
    assert calls_state(store) == before  # resolving the dial is the engine's to do


async def test_consuming_marks_deliveries_once(
    store: Database, campaign_id: int, receiver: WebhookReceiver, fake_clock: FakeClock
) -> None:
    for call_id in (KNOWN, ENDED_CALL):
        to = "+12025550001" if call_id == KNOWN else "+12025550003"
        raw = body(call(call_id, to=to))
        assert (await post(receiver, raw, signed(raw))).json()["stored"] == "new"
    with store.session() as session:
        assert mark_consumed(session, [KNOWN], fake_clock.now()) == 1
        assert mark_consumed(session, [KNOWN], fake_clock.now()) == 0
    with store.read_session() as session:
        assert [e.call_id for e in pending_deliveries(session, campaign_id)] == [ENDED_CALL]
        assert webhook_stats(session, campaign_id).consumed == 1


# --- refused bodies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "status", "counter"),
    [
        (b"not json at all", 400, "malformed_body"),
        (b"[]", 400, "malformed_body"),
        (
            json.dumps({"event": "call_ended", "call": {"summary": "x"}}).encode(),
            400,
            "malformed_body",
        ),
        (body(call(KNOWN), event="call_started"), 400, "not_call_ended"),
        (body(call("c" * 65)), 400, "malformed_body"),
        (b"{" + b" " * MAX_BODY_BYTES + b"}", 413, "body_too_large"),
    ],
    ids=["text", "array", "no-call-id", "other-event", "long-call-id", "oversize"],
)
async def test_bad_bodies_are_refused(
    store: Database,
    campaign_id: int,
    receiver: WebhookReceiver,
    raw: bytes,
    status: int,
    counter: str,
) -> None:
    answer = await post(receiver, raw, signed(raw))
    assert answer.status_code == status
    assert "error" in answer.json()
    assert inbox_rows(store) == []
    with store.read_session() as session:
        assert webhook_stats(session).counters[counter] == 1


async def test_an_endless_body_is_cut_off_while_reading(
    store: Database, receiver: WebhookReceiver
) -> None:
    chunk = b"x" * 65536
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": WEBHOOK_PATH, "headers": []}
    with anyio.fail_after(10):
        await receiver(scope, receive, send)
    assert sent[0]["status"] == 413
    assert pulled <= MAX_BODY_BYTES + len(chunk)


async def test_other_methods_and_paths(store: Database, receiver: WebhookReceiver) -> None:
    async with client_for(receiver) as client:
        got = await client.get(WEBHOOK_PATH)
        assert got.status_code == 405 and got.headers["allow"] == "POST"
        assert (await client.post("/webhooks/other", content=b"{}")).status_code == 404


async def test_a_database_that_cannot_take_the_delivery_answers_503(
    store: Database, campaign_id: int, receiver: WebhookReceiver, monkeypatch: Any
) -> None:
    from sqlalchemy.exc import OperationalError

    def broken(*args: Any) -> None:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr("campaign.receiver.app.store_delivery", broken)
    raw = body(call(KNOWN))
    answer = await post(receiver, raw, signed(raw))
    assert answer.status_code == 503


# --- several receivers, one database ---------------------------------------------------


async def test_receivers_racing_on_one_database_store_each_call_once(
    store: Database, campaign_id: int, fake_clock: FakeClock
) -> None:
    second = open_db(store.url)
    receivers = [
        WebhookReceiver(store, SECRET, clock=fake_clock),
        WebhookReceiver(second, SECRET, clock=fake_clock),
    ]
    raw = body(call(KNOWN))
    answers: list[str] = []

    async def deliver(app: WebhookReceiver) -> None:
        answers.append((await post(app, raw, signed(raw))).json()["stored"])

    try:
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                for app in receivers:
                    tg.start_soon(deliver, app)
    finally:
        second.dispose()
    assert sorted(answers) == ["new"] + ["repeated"] * 7
    assert len(inbox_rows(store)) == 1
    with store.read_session() as session:
        stats = webhook_stats(session, campaign_id)
    assert (stats.accepted, stats.repeated) == (1, 7)


# --- the secret ------------------------------------------------------------------------


async def test_the_secret_is_never_stored_answered_or_shown(
    store: Database, campaign_id: int, receiver: WebhookReceiver
) -> None:
    raw = body(call(KNOWN))
    answers = [
        await post(receiver, raw, signed(raw)),
        await post(receiver, raw, {"x-voicy-signature": "sha256=00"}),
        await post(receiver, b"{", signed(b"{")),
    ]
    for answer in answers:
        assert SECRET not in answer.text and SECRET not in str(answer.headers)
    assert SECRET not in repr(receiver)
    with store.engine.connect() as connection:
        for table in ("webhook_inbox", "webhook_counters", "events", "campaigns", "attempts"):
            dump = repr(connection.execute(text(f"SELECT * FROM {table}")).all())
            assert SECRET not in dump, table
