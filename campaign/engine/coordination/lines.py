"""The concurrent-call cap of one API key, shared by every runner using it (PostgreSQL).

A call in progress is an open attempt (intent, placed or unknown) dialed with the key, in
any campaign of the database. An attempt stays open until a scan saw its call end, so this
count is never below the API's own. `calls.intents.write_intents` counts again, under the lock that
serialises intent writes, before it admits a dial; `free()` is the cheap estimate the
dispatcher reads first, so it does not spend request budget on dials that cannot go.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import OPEN_ATTEMPTS
from campaign.store.db import Database
from campaign.store.models import Attempt


def key_fingerprint(api_key: str) -> str:
    """What the database stores for a key: its sha256, never the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def open_calls(session: Session, key_hash: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.key_hash == key_hash, Attempt.state.in_(OPEN_ATTEMPTS))
        )
        or 0
    )


class LineCap:
    """At most `limit` calls in progress for the key, all runners together."""

    def __init__(self, db: Database, key_hash: str, limit: int) -> None:
        self.db = db
        self.key_hash = key_hash
        self.limit = limit

    def free(self) -> int:
        with self.db.read_session() as session:
            return max(0, self.limit - open_calls(session, self.key_hash))

    def admit(self, session: Session, wanted: int) -> int:
        """How many of `wanted` dials may go now (call inside the intent transaction)."""
        return max(0, min(wanted, self.limit - open_calls(session, self.key_hash)))
