"""The vocabularies of a call's life, one enum each: what the store holds and people read.

Every surface that shows one of these (status, status --json, the web pages, the export,
the report) loops over the enum, so a new member shows up everywhere. The values are the
strings stored in the database: never rename one without a migration.

This module depends on nothing but the standard library, so every layer (the store's tables
included) may name a state through it.
"""

from __future__ import annotations

from enum import StrEnum


class CampaignState(StrEnum):
    """Where a campaign stands; `running` without a live runner reads as `interrupted`."""

    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    INTERRUPTED = "interrupted"
    FINISHED = "finished"
    CANCELED = "canceled"

    @property
    def ended(self) -> bool:
        """Nothing more will happen (finished or canceled): not resumable."""
        return self in (CampaignState.FINISHED, CampaignState.CANCELED)

    @classmethod
    def unfinished(cls) -> tuple[CampaignState, ...]:
        return tuple(state for state in cls if not state.ended)


class Action(StrEnum):
    """What a person asked of a campaign's live runners (`campaigns.requested_action`)."""

    PAUSE = "pause"
    CANCEL = "cancel"

    @classmethod
    def read(cls, stored: str | None) -> Action | None:
        """The stored request; older databases wrote the target state (`paused`)."""
        return _LEGACY_ACTIONS.get(stored or "")


_LEGACY_ACTIONS = {
    "pause": Action.PAUSE,
    "paused": Action.PAUSE,
    "cancel": Action.CANCEL,
    "canceled": Action.CANCEL,
}


class ContactState(StrEnum):
    """A contact row: waits for a dial, has a call open, or has its final outcome."""

    QUEUED = "queued"  # due now, held by a rule until a time, or claimed by a runner
    ACTIVE = "active"  # one attempt is open (intent, placed or unknown)
    DONE = "done"  # final: `outcome` says how

    @property
    def words(self) -> str:
        return _CONTACT_WORDS[self]


_CONTACT_WORDS = {
    ContactState.QUEUED: "waiting for a dial",
    ContactState.ACTIVE: "call open",
    ContactState.DONE: "final",
}


class AttemptStatus(StrEnum):
    """One dial of a contact (the `state` column of `attempts`)."""

    INTENT = "intent"  # committed before the request; no answer yet
    PLACED = "placed"  # the API answered 201, or reconciliation found the call: tracked
    UNKNOWN = "unknown"  # the request may have placed a call: reconciled before anything else
    NOT_PLACED = "not_placed"  # certainly no call; does not count as an attempt
    ENDED = "ended"  # the call reached a final Voicy status

    @property
    def open(self) -> bool:
        """The line is (or may be) busy and the contact may not be dialed again."""
        return self in OPEN_ATTEMPTS

    @property
    def words(self) -> str:
        return _ATTEMPT_WORDS[self]


OPEN_ATTEMPTS = (AttemptStatus.INTENT, AttemptStatus.PLACED, AttemptStatus.UNKNOWN)
#: Attempts that are calls at the provider (counted against --max-attempts).
PLACED_CALLS = (AttemptStatus.PLACED, AttemptStatus.ENDED)

_ATTEMPT_WORDS = {
    AttemptStatus.INTENT: "dial sent, no answer yet",
    AttemptStatus.PLACED: "call in progress",
    AttemptStatus.UNKNOWN: "unclear whether the call was placed (looked up before any redial)",
    AttemptStatus.NOT_PLACED: "not placed",
    AttemptStatus.ENDED: "ended",
}


class Outcome(StrEnum):
    """A contact's final outcome, in the order people read them; `pending` until final.

    `pending` is never stored: it is how a contact without an outcome (NULL) is counted.
    """

    CONNECTED = "connected"
    FAILED = "failed"
    PENDING = "pending"
    UNKNOWN = "unknown"
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    DNC = "dnc"
    CANCELED = "canceled"

    @property
    def final(self) -> bool:
        return self is not Outcome.PENDING

    @property
    def dialable(self) -> bool:
        """A row that is a person to call (not rejected at import, not a duplicate)."""
        return self not in (Outcome.INVALID, Outcome.DUPLICATE)

    @property
    def words(self) -> str:
        return _OUTCOME_WORDS[self]


_OUTCOME_WORDS = {
    Outcome.CONNECTED: "connected",
    Outcome.FAILED: "failed (busy, no answer or an error, after every attempt)",
    Outcome.PENDING: "not final yet",
    Outcome.UNKNOWN: "ended with a status the API did not explain",
    Outcome.INVALID: "rejected at import (bad number)",
    Outcome.DUPLICATE: "duplicate of an earlier row",
    Outcome.DNC: "on the do-not-call list",
    Outcome.CANCELED: "canceled before being called",
}


