"""One dial and what its answer means.

201: recorded (batched) and tracked. May have placed a call (timeout, dropped connection,
5xx): unknown, reconciled from call-list before anything else. Certainly not placed: the
contact is queued again, after a backoff when the API asked for one; the API refusing the
key or every from-number stops the run (a fatal reason, shown with its fix).
"""

from __future__ import annotations

from typing import Protocol

import anyio
from anyio.abc import TaskGroup

from campaign.calls.answers import refused_for_good
from campaign.calls.intents import Intent
from campaign.calls.ledger import Ledger
from campaign.calls.vocab import StopReason
from campaign.clock import Clock
from campaign.engine.api_health import ApiHealth
from campaign.engine.crashpoints import crash_point, crash_point_armed
from campaign.engine.ending import Ending
from campaign.engine.journal import Journal
from campaign.engine.lines import Lines
from campaign.engine.policy import after_not_placed, requeue_now
from campaign.engine.recorder import Recorder
from campaign.engine.rules_bridge import CallerIds
from campaign.store.outage import is_store_down
from campaign.voicy import errors as verr
from campaign.voicy.models import DialResult


class DialClient(Protocol):
    async def dial(
        self,
        from_number: str,
        to_number: str,
        *,
        vars_provided: dict[str, object] | None = None,
        override_agent_id: str | None = None,
    ) -> DialResult: ...


class OpenCalls(Protocol):
    def add_placed(self, intent: Intent, call_id: str, status: str) -> None: ...

    def add_unknown(self, intent: Intent) -> None: ...


class Dialer:
    def __init__(
        self,
        client: DialClient,
        ledger: Ledger,
        recorder: Recorder,
        *,
        open_calls: OpenCalls,
        caller_ids: CallerIds,
        lines: Lines,
        ending: Ending,
        journal: Journal,
        clock: Clock,
        health: ApiHealth | None = None,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.recorder = recorder
        self.open_calls = open_calls
        self.caller_ids = caller_ids
        self.lines = lines
        self.ending = ending
        self.journal = journal
        self.clock = clock
        self.health = health
        #: Attempts whose dial request is on its way (their intents are not orphans).
        self.in_flight: set[int] = set()

    def start(self, tg: TaskGroup, intent: Intent) -> None:
        """Send the dial of a committed intent in its own task."""
        self.lines.dialing += 1
        self.in_flight.add(intent.attempt_id)
        tg.start_soon(self._dial, intent)

    async def _dial(self, intent: Intent) -> None:
        try:
            with anyio.CancelScope(shield=self.ending.stopping):
                await self._send(intent)
        except Exception as exc:
            if not is_store_down(exc):
                raise
            # The answer could not be written: once the database is back this intent
            # becomes unknown and is reconciled from call-list (never simply redialed).
        finally:
            self.in_flight.discard(intent.attempt_id)
            self.lines.dialing -= 1
            self.lines.freed.ring()

    async def _send(self, intent: Intent) -> None:
        try:
            result = await self.client.dial(
                intent.from_number,
                intent.to_number,
                vars_provided=intent.vars or None,
                override_agent_id=intent.agent_id,
            )
        except verr.VoicyError as exc:
            self.failed(intent, exc)
            return
        crash_point("after_answer")
        now = self.clock.now()
        self.recorder.placed(intent.attempt_id, result.call_id, result.call_status, now)
        if crash_point_armed("after_placed"):
            self.recorder.flush()
            crash_point("after_placed")
        self.open_calls.add_placed(intent, result.call_id, result.call_status)

    def failed(self, intent: Intent, exc: verr.VoicyError) -> None:
        if self.health is not None:
            self.health.failed(exc)  # an outage-like failure: nobody else is dialed
        now = self.clock.now()
        message = f"{type(exc).__name__}: {exc}"
        ledger = self.ledger
        if exc.placement == "unknown":
            if ledger.unknown(intent.attempt_id, message, now):
                self.open_calls.add_unknown(intent)
            return
        if isinstance(exc, verr.AuthError):
            ledger.not_placed(intent.attempt_id, message, requeue_now(now), now)
            self.ending.stop(StopReason.KEY_REFUSED, exc.message)
            return
        if isinstance(exc, verr.Unprocessable):
            ledger.not_placed(intent.attempt_id, message, requeue_now(now), now)
            if intent.from_number in self.caller_ids.available:  # warn once per number
                self.caller_ids.remove(intent.from_number, exc.message)
                self.journal.note(
                    "from_number_refused",
                    f"from-number {intent.from_number} refused: {exc.message}",
                )
            if not self.caller_ids.available:
                self.ending.stop(StopReason.FROM_NUMBERS_REFUSED, exc.message)
            return
        if isinstance(exc, verr.InvalidRequest | verr.NotFound):
            ledger.not_placed(intent.attempt_id, message, refused_for_good(message), now)
            return
        if isinstance(exc, verr.ConcurrencyLimited):
            self.lines.full_at_api()
            ledger.not_placed(intent.attempt_id, message, requeue_now(now), now)
            return
        retry_at = exc.reset_at if isinstance(exc, verr.RateLimited) else None
        tries = ledger.not_placed_before(intent.contact_id) + 1
        ledger.not_placed(intent.attempt_id, message, after_not_placed(tries, now, retry_at), now)
