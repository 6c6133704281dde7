"""The database's do-not-call list: numbers no campaign in this database may dial, and the
opt-outs connected calls add to it (`--opt-out-var`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.clock import Clock
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import Attempt, Suppression
from campaign.voicy.models import CallDetail

if TYPE_CHECKING:
    from campaign.rules.dnc import DncLoadResult


def add_numbers(
    db: Database, numbers: Iterable[str], *, source: str, reason: str | None, now: datetime
) -> int:
    """Add E.164 numbers; returns how many were new."""
    with db.session() as session:
        return add_numbers_in(session, numbers, source=source, reason=reason, now=now)


def add_numbers_in(
    session: Session, numbers: Iterable[str], *, source: str, reason: str | None, now: datetime
) -> int:
    """add_numbers in the caller's transaction (e.g. the one storing a list with them)."""
    wanted = set(numbers)
    known = set(session.scalars(select(Suppression.e164).where(Suppression.e164.in_(wanted))))
    added = 0
    for number in sorted(wanted - known):
        session.add(Suppression(e164=number, source=source, reason=reason, added_at=now))
        added += 1
    return added


def read_dnc_file(path: Path, region: str) -> DncLoadResult:
    """A DNC file's numbers (InputError with the fix when it is not there)."""
    from campaign.rules.dnc import load_dnc_file  # the module reads files with pandas

    if not path.exists():
        raise InputError(f"--dnc {path}: no such file")
    return load_dnc_file(path, region=region)


def dnc_source(path: Path) -> str:
    return f"file:{path.name}"


def dnc_note(path: Path, result: DncLoadResult, added: int) -> str:
    """The one-line account of a loaded DNC file."""
    message = f"Do-not-call list {path.name}: {len(result.numbers)} numbers ({added} new)"
    if result.rejected:
        first = ", ".join(f"line {r.line}" for r in result.rejected[:5])
        message += f"; {len(result.rejected)} unreadable lines skipped ({first})"
    return message


def import_dnc_file(db: Database, path: Path, region: str, now: datetime) -> str:
    """Load a DNC file into the database's list; a one-line account of what happened."""
    result = read_dnc_file(path, region)
    added = add_numbers(db, result.numbers, source=dnc_source(path), reason=None, now=now)
    return dnc_note(path, result, added)


def list_numbers(db: Database) -> list[Suppression]:
    with db.read_session() as session:
        return list(session.scalars(select(Suppression).order_by(Suppression.added_at)))


def remove_numbers(db: Database, numbers: Iterable[str]) -> int:
    with db.session() as session:
        removed = 0
        for number in numbers:
            row = session.get(Suppression, number)
            if row is not None:
                session.delete(row)
                removed += 1
        return removed


class OptOutRecorder:
    """Adds a number to the do-not-call list when a connected call says it opted out (a
    details hook of the runner)."""

    def __init__(self, db: Database, var_name: str, clock: Clock) -> None:
        self.db = db
        self.var_name = var_name
        self.clock = clock

    def __call__(self, attempt_id: int, detail: CallDetail) -> None:
        from campaign.rules.dnc import is_opt_out  # the module reads files with pandas

        value = detail.vars_extracted.get(self.var_name)
        if not is_opt_out(value):
            return
        with self.db.session() as session:
            attempt = session.get(Attempt, attempt_id)
            if attempt is None or session.get(Suppression, attempt.to_number) is not None:
                return
            session.add(
                Suppression(
                    e164=attempt.to_number,
                    source="opt-out",
                    reason=f"said {self.var_name}={value!r} on call {detail.call_id}",
                    added_at=self.clock.now(),
                )
            )
