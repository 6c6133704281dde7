"""The pieces that keep several runners apart on PostgreSQL, one at a time (no processes).

Claims with fencing tokens, intents refused to a runner declared dead, take-over of its
open attempts, writes refused to a former owner, the key's line cap and request budget.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from campaign.calls.answers import record_not_placed, record_placed_many
from campaign.calls.due import Candidate, claim_due, release
from campaign.calls.fate import Decision
from campaign.calls.fencing import Fence
from campaign.calls.intents import (
    Blocked,
    BlockedBy,
    ClaimCheck,
    Intent,
    IntentRequest,
    write_intents,
)
from campaign.calls.recovery import take_over
from campaign.clock import FakeClock
from campaign.engine.coordination.leases import register, renew
from campaign.engine.coordination.lines import LineCap, key_fingerprint
from campaign.engine.coordination.lock import RunnerIdentity
from campaign.engine.coordination.shared_budget import SharedBudget
from campaign.engine.settings import RunSettings
from campaign.store.db import Database, open_db
from campaign.store.models import Attempt, Contact
from campaign.store.runners import live_runners
from tests.factories import fake_contacts, us_numbers

pytestmark = [pytest.mark.postgres, pytest.mark.anyio]

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
FROM = "+12125550100"
KEY = key_fingerprint("voicy_sk_test")
LEASE = 30.0


@dataclass
class Store:
    db: Database
    campaign_id: int
    a: RunnerIdentity
    b: RunnerIdentity


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    from campaign.campaigns.create import create_campaign

    db = open_db(pg_url)
    contacts = fake_contacts(us_numbers(20))
    campaign = create_campaign(db, contacts, RunSettings(), now=NOW)  # type: ignore[arg-type]
    a, b = RunnerIdentity(token="aaaa"), RunnerIdentity(token="bbbb")
    register(db, campaign.id, a, KEY, LEASE)
    register(db, campaign.id, b, KEY, LEASE)
    yield Store(db, campaign.id, a, b)
    db.dispose()


def placed(store: Store, attempt_id: int, call_id: str, fence: Fence | None = None) -> None:
    with store.db.session() as session:
        record_placed_many(session, [(attempt_id, call_id, "initiated", NOW)], fence)


def sql(store: Store, statement: str, **params: object) -> None:
    with store.db.session() as session:
        session.execute(text(statement), params)


def intents(
    store: Store, owner: RunnerIdentity, batch: list[Candidate], lines: LineCap | None = None
) -> list[Intent | Blocked]:
    return write_intents(
        store.db,
        [IntentRequest(c.contact_id, FROM, None) for c in batch],
        campaign_id=store.campaign_id,
        runner=owner.owner,
        now=NOW,
        claim=ClaimCheck(owner.owner, {c.contact_id: c.fence or 0 for c in batch}, KEY, lines),
    )


def test_claims_are_disjoint_and_a_stale_claim_cannot_write_its_intent(store: Store) -> None:
    a_batch = claim_due(store.db, store.campaign_id, store.a.owner, NOW, 5, LEASE)
    b_batch = claim_due(store.db, store.campaign_id, store.b.owner, NOW, 5, LEASE)
    assert len(a_batch) == len(b_batch) == 5
    assert not {c.contact_id for c in a_batch} & {c.contact_id for c in b_batch}
    assert [c.contact_id for c in a_batch] == sorted(c.contact_id for c in a_batch)

    # A pauses past its lease: B claims A's contacts, raising their fencing tokens.
    sql(
        store,
        "UPDATE contacts SET lease_until = now() - interval '1 second' WHERE claimed_by = :a",
        a=store.a.owner,
    )
    taken = claim_due(store.db, store.campaign_id, store.b.owner, NOW, 20, LEASE)
    a_ids = {c.contact_id for c in a_batch}
    assert a_ids <= {c.contact_id for c in taken}

    # A wakes up and writes the intents it prepared: refused, nothing recorded.
    assert all(w == Blocked(BlockedBy.RACED) for w in intents(store, store.a, a_batch))
    with store.db.read_session() as session:
        assert session.scalar(select(Attempt.id)) is None
    mine = [c for c in taken if c.contact_id in a_ids]
    assert all(isinstance(w, Intent) for w in intents(store, store.b, mine))

    release(store.db, store.b.owner, [c.contact_id for c in taken])
    with store.db.read_session() as session:
        claimed = session.scalars(select(Contact.claimed_by).where(Contact.state == "queued"))
        assert set(claimed) == {None}


def test_a_runner_declared_dead_is_taken_over_and_refused(store: Store) -> None:
    batch = claim_due(store.db, store.campaign_id, store.a.owner, NOW, 3, LEASE)
    written = intents(store, store.a, batch)
    first, second, third = (w for w in written if isinstance(w, Intent))
    placed(store, first.attempt_id, "call-1")

    sql(
        store,
        "UPDATE runners SET lease_until = now() - interval '1 second' WHERE id = :a",
        a=store.a.owner,
    )
    with store.db.session() as session:
        taken = take_over(session, store.campaign_id, store.b.owner, NOW)
    assert taken.dead == [store.a.owner]
    assert sorted(taken.attempts) == sorted(w.attempt_id for w in (first, second, third))
    assert taken.unknown == 2  # its unanswered intents: reconciled before any redial
    with store.db.read_session() as session:
        rows = dict(session.execute(select(Attempt.id, Attempt.state)).all())
        owners = set(session.scalars(select(Attempt.runner)))
        assert [r.id for r in live_runners(session, store.campaign_id)] == [store.b.owner]
    assert rows == {
        first.attempt_id: "placed",
        second.attempt_id: "unknown",
        third.attempt_id: "unknown",
    }
    assert owners == {store.b.owner}

    # A, unaware, records an answer and an end: refused and reported, nothing written.
    refused: list[int] = []
    fence = Fence(store.a.owner, refused.extend)
    placed(store, second.attempt_id, "call-2", fence)
    with store.db.session() as session:
        assert not record_not_placed(
            session, third.attempt_id, "x", Decision(final=False), NOW, fence
        )
    assert refused == [second.attempt_id, third.attempt_id]
    with store.db.read_session() as session:
        assert session.get(Attempt, second.attempt_id).call_id is None  # type: ignore[union-attr]
    assert renew(store.db, store.a.owner, LEASE) is False  # its heartbeat stops it
    more = claim_due(store.db, store.campaign_id, store.b.owner, NOW, 1, LEASE)
    assert intents(store, store.a, more) == [Blocked(BlockedBy.LEASE_LOST)]


def test_the_line_cap_counts_open_calls_of_the_key_across_runners(store: Store) -> None:
    lines = LineCap(store.db, KEY, limit=3)
    a_batch = claim_due(store.db, store.campaign_id, store.a.owner, NOW, 2, LEASE)
    assert all(isinstance(w, Intent) for w in intents(store, store.a, a_batch, lines))
    assert lines.free() == 1
    b_batch = claim_due(store.db, store.campaign_id, store.b.owner, NOW, 3, LEASE)
    written = intents(store, store.b, b_batch, lines)
    assert [type(w).__name__ for w in written] == ["Intent", "Blocked", "Blocked"]
    assert written[1] == Blocked(BlockedBy.LINES_BUSY)
    assert lines.free() == 0


async def test_the_request_budget_is_shared_by_every_runner_of_the_key(store: Store) -> None:
    clock = FakeClock(NOW)
    first = SharedBudget(5, clock, store.db, KEY)
    second = SharedBudget(5, clock, store.db, KEY)
    granted: list[float] = []
    for budget in (first, second) * 5:
        await budget.acquire("call-get")
        granted.append(clock.time())
    # Never more than 5 in any minute, whichever runner asked.
    for start in granted:
        assert sum(1 for t in granted if start <= t < start + 60) <= 5
    assert granted[5] - granted[0] >= 60
    assert second.used_last_minute() == 5  # each sees the key's whole log

    # Dials take their tokens inside the intent transaction: none while the window is full.
    with store.db.session() as session:
        assert first.reserve(session, 3).available == 0
    async with first.turn("call-dial"):  # waits for the key's next free token
        assert clock.time() >= granted[5] + 60
    with store.db.session() as session:
        reservation = first.reserve(session, 3)
        assert reservation.available == 3
        reservation.spend(2)
    with store.db.session() as session:
        assert second.reserve(session, 5).available == 3  # the 2 dials count for everyone
