"""The runner's handle on a call's life: each write in its own short transaction.

`Ledger(db, campaign_id, fence)` binds what every write needs; each method is one step of
the transition table (see the package docstring) and calls the session-level function that
writes it, so a new input (a webhook delivery, say) can compose those functions in its own
transaction instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from campaign.calls import (
    answers,
    deliveries,
    details,
    due,
    ends,
    holds,
    intents,
    reads,
    recovery,
    runs,
)
from campaign.calls.fate import Decision
from campaign.calls.fencing import Fence
from campaign.calls.holds import Hold
from campaign.calls.vocab import Action, AttemptStatus, Outcome
from campaign.store import inbox
from campaign.store.db import Database
from campaign.store.inbox import InboxEntry
from campaign.voicy.models import CallDetail


class Ledger:
    def __init__(
        self,
        db: Database,
        campaign_id: int,
        fence: Fence | None = None,
        judge: details.Judge | None = None,
        once_connected: Outcome | None = None,
    ) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.fence = fence
        #: Decides a connected contact's fate from its details (a goal, a callback).
        self.judge = judge
        #: With a judge: the outcome of a contact reached once whose redials failed.
        self.once_connected = once_connected

    @property
    def owner(self) -> str | None:
        """The runner whose writes are fenced (PostgreSQL), or None alone."""
        return self.fence.owner if self.fence is not None else None

    # --- reading back ----------------------------------------------------------------------

    def open_attempts(
        self, ids: Iterable[int] | None = None, *, everyone: bool = False
    ) -> list[reads.OpenAttempt]:
        """This runner's placed and unknown attempts (`everyone`: the team's placed ones)."""
        with self.db.read_session() as session:
            if everyone:
                return reads.open_attempts(
                    session, self.campaign_id, states=(AttemptStatus.PLACED,)
                )
            return reads.open_attempts(session, self.campaign_id, owner=self.owner, ids=ids)

    def requested_action(self) -> Action | None:
        """What a person asked of the campaign's runners (pause, cancel), if anything."""
        with self.db.read_session() as session:
            return runs.requested_action(session, self.campaign_id)

    def details_due(self, ids: Iterable[int] | None = None) -> list[tuple[int, str]]:
        with self.db.read_session() as session:
            return reads.details_due(session, self.campaign_id, owner=self.owner, ids=ids)

    def claimed_call_ids(self, call_ids: Iterable[str]) -> set[str]:
        with self.db.read_session() as session:
            return reads.claimed_call_ids(session, call_ids)

    # --- due → intent ---------------------------------------------------------------------

    def queue(self) -> due.Queue:
        """Whether any contact waits for a dial, and the earliest future due time."""
        return due.queue_of(self.db, self.campaign_id)

    def zone_ahead(self, key_of: Callable[[str, str | None], str], limit: int) -> int:
        """Zone keys for the next `limit` queued contacts without one (see calls/holds.py)."""
        return holds.zone_ahead(self.db, self.campaign_id, key_of, limit)

    def hold(
        self,
        zones: Mapping[str, Hold],
        contacts: Iterable[tuple[int, Hold]] = (),
        *,
        zoned: Iterable[tuple[int, str]] = (),
    ) -> None:
        """Holds found by one pass of the dispatcher (`zoned`: zone keys learned meanwhile):
        one statement per zone, one for the contacts held one by one."""
        with self.db.session() as session:
            holds.set_zones(session, zoned)
            for zone, hold in zones.items():
                holds.hold_zone(session, self.campaign_id, zone, hold, owner=self.owner)
            holds.hold_contacts(session, contacts, owner=self.owner)

    def hold_campaign(self, hold: Hold | None) -> None:
        with self.db.session() as session:
            holds.hold_campaign(session, self.campaign_id, hold)

    def intents(
        self,
        requests: list[intents.IntentRequest],
        *,
        runner: str,
        now: datetime,
        min_gap: float = 0.0,
        claim: intents.ClaimCheck | None = None,
    ) -> list[intents.Intent | intents.Blocked]:
        return intents.write_intents(
            self.db,
            requests,
            campaign_id=self.campaign_id,
            runner=runner,
            now=now,
            min_gap=min_gap,
            claim=claim,
        )

    # --- answers --------------------------------------------------------------------------

    def answers(self, placed: list[answers.Answer], fetched: list[tuple[int, CallDetail]]) -> None:
        """201s and call details waiting to be written, in one transaction."""
        with self.db.session() as session:
            answers.record_placed_many(session, placed, self.fence)
            details.record_details(session, fetched, self.fence, self.judge)

    def unknown(self, attempt_id: int, error: str, now: datetime) -> bool:
        with self.db.session() as session:
            return answers.record_unknown(session, attempt_id, error, now, self.fence)

    def not_placed_before(self, contact_id: int) -> int:
        with self.db.read_session() as session:
            return answers.count_not_placed(session, contact_id)

    def not_placed(self, attempt_id: int, error: str, decision: Decision, now: datetime) -> bool:
        with self.db.session() as session:
            return answers.record_not_placed(session, attempt_id, error, decision, now, self.fence)

    def linked(self, attempt_id: int, call_id: str, status: str, now: datetime) -> bool:
        with self.db.session() as session:
            return answers.record_linked(session, attempt_id, call_id, status, now, self.fence)

    # --- ends and details -----------------------------------------------------------------

    def ended(
        self, found: Iterable[ends.CallEnd], now: datetime
    ) -> list[tuple[ends.CallEnd, Decision]]:
        with self.db.session() as session:
            return ends.record_ended(session, found, now, self.fence, self.once_connected)

    def delivered(
        self,
        items: Iterable[deliveries.Delivered],
        now: datetime,
        *,
        consumed: Iterable[str] = (),
    ) -> list[tuple[ends.CallEnd, Decision]]:
        """Webhook deliveries used (ends, links, details) and marked consumed, at once."""
        with self.db.session() as session:
            return deliveries.record_delivered(
                session,
                items,
                now,
                self.fence,
                consumed=consumed,
                judge=self.judge,
                once_connected=self.once_connected,
            )

    def pending_deliveries(self, limit: int = 500) -> list[InboxEntry]:
        """The campaign's inbox entries not used yet, oldest first."""
        with self.db.read_session() as session:
            return inbox.pending_deliveries(session, self.campaign_id, limit=limit)

    def attempts_named(self, attempt_ids: Iterable[int]) -> dict[int, deliveries.AttemptView]:
        with self.db.read_session() as session:
            return deliveries.attempts_named(session, attempt_ids)

    def details_failed(self, attempt_id: int, error: str) -> None:
        with self.db.session() as session:
            details.record_details_failed(session, attempt_id, error, self.fence)

    # --- recovery -------------------------------------------------------------------------

    def recover(self, now: datetime) -> int:
        """Alone: the campaign's unanswered intents become unknown."""
        with self.db.session() as session:
            return recovery.recover_after_crash(session, self.campaign_id, now)

    def recover_after_outage(self, owner: str, in_flight: set[int], now: datetime) -> int:
        """After a store outage: own intents left without an answer become unknown."""
        with self.db.session() as session:
            return recovery.recover_after_crash(
                session, self.campaign_id, now, owner=owner, in_flight=in_flight
            )

    def take_over(self, owner: str, now: datetime, *, sweep: bool = False) -> recovery.TakeOver:
        """Team: the open calls of dead runners become `owner`'s."""
        with self.db.session() as session:
            if sweep:
                recovery.requeue_stranded(session, self.campaign_id)
            return recovery.take_over(session, self.campaign_id, owner, now, sweep=sweep)
