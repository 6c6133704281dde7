"""The webhook inbox (one verified call_ended per call id) and its counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

from campaign.store.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_inbox",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("matched_by", sa.String(20), nullable=False),
        sa.Column("call_status", sa.String(40), nullable=True),
        sa.Column("from_number", sa.String(32), nullable=True),
        sa.Column("to_number", sa.String(32), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("consumed_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_webhook_inbox_pending", "webhook_inbox", ["campaign_id", "consumed_at"])
    op.create_index("ix_webhook_inbox_to_number", "webhook_inbox", ["to_number"])
    op.create_table(
        "webhook_counters",
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("webhook_counters")
    op.drop_index("ix_webhook_inbox_to_number", table_name="webhook_inbox")
    op.drop_index("ix_webhook_inbox_pending", table_name="webhook_inbox")
    op.drop_table("webhook_inbox")
