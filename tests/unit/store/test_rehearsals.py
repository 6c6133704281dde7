"""A database holds rehearsals or real campaigns, never both (campaign.store.rehearsals)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import Campaign, Suppression
from campaign.store.rehearsals import REHEARSAL_DB, ensure_apart, rehearsal_db_argument

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def add_campaign(db: Database, name: str, settings: dict[str, object]) -> None:
    with db.session() as session:
        session.add(
            Campaign(
                name=name,
                state="finished",
                created_at=T0,
                settings=settings,
                source_columns=[],
                requests_used=0,
                rate_limited=0,
            )
        )


def add_dnc(db: Database) -> None:
    with db.session() as session:
        session.add(Suppression(e164="+15551230000", source="file:dnc.csv", added_at=T0))


REAL = {"simulate": False}
REHEARSAL = {"simulate": True}


@pytest.mark.parametrize(
    ("stored", "dnc", "simulate", "refused"),
    [
        ([], False, True, None),
        ([], False, False, None),
        ([REHEARSAL], False, True, None),
        ([REHEARSAL], True, True, None),  # opt-outs a rehearsal made stay with it
        ([REAL], False, False, None),
        ([REAL], True, False, None),
        ([REAL], False, True, "holds real campaigns (real-1)"),
        ([{}], False, True, "holds real campaigns"),  # no word of simulate: real
        ([], True, True, "a do-not-call list of 1 numbers"),
        ([REHEARSAL], False, False, "holds rehearsals (--simulate: rehearsal-1)"),
        ([REAL, REHEARSAL], False, False, "holds rehearsals"),
        ([REAL, REHEARSAL], False, True, "holds real campaigns"),
    ],
)
def test_rehearsals_and_real_campaigns_never_share_a_database(
    db: Database,
    stored: list[dict[str, object]],
    dnc: bool,
    simulate: bool,
    refused: str | None,
) -> None:
    for index, settings in enumerate(stored, start=1):
        kind = "rehearsal" if settings.get("simulate") else "real"
        add_campaign(db, f"{kind}-{index}", settings)
    if dnc:
        add_dnc(db)
    if refused is None:
        ensure_apart(db, simulate=simulate)
        return
    with pytest.raises(InputError) as raised:
        ensure_apart(db, simulate=simulate)
    assert refused in raised.value.message
    fix = "--db NEW.db" if not simulate else f"rehearsals go to ./{REHEARSAL_DB}"
    assert fix in raised.value.message


def test_a_rehearsal_without_db_goes_to_its_own_file() -> None:
    assert rehearsal_db_argument(None) == REHEARSAL_DB
    assert rehearsal_db_argument("mine.db") == "mine.db"