class WaitReason(StrEnum):
    """Why a queued contact is not callable yet (shown with the time it becomes callable)."""

    REDIAL = "redial"  # its retry delay after busy / no answer / error
    WINDOW = "window"  # the recipient's calling window is closed
    SCHEDULED = "scheduled"  # --start-at has not come yet (campaign-wide)
    RECENTLY_CALLED = "recently_called"  # --min-gap since any campaign's last call
    DAILY_CAP = "daily_cap"  # --max-attempts-per-day in the recipient's day

    @property
    def words(self) -> str:
        return _WAIT_WORDS[self]


_WAIT_WORDS = {
    WaitReason.REDIAL: "waiting for a redial",
    WaitReason.WINDOW: "waiting for their calling window",
    WaitReason.SCHEDULED: "waiting for --start-at",
    WaitReason.RECENTLY_CALLED: "recently called (min gap)",
    WaitReason.DAILY_CAP: "at their daily call cap",
}


class StopReason(StrEnum):
    """Why a run of a campaign ended, stored on the campaign with a detail; `fix` says what
    to do about it. `fatal` reasons exit 1 (the API refused the whole campaign)."""

    COMPLETED = "completed"
    IDLE = "idle"
    STOP_AT = "stop_at"
    PAUSED = "paused"
    CANCELED = "canceled"
    INTERRUPTED = "interrupted"
    KEY_REFUSED = "key_refused"
    FROM_NUMBERS_REFUSED = "from_numbers_refused"
    LEASE_LOST = "lease_lost"
    LOCK_LOST = "lock_lost"
    ERROR = "error"
    #: Never written by a runner: a `running` campaign whose runner died (kill -9, power).
    RUNNER_GONE = "runner_gone"

    @classmethod
    def read(cls, stored: str | None) -> StopReason | None:
        """The stored reason (None when none, or one this version does not know)."""
        return next((reason for reason in cls if reason.value == stored), None)

    @property
    def fatal(self) -> bool:
        return self in (
            StopReason.KEY_REFUSED,
            StopReason.FROM_NUMBERS_REFUSED,
            StopReason.LEASE_LOST,
            StopReason.LOCK_LOST,
        )

    @property
    def words(self) -> str:
        return _STOP_WORDS[self][0]

    @property
    def fix(self) -> str | None:
        return _STOP_WORDS[self][1]


_RESUME = "resume it to continue"
_STOP_WORDS: dict[StopReason, tuple[str, str | None]] = {
    StopReason.COMPLETED: ("every contact has a final outcome", None),
    StopReason.IDLE: (
        "every remaining contact waits, and --until-idle was given",
        "resume it when the next contact is due",
    ),
    StopReason.STOP_AT: ("reached --stop-at", f"{_RESUME} (with a later --stop-at, if any)"),
    StopReason.PAUSED: ("paused on request", _RESUME),
    StopReason.CANCELED: (
        "canceled on request",
        "nothing, unless calls were still open: then resume records them and finishes "
        "the cancel, dialing no one",
    ),
    StopReason.INTERRUPTED: ("interrupted by Ctrl-C, a signal or serve stopping", _RESUME),
    StopReason.KEY_REFUSED: (
        "the API refused the key",
        "set VOICY_API_KEY to a valid key (voicy_sk_...), then resume",
    ),
    StopReason.FROM_NUMBERS_REFUSED: (
        "every from-number was refused by the API",
        "use numbers assigned to your Voicy account (--from E164, or VOICY_FROM_NUMBERS), "
        "then resume",
    ),
    StopReason.LEASE_LOST: (
        "this runner's lease ran out and another runner took over its calls",
        "start it again to rejoin the campaign",
    ),
    StopReason.LOCK_LOST: (
        "another runner took over this campaign",
        "see `python -m campaign status`; resume once that runner is gone",
    ),
    StopReason.ERROR: ("the runner stopped on an error", f"fix the cause shown, then {_RESUME}"),
    StopReason.RUNNER_GONE: (
        "its runner stopped without saying why: killed, or its machine went down",
        _RESUME,
    ),
}


class EndSource(StrEnum):
    """How the engine learned that a call ended (the `ended_by` column of `attempts`)."""

    POLLED = "polled"  # a call-list scan saw its final status
    FETCHED = "fetched"  # looked up with call-get (a call no scan saw for hours)
    WEBHOOK = "webhook"  # Voicy's call_ended delivery, from the inbox (no call-get)

    @property
    def words(self) -> str:
        return _SOURCE_WORDS[self]


_SOURCE_WORDS = {
    EndSource.POLLED: "seen ending in a call-list scan",
    EndSource.FETCHED: "looked up with call-get",
    EndSource.WEBHOOK: "told by Voicy's call_ended webhook",
}
