"""A call's life in one package: why a run stopped, campaign-wide holds, zones, end sources.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from campaign.store.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("stop_reason", sa.String(40), nullable=True))
    op.add_column("campaigns", sa.Column("stop_detail", sa.Text(), nullable=True))
    op.add_column("campaigns", sa.Column("hold_until", UTCDateTime(), nullable=True))
    op.add_column("campaigns", sa.Column("hold_reason", sa.String(20), nullable=True))
    op.add_column("campaigns", sa.Column("hold_detail", sa.Text(), nullable=True))
    op.add_column("contacts", sa.Column("wait_detail", sa.Text(), nullable=True))
    op.add_column("contacts", sa.Column("zone_key", sa.Text(), nullable=True))
    op.create_index(
        "ix_contacts_zone_key", "contacts", ["campaign_id", "zone_key", "next_attempt_at"]
    )
    # The dispatcher reads never-called contacts in list order straight from this index.
    op.drop_index("ix_contacts_dispatch", table_name="contacts")
    op.create_index(
        "ix_contacts_dispatch", "contacts", ["campaign_id", "state", "next_attempt_at", "position"]
    )
    op.create_index("ix_contacts_outcome", "contacts", ["campaign_id", "outcome"])
    op.add_column("attempts", sa.Column("ended_by", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("ended_by")
    op.drop_index("ix_contacts_dispatch", table_name="contacts")
    op.create_index("ix_contacts_dispatch", "contacts", ["campaign_id", "state", "next_attempt_at"])
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index("ix_contacts_outcome")
        batch.drop_index("ix_contacts_zone_key")
        batch.drop_column("zone_key")
        batch.drop_column("wait_detail")
    with op.batch_alter_table("campaigns") as batch:
        for column in ("hold_detail", "hold_reason", "hold_until", "stop_detail", "stop_reason"):
            batch.drop_column(column)
