"""Initial schema: campaigns, contacts, attempts, events, suppressions.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from campaign.store.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=True),
        sa.Column("source_columns", sa.JSON(), nullable=False),
        sa.Column("phone_column", sa.String(200), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("requested_action", sa.String(20), nullable=True),
        sa.Column("lock_owner", sa.String(200), nullable=True),
        sa.Column("lock_pid", sa.Integer(), nullable=True),
        sa.Column("lock_host", sa.String(200), nullable=True),
        sa.Column("lock_acquired_at", UTCDateTime(), nullable=True),
        sa.Column("lock_heartbeat_at", UTCDateTime(), nullable=True),
        sa.Column("requests_used", sa.Integer(), nullable=False),
        sa.Column("rate_limited", sa.Integer(), nullable=False),
    )
    op.create_index("ix_campaigns_fingerprint", "campaigns", ["fingerprint"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("raw_phone", sa.Text(), nullable=True),
        sa.Column("to_number", sa.String(32), nullable=True),
        sa.Column("import_status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("warning", sa.Text(), nullable=True),
        sa.Column("duplicate_of_line", sa.Integer(), nullable=True),
        sa.Column("vars", sa.JSON(), nullable=False),
        sa.Column("from_number", sa.String(32), nullable=True),
        sa.Column("agent_id", sa.String(64), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("region", sa.String(8), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("wait_reason", sa.String(20), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("last_status", sa.String(40), nullable=True),
        sa.Column("last_call_id", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("final_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "ix_contacts_dispatch", "contacts", ["campaign_id", "state", "next_attempt_at"]
    )
    op.create_index("ix_contacts_position", "contacts", ["campaign_id", "position"])
    op.create_index("ix_contacts_to_number", "contacts", ["to_number"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "contact_id",
            sa.Integer(),
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("from_number", sa.String(32), nullable=False),
        sa.Column("to_number", sa.String(32), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=True),
        sa.Column("call_id", sa.String(64), nullable=True, unique=True),
        sa.Column("runner", sa.String(200), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("voicy_status", sa.String(40), nullable=True),
        sa.Column("category", sa.String(20), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("transcript", sa.JSON(), nullable=True),
        sa.Column("vars_extracted", sa.JSON(), nullable=True),
        sa.Column("vars_collected", sa.JSON(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("details_fetched", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_attempts_campaign_state", "attempts", ["campaign_id", "state"])
    op.create_index("ix_attempts_to_number", "attempts", ["to_number", "requested_at"])
    op.create_index("ix_attempts_contact", "attempts", ["contact_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
    )
    op.create_index("ix_events_campaign", "events", ["campaign_id", "id"])
    op.create_table(
        "suppressions",
        sa.Column("e164", sa.String(32), primary_key=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("added_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("suppressions", "events", "attempts", "contacts", "campaigns"):
        op.drop_table(table)
