"""Storing a 100k-row list with the bulk insert, and reading every field back (SQLite here,
PostgreSQL's COPY in tests/integration/postgres/test_pg_bulk.py, with the same check)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from campaign.contacts import load_contacts, open_contacts
from campaign.engine.create import _contact_values, create_campaign
from campaign.engine.settings import RunSettings
from campaign.store.bulk import insert_rows
from campaign.store.db import Database
from campaign.store.models import Campaign, Contact, Suppression

NOW = datetime(2026, 3, 2, 15, 0, 0, 123456, tzinfo=UTC)
FIELDS = (
    "position", "line", "raw", "raw_phone", "to_number", "import_status", "reason", "warning",
    "duplicate_of_line", "vars", "from_number", "agent_id", "timezone", "region", "state",
    "attempts", "next_attempt_at", "wait_reason", "outcome", "error", "final_at", "fence",
    "claimed_by", "lease_until",
)  # fmt: skip


def write_list(path: Path, rows: int, seed: int = 9) -> Path:
    rng = random.Random(seed)
    lines = ["שם,phone,note,from_number"]
    earlier: list[str] = []
    for i in range(rows):
        draw = rng.random()
        if draw < 0.01:
            phone = rng.choice(["12", "", "1.55512E+10"])
        elif draw < 0.1 and earlier:
            phone = rng.choice(earlier)
        else:
            phone = f"+1 212 {rng.randint(200, 999)} {rng.randint(0, 9999):04d}"
            earlier.append(phone)
        name = rng.choice(["דנה", "José", 'Ana "Bo"', "O'Brien", ""])
        note = rng.choice(["", "vip", "line one\nline two" if i % 500 == 0 else "x"])
        caller = "+12125550100" if i % 97 == 0 else ""
        lines.append(
            f'{name.replace(chr(34), chr(34) * 2).join(chr(34) * 2)},{phone},"{note}",{caller}'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored(db: Database, campaign_id: int) -> list[dict[str, Any]]:
    columns = [getattr(Contact, name) for name in FIELDS]
    with db.read_session() as session:
        result = session.execute(
            select(*columns).where(Contact.campaign_id == campaign_id).order_by(Contact.position)
        )
        return [dict(zip(FIELDS, row, strict=True)) for row in result]


def check_roundtrip(db: Database, tmp_path: Path, rows: int = 100_000) -> None:
    path = write_list(tmp_path / "big.csv", rows)
    whole = load_contacts(path)
    dnc = next(row.e164 for row in whole.rows("valid"))
    with db.session() as session:
        session.add(Suppression(e164=dnc, source="test", reason=None, added_at=NOW))
    stream = open_contacts(path, chunk_rows=20_000)
    campaign = create_campaign(db, stream, RunSettings(), now=NOW)
    stored = _stored(db, campaign.id)
    assert len(stored) == len(whole) > 0.99 * rows  # blank lines are no rows
    expected = [_contact_values(campaign.id, row, {dnc}, NOW) for row in whole.rows()]
    for got, want in zip(stored, expected, strict=True):
        for name in FIELDS:
            if name in want:
                assert got[name] == want[name], (name, got, want)
    assert stored[0]["fence"] == 0 and stored[0]["claimed_by"] is None
    outcomes = {row["outcome"] for row in stored}
    assert {"invalid", "duplicate", "dnc", None} <= outcomes
    assert any("\n" in (row["raw"]["note"]) for row in stored)

    # The same rows through the ORM's insert read back identically.
    with db.session() as session:
        other = Campaign(
            name="orm",
            state="ready",
            created_at=NOW,
            settings={},
            source_columns=[],
            requests_used=0,
            rate_limited=0,
        )
        bulk = Campaign(
            name="bulk",
            state="ready",
            created_at=NOW,
            settings={},
            source_columns=[],
            requests_used=0,
            rate_limited=0,
        )
        session.add_all([other, bulk])
        session.flush()
        sample = [row for _, row in zip(range(300), whole.rows(), strict=False)]
        session.execute(insert(Contact), [_contact_values(other.id, r, {dnc}, NOW) for r in sample])
        insert_rows(session, Contact, (_contact_values(bulk.id, r, {dnc}, NOW) for r in sample))
        ids = other.id, bulk.id
    assert _stored(db, ids[0]) == _stored(db, ids[1])


def test_a_100k_row_list_round_trips_through_sqlite(db: Database, tmp_path: Path) -> None:
    check_roundtrip(db, tmp_path)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
