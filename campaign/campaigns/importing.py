"""Storing a list during the pass that reads and checks it: one transaction, kept only if
the whole list passes.

`run` used to read a list twice: a pass to check it (counts, fingerprint, the summary that
refuses a list read wrong), then a pass to store it. A `ListImport` stores each chunk as the
checking pass hands it over (`add` is the pass's `on_chunk`), on a writer thread beside the
worker processes that normalize the next chunks, in one transaction that `finish` commits
only after the whole list was read: the caller's verdict on the summary (most rows rejected:
raise inside the `with`) and the same-list guard (the fingerprint, known at the end) both
roll everything back. A refused list stores nothing, as before.

    with ListImport(open_store, stream, settings, name=..., refuse_rejects=True) as importing:
        summary = validation_summary(stream, on_chunk=importing.add, on_end=importing.rows_done)
        check_rejects(summary, allow)            # raises: rolled back
        prepared = importing.finish(patiently)   # same-list guard, DNC rows, commit

The first chunk decides whether storing starts at once: a first chunk mostly rejected (the
list is probably read wrong and the run about to be refused) is not stored, and the store
is not even opened during the pass. Should the list pass after all, or the store go down
while the rows go in, `finish` stores the list the way it did before: a second pass in one
transaction (`create.prepare_campaign`, run again after each outage by `patient`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.campaigns.contact_batches import JSON_COLUMNS, chunk_columns
from campaign.campaigns.create import (
    PreparedCampaign,
    campaign_name,
    campaign_row,
    prepare_campaign,
    record_created,
)
from campaign.campaigns.dnc import add_numbers_in, dnc_note, dnc_source, read_dnc_file
from campaign.campaigns.history import refuse_same_list
from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.store.bulk import ColumnWriter
from campaign.store.db import Database
from campaign.store.models import Campaign, Contact, Suppression
from campaign.store.outage import is_store_down
from campaign.store.rehearsals import ensure_apart

if TYPE_CHECKING:
    from campaign.contacts import ContactList, ContactStream
    from campaign.rules.dnc import DncLoadResult

T = TypeVar("T")
Patient = Callable[[Callable[[], PreparedCampaign]], PreparedCampaign]
log = logging.getLogger("campaign.store")


class ImportPhase(StrEnum):
    """Where a ListImport is (its own steps, not a contact's state)."""

    NEW = "new"
    STORING = "storing"  # from the first accepted chunk
    DEFERRED = "deferred"  # a first chunk mostly rejected: finish stores in a second pass
    FAILED = "failed"  # the store went down during the pass: the same
    ABORTED = "aborted"  # rolled back
    STORED = "stored"  # committed


@dataclass(frozen=True)
class ImportTarget:
    """Where and when the list is stored: the open store and the campaign's `now`."""

    db: Database
    now: datetime


def _at_once(step: Callable[[], T]) -> T:
    return step()


class ListImport:
    """One list stored while it is read (see the module docstring). `open_store` opens the
    store when the first rows are to go in (the CLI waits out an outage there)."""

    def __init__(
        self,
        open_store: Callable[[], ImportTarget],
        contacts: ContactStream,
        settings: RunSettings,
        *,
        name: str | None = None,
        dnc_files: tuple[Path, ...] = (),
        region: str = "US",
        new: bool = False,
        again: bool = False,
        refuse_rejects: bool = True,
    ) -> None:
        self._open_store = open_store
        self.contacts = contacts
        self.settings = settings
        self.name = name
        self.dnc_files = dnc_files
        self.region = region
        self.new = new
        self.again = again
        self.refuse_rejects = refuse_rejects
        self.target: ImportTarget | None = None
        self.phase = ImportPhase.NEW
        self._stack = ExitStack()
        self._writer: ColumnWriter | None = None
        self._campaign: Campaign | None = None
        self._session: Session | None = None
        self._suppressed: set[str] = set()
        self._dnc: list[tuple[Path, DncLoadResult]] = []

    def __enter__(self) -> ListImport:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if kind is not None or self.phase is ImportPhase.STORING:  # never kept without finish()
            self.abort(exc)

    def store(self) -> ImportTarget:
        """The open store (opened now if the pass did not need it)."""
        if self.target is None:
            self.target = self._open_store()
        return self.target

    def add(self, chunk: ContactList) -> None:
        """Store one chunk of the checking pass (its on_chunk)."""
        if self.phase is ImportPhase.NEW:
            if self.refuse_rejects and _mostly_rejected(chunk):
                self.phase = ImportPhase.DEFERRED
                return
            self._begin()
        if self.phase is not ImportPhase.STORING:
            return
        assert self._writer is not None and self._campaign is not None
        target = self.store()
        columns = chunk_columns(self._campaign.id, chunk, self._suppressed, target.now)
        try:
            self._writer.add(columns)
        except Exception as exc:
            if not is_store_down(exc):
                self.abort(exc)
                raise
            self._fail(exc)

    def rows_done(self) -> None:
        """The pass has handed over its last chunk (its on_end): the store finishes its
        bulk phase (the indexes) on its own thread while the caller sums up and prints."""
        if self.phase is not ImportPhase.STORING:
            return
        assert self._writer is not None
        try:
            self._writer.end_rows()
        except Exception as exc:
            if not is_store_down(exc):
                self.abort(exc)
                raise
            self._fail(exc)

    def finish(self, patient: Patient = _at_once) -> PreparedCampaign:
        """After the whole pass: the same-list guard, then commit; or, if storing did not
        run to the end, the list stored by a second pass (`patient` waits out outages)."""
        if not self.contacts.counts.valid:
            raise InputError(
                f"{self.contacts.source_name} has no valid phone number; run `python -m "
                f"campaign validate {self.contacts.source_name}` to see why each row was rejected"
            )
        if self.phase is ImportPhase.STORING:
            prepared = self._commit()
            if prepared is not None:
                return prepared
        return patient(self._second_pass)

    def _second_pass(self) -> PreparedCampaign:
        """The list stored the way it was before: read again, in one transaction."""
        target = self.store()
        return prepare_campaign(
            target.db, self.contacts, self.settings, now=target.now, name=self.name,
            dnc_files=self.dnc_files, region=self.region, new=self.new, again=self.again,
        )  # fmt: skip

    def abort(self, exc: BaseException | None = None) -> None:
        """Stop storing and roll the transaction back (nothing of the list stays)."""
        if self._writer is not None:
            self._writer.abort()
            self._writer = None
        error = exc or RuntimeError("list import aborted")
        self._stack.__exit__(type(error), error, error.__traceback__)
        if self.phase is ImportPhase.STORING:
            self.phase = ImportPhase.ABORTED

    def _begin(self) -> None:
        target = self.store()
        db = target.db
        try:
            final_name = campaign_name(db, self.name, self.contacts.source_name, target.now)
            ensure_apart(db, simulate=self.settings.simulate)
            self._dnc = [(Path(p), read_dnc_file(Path(p), self.region)) for p in self.dnc_files]
            session = self._stack.enter_context(db.session())
            self._suppressed = set(session.scalars(select(Suppression.e164)))
            for _, result in self._dnc:
                self._suppressed.update(result.numbers)
            campaign = campaign_row(final_name, self.contacts, self.settings, target.now, None)
            session.add(campaign)
            session.flush()
            self._campaign = campaign
            self._session = session
            self._writer = ColumnWriter(session, Contact, json_text=JSON_COLUMNS)
        except Exception as exc:
            if not is_store_down(exc):
                self.abort(exc)
                raise
            self._fail(exc)
            return
        self.phase = ImportPhase.STORING

    def _commit(self) -> PreparedCampaign | None:
        """The stored list kept (None: the store went down; a second pass stores it)."""
        assert self._writer is not None and self._campaign is not None
        assert self._session is not None and self.target is not None
        campaign, session, now = self._campaign, self._session, self.target.now
        try:
            self._writer.close()
            self._writer = None
            fingerprint = self.contacts.fingerprint
            # In this transaction: on PostgreSQL it may hold `campaigns` until the commit.
            refuse_same_list(session, fingerprint, new=self.new, again=self.again)
            campaign.fingerprint = fingerprint
            notes = []
            for path, result in self._dnc:
                added = add_numbers_in(
                    session, result.numbers, source=dnc_source(path), reason=None, now=now
                )
                notes.append(dnc_note(path, result, added))
            record_created(session, campaign, now)
            self._stack.close()  # commit
        except Exception as exc:
            self.abort(exc)
            if not is_store_down(exc):
                raise
            log.warning("the store went down while the list was stored; storing it again")
            return None
        self.phase = ImportPhase.STORED
        return PreparedCampaign(campaign, notes)

    def _fail(self, exc: Exception) -> None:
        """The store went down while the rows went in: roll back, finish stores again."""
        log.warning("the store went down while the list was stored (%s); storing it after", exc)
        self.abort(exc)
        self.phase = ImportPhase.FAILED


def _mostly_rejected(chunk: ContactList) -> bool:
    from campaign.contacts.summary import mostly_rejected

    return mostly_rejected(chunk.counts) is not None
