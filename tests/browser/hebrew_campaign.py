"""An Israeli clinic's campaign as the Hebrew pages must show it: running, its list waiting for
the end of Yom Kippur, webhooks received and refused, the Voicy API down, and every setting.

`clinic_campaign(db)` stores it (a runner heartbeat far in the future keeps it "running" for
the whole session, so the outage line shows) and returns its id.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import holidays
from sqlalchemy import select

from campaign.calls.vocab import AttemptStatus, CampaignState, ContactState
from campaign.engine.settings import RunSettings
from campaign.store.db import Database
from campaign.store.models import (
    Attempt,
    Campaign,
    Contact,
    Event,
    WebhookCounter,
    WebhookDelivery,
)

NAME = "מרפאה-תורים"
PEOPLE = (
    ("יוסי כהן", "+972527654321"),
    ("דנה לוי", "+972542906197"),
    ("משה אברהם", "+97236123456"),
)


def next_yom_kippur(after: date) -> date:
    """The next Yom Kippur from `after` on (the holidays library's Israeli calendar)."""
    for year in (after.year, after.year + 1):
        for day, name in holidays.country_holidays("IL", years=year, language="en_US").items():
            if name == "Yom Kippur" and day >= after:
                return day
    raise AssertionError("no Yom Kippur within a year")


def clinic_campaign(db: Database) -> int:
    now = datetime.now(UTC)
    # The Israelis wait for the morning after the next Yom Kippur (09:00 in Israel, near).
    after = next_yom_kippur(now.date()) + timedelta(days=1)
    opens = datetime.combine(after, time(6, 0), tzinfo=UTC)
    settings = RunSettings(
        from_numbers=("+972559876543",),
        agent_id="agent_clinic",
        max_cost=50.0,
        min_gap=86400.0,
        local_presence=True,
    ).to_json()
    with db.session() as session:
        campaign = Campaign(
            name=NAME,
            state=CampaignState.RUNNING,
            created_at=now - timedelta(hours=1),
            started_at=now - timedelta(minutes=50),
            settings=settings,
            source_name=f"{NAME}.csv",
            source_columns=["שם", "טלפון"],
            phone_column="טלפון",
            requests_used=40,
            rate_limited=1,
            lock_owner="clinic-host:4242",
            lock_pid=4242,
            lock_host="clinic-host",
            lock_acquired_at=now - timedelta(minutes=50),
            lock_heartbeat_at=now + timedelta(days=3650),  # alive for the whole session
        )
        session.add(campaign)
        session.flush()
        for position, (name, number) in enumerate(PEOPLE):
            session.add(
                Contact(
                    campaign_id=campaign.id,
                    position=position,
                    line=position + 2,
                    raw={"שם": name, "טלפון": number},
                    raw_phone=number,
                    to_number=number,
                    import_status="valid",
                    vars={"שם": name},
                    region="IL",
                    state=ContactState.QUEUED,
                    attempts=1,
                    next_attempt_at=opens,
                    wait_reason="window",
                    wait_detail="holiday (Yom Kippur)",
                )
            )
        session.flush()
        first = session.scalar(
            select(Contact.id).where(Contact.campaign_id == campaign.id, Contact.position == 0)
        )
        session.add(
            Attempt(
                campaign_id=campaign.id,
                contact_id=first,
                number=1,
                state=AttemptStatus.ENDED,
                from_number="+972559876543",
                to_number=PEOPLE[0][1],
                call_id="c0ffee00-0000-4000-8000-000000000001",
                requested_at=now - timedelta(minutes=8),
                started_at=now - timedelta(minutes=8),
                ended_at=now - timedelta(minutes=6),
                voicy_status="no_answer",
                category="failed",
                duration_ms=0,
                transcript=[
                    {"role": "agent", "content": "שלום, מדברים ממרפאת הדר", "timestamp_ms": 0},
                    {"role": "user", "content": "כן, שלום", "timestamp_ms": 2500},
                ],
                details_fetched=True,
            )
        )
        session.add(
            WebhookDelivery(
                call_id="c0ffee00-0000-4000-8000-000000000001",
                campaign_id=campaign.id,
                matched_by="call_id",
                call_status="user_hangup",
                from_number="+972559876543",
                to_number=PEOPLE[0][1],
                received_at=now - timedelta(minutes=5),
                body="{}",
                consumed_at=now - timedelta(minutes=5),
            )
        )
        session.add(WebhookCounter(kind="signature_invalid", count=2, last_at=now))
        session.add(WebhookCounter(kind="not_call_ended", count=1, last_at=now))
        since = (now - timedelta(minutes=3)).isoformat()
        session.add(Event(campaign_id=campaign.id, at=now, kind="api_down", data={"since": since}))
        return campaign.id
