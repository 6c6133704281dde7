"""Alembic environment: applies the versioned schema migrations on open (both dialects)."""

from __future__ import annotations

from alembic import context

from campaign.store.models import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("campaign migrations run through campaign.store.db.open_db()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
