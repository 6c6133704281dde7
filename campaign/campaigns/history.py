"""What this database already knows about a list: the same list run before, numbers
called recently by other campaigns. Used by `run`, `run --dry-run` and `validate` (the
line they print: `recent.recent_calls_report`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import CONNECTED_OUTCOMES, AttemptStatus, CampaignState
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign, Contact


@dataclass(frozen=True)
class RecentCalls:
    last_day: int
    last_week: int
    #: Last outcome (Voicy status, or "in progress") of the numbers called in the last week.
    last_outcomes: dict[str, int] = field(default_factory=dict)


def check_same_list(db: Database, fingerprint: str, *, new: bool, again: bool) -> None:
    """Refuse to start a list this database is running or has run (exit 2 with the fix)."""
    with db.read_session() as session:
        refuse_same_list(session, fingerprint, new=new, again=again)


def refuse_same_list(session: Session, fingerprint: str, *, new: bool, again: bool) -> None:
    """`check_same_list` in an open session: the list import's own transaction, which may
    hold the campaigns table locked until it commits (store/bulk_pg.py)."""
    matches = list(
        session.scalars(
            select(Campaign).where(Campaign.fingerprint == fingerprint).order_by(Campaign.id.desc())
        )
    )
    for campaign in matches:
        total, final = session.execute(
            select(func.count(), func.count(Contact.outcome)).where(
                Contact.campaign_id == campaign.id
            )
        ).one()
        started = (campaign.started_at or campaign.created_at).isoformat(timespec="minutes")
        if campaign.state in CampaignState.unfinished() and not new:
            raise InputError(
                f"this list is campaign {campaign.name} (started {started}, {final} of "
                f"{total} final): resume it with `python -m campaign resume "
                f"{campaign.name}`, or pass --new to start a separate campaign"
            )
        # A canceled campaign ran too: calling its list again must be as deliberate.
        if CampaignState(campaign.state).ended and not again:
            connected = session.scalar(
                select(func.count()).where(
                    Contact.campaign_id == campaign.id, Contact.outcome.in_(CONNECTED_OUTCOMES)
                )
            )
            raise InputError(
                f"this list already ran as campaign {campaign.name} (started {started}, "
                f"{campaign.state}; {connected} of {total} rows reached); pass --again to "
                "call it again (the --min-gap still protects recently called numbers)"
            )


def recent_calls(db: Database, numbers: list[str], now: datetime) -> RecentCalls:
    """How many of `numbers` any campaign called in the last day and week."""
    if not numbers:
        return RecentCalls(0, 0)
    week_ago = now - timedelta(days=7)
    day_ago = now - timedelta(days=1)
    latest: dict[str, tuple[datetime, str]] = {}
    with db.read_session() as session:
        wanted = sorted(set(numbers))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = session.execute(
                select(Attempt.to_number, Attempt.requested_at, Attempt.voicy_status).where(
                    Attempt.to_number.in_(chunk),
                    Attempt.state != AttemptStatus.NOT_PLACED,
                    Attempt.requested_at > week_ago,
                )
            ).all()
            for number, at, status in rows:
                if number not in latest or at > latest[number][0]:
                    latest[number] = (at, status or "in progress")
    last_day = sum(1 for at, _ in latest.values() if at > day_ago)
    outcomes = Counter(status for _, status in latest.values())
    return RecentCalls(last_day, len(latest), dict(outcomes))


def describe_recent(recent: RecentCalls) -> str:
    if not recent.last_week:
        return "No number of this list was called by a campaign in this database in the last week."
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(recent.last_outcomes.items()))
    return (
        f"Called recently by campaigns in this database: {recent.last_day} in the last day, "
        f"{recent.last_week} in the last week (last outcomes: {outcomes})."
    )
