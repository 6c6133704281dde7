"""The calls a runner holds lines for: placed calls it tracks to their end (call id known)
and dials whose outcome is unknown (timeout, 5xx) until a scan or a delivery resolves them.

The dialer adds to it, the tracker's scans and the delivery consumer take from it, a
restart, a take-over or a database outage rebuilds it from the store (`load`). Nothing here
writes the store: every state change goes through `campaign.calls`; this is the runner's
memory of what is open, so the other parts agree on which lines are busy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from campaign.calls.intents import Intent
from campaign.calls.reads import OpenAttempt
from campaign.calls.vocab import AttemptStatus
from campaign.clock import Clock
from campaign.engine.alarm import Alarm
from campaign.engine.lines import Lines
from campaign.engine.reconcile import TrackedCall, UnknownDial
from campaign.engine.scan_schedule import OpenCall


class OpenAttempts(Protocol):
    """The store's open attempts of this runner (`campaign.calls.ledger.Ledger`)."""

    def open_attempts(self, ids: Iterable[int] | None = None) -> list[OpenAttempt]: ...


def tracked_from(attempt: OpenAttempt) -> TrackedCall:
    """A placed attempt as the store holds it, to follow until it ends."""
    return TrackedCall(
        attempt.attempt_id,
        attempt.contact_id,
        str(attempt.call_id),
        attempt.to_number,
        attempt.from_number,
        attempt.requested_at,
        attempt.voicy_status or "initiated",
    )


class OpenCalls:
    """Tracked calls by call id and unknown dials by attempt id; `changed` rings on a dial."""

    def __init__(
        self,
        store: OpenAttempts,
        lines: Lines,
        clock: Clock,
        *,
        on_dial: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.lines = lines
        self.clock = clock
        self.on_dial = on_dial
        self.tracked: dict[str, TrackedCall] = {}
        self.unknown: dict[int, UnknownDial] = {}
        #: Rung when a dial adds an open call (the tracker's wait for its next scan).
        self.changed = Alarm(clock)

    def __len__(self) -> int:
        """Lines these calls hold."""
        return len(self.tracked) + len(self.unknown)

    def __bool__(self) -> bool:
        return bool(self.tracked or self.unknown)

    def load(self, attempt_ids: list[int] | None = None) -> None:
        """Rebuild from the store (after a restart, a crash or a take-over); with
        `attempt_ids`, only those (just taken over from a dead runner)."""
        for attempt in self.store.open_attempts(attempt_ids):
            if attempt.state is AttemptStatus.PLACED and attempt.call_id:
                self.tracked.setdefault(attempt.call_id, tracked_from(attempt))
            elif attempt.attempt_id not in self.unknown:
                self.unknown[attempt.attempt_id] = UnknownDial(
                    attempt.attempt_id,
                    attempt.contact_id,
                    attempt.to_number,
                    attempt.from_number,
                    attempt.requested_at,
                )

    # --- what the dialer adds ----------------------------------------------------------

    def add_placed(self, intent: Intent, call_id: str, status: str) -> None:
        self.tracked[call_id] = TrackedCall(
            intent.attempt_id,
            intent.contact_id,
            call_id,
            intent.to_number,
            intent.from_number,
            intent.requested_at,
            status,
        )
        self._dialed()

    def add_unknown(self, intent: Intent) -> None:
        self.unknown[intent.attempt_id] = UnknownDial(
            intent.attempt_id,
            intent.contact_id,
            intent.to_number,
            intent.from_number,
            intent.requested_at,
        )
        self._dialed()

    def _dialed(self) -> None:
        if self.on_dial is not None:
            self.on_dial()
        self.changed.ring()

    # --- what scans and deliveries take ----------------------------------------------------

    def tracked_call(self, call_id: str) -> TrackedCall | None:
        return self.tracked.get(call_id)

    def linked(self, dial: UnknownDial, call_id: str, status: str) -> TrackedCall:
        """An unknown dial found as `call_id` (a scan matched it): tracked from now on."""
        self.unknown.pop(dial.attempt_id, None)
        tracked = as_tracked(dial, call_id, status)
        self.tracked[call_id] = tracked
        return tracked

    def released(self, call_ids: list[str], attempt_ids: list[int]) -> None:
        """These calls ended (a scan or a delivery saw it): their lines are free now."""
        for call_id in call_ids:
            self.tracked.pop(call_id, None)
        for attempt_id in attempt_ids:
            self.unknown.pop(attempt_id, None)
        if call_ids or attempt_ids:
            self.lines.call_ended()

    def forget(self) -> None:
        """Another runner owns these calls now (this one's lease ran out)."""
        self.tracked.clear()
        self.unknown.clear()

    def ages(self) -> list[OpenCall]:
        """The tracked calls' ages, now and when a scan last saw each running."""
        now = self.clock.now()
        return [
            OpenCall(
                (now - t.requested_at).total_seconds(),
                ((t.seen_running_at or t.requested_at) - t.requested_at).total_seconds(),
            )
            for t in self.tracked.values()
        ]


def as_tracked(dial: UnknownDial, call_id: str, status: str) -> TrackedCall:
    """An unknown dial seen as the call `call_id` (a delivery or a scan names it)."""
    return TrackedCall(
        dial.attempt_id,
        dial.contact_id,
        call_id,
        dial.to_number,
        dial.from_number,
        dial.requested_at,
        status,
    )
