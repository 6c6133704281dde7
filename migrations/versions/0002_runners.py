"""Several runners on one campaign (PostgreSQL): runners, contact claims, shared budgets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from campaign.store.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("claimed_by", sa.String(200), nullable=True))
    op.add_column("contacts", sa.Column("lease_until", UTCDateTime(), nullable=True))
    op.add_column(
        "contacts", sa.Column("fence", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_index("ix_contacts_claimed_by", "contacts", ["claimed_by"])
    op.add_column("attempts", sa.Column("key_hash", sa.String(64), nullable=True))
    op.create_index("ix_attempts_runner_state", "attempts", ["runner", "state"])
    op.create_index("ix_attempts_key_state", "attempts", ["key_hash", "state"])
    op.create_table(
        "runners",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_runners_campaign", "runners", ["campaign_id"])
    op.create_table(
        "request_budget",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("rate", sa.Integer(), nullable=False),
        sa.Column("grants", sa.JSON(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("request_budget")
    op.drop_index("ix_runners_campaign", table_name="runners")
    op.drop_table("runners")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_index("ix_attempts_key_state")
        batch.drop_index("ix_attempts_runner_state")
        batch.drop_column("key_hash")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index("ix_contacts_claimed_by")
        batch.drop_column("fence")
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
