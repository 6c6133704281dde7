"""The one bridge between the runner and the calling rules (`campaign.rules`).

The dispatcher asks two questions: is the whole campaign held (`campaign_hold`: the start
time), and is this due contact held (`hold`: the recipient-local calling calendar, with its
schedule, country defaults, holidays and closed dates (`campaign.rules.calendar`), the
per-number daily cap, the minimum gap across campaigns). Each answer is a `Hold` with its
scope and the calendar's reason in words (`holiday (Yom Kippur)`), so the calls package
writes it set-based: a closed calendar holds every contact of the zone key in one statement,
`--start-at` writes no contact at all (the first opening after it is each zone's next hold).
The do-not-call list and the minimum gap are (also) checked inside the intent's own
transaction (`campaign.calls.intents`), so no race between runners can slip past them.

Only this module imports `campaign.rules` in the engine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select

from campaign.calls.due import Candidate
from campaign.calls.holds import Hold, HoldScope
from campaign.calls.vocab import AttemptStatus, WaitReason
from campaign.durations import parse_instant
from campaign.engine.settings import RunSettings
from campaign.rules.calendar import country_of_number
from campaign.rules.callerid import CallerIdPool
from campaign.rules.from_settings import calendar_of
from campaign.rules.gap import attempts_today_blocks, gap_blocks
from campaign.rules.windows import WindowRule
from campaign.store.db import Database
from campaign.store.models import Attempt

__all__ = [
    "CallerIds",
    "CallingRules",
    "DialRules",
    "Openings",
    "calendar_of",
    "check_rules",
    "parse_instant",
    "rules_for",
]

#: A contact whose zones never share an open window is looked at again after this long.
_NEVER_OPEN_RETRY = timedelta(days=1)
#: Attempts older than this cannot fall in any recipient's current local day.
_CAP_LOOKBACK = timedelta(days=2)


class DialRules(Protocol):
    """Whether contacts may be dialed at `now`, and if not, until when and why."""

    def zone_key(self, e164: str, timezone: str | None) -> str:
        """Contacts with the same key open and close together (a `ZONE` hold covers them)."""
        ...

    def campaign_hold(self, now: datetime) -> Hold | None: ...

    def hold(self, candidate: Candidate, now: datetime) -> Hold | None: ...


class Openings(Protocol):
    """The recipient's zone and calling calendar, for times chosen after a call (a callback,
    a redial): `opening` moves an instant into the next opening of the calendar."""

    def zone_of(self, e164: str, timezone: str | None) -> str | None: ...

    def opening(self, e164: str, timezone: str | None, at: datetime) -> datetime: ...


class CallerIds(Protocol):
    """Chooses the from-number of each call (see campaign.rules.callerid.CallerIdPool)."""

    @property
    def available(self) -> list[str]: ...

    def choose(self, to_number: str) -> str: ...

    def remove(self, number: str, reason: str) -> None: ...


def check_rules(settings: RunSettings) -> None:
    """Bad --window/--days/--start-at/--stop-at fail before anything is stored."""
    calendar_of(settings)
    parse_instant(settings.start_at, "--start-at")
    parse_instant(settings.stop_at, "--stop-at")


class CallingRules:
    """Start time, calling calendar, daily cap and minimum gap, as one `DialRules`."""

    def __init__(self, db: Database, settings: RunSettings) -> None:
        self.db = db
        # Kept without a calendar too: the daily cap counts the recipient's local day.
        self.windows = calendar_of(settings)
        self.start_at = parse_instant(settings.start_at, "--start-at")
        self.max_per_day = settings.max_attempts_per_day
        self.min_gap = float(settings.min_gap or 0.0)

    @property
    def window(self) -> WindowRule | None:
        return self.windows if self.windows.restricted else None

    def zone_key(self, e164: str, timezone: str | None) -> str:
        """The calendar answers alike for a country and a set of zones: `IL Asia/Jerusalem`."""
        zones = " ".join(sorted(self.windows.zones(e164, timezone).zones))
        return f"{country_of_number(e164) or '-'} {zones}"

    def zone_of(self, e164: str, timezone: str | None) -> str | None:
        """The recipient's (first) zone: the one their phrases ("tomorrow at 5") mean."""
        zones = self.windows.zones(e164, timezone).zones
        return zones[0] if zones else None

    def opening(self, e164: str, timezone: str | None, at: datetime) -> datetime:
        """`at` when the recipient's calendar is open then, else its next opening (a day
        later when it never opens: the dispatcher's hold then says why)."""
        if not self.windows.restricted:
            return at
        answer = self.windows.availability(e164, timezone, at)
        if answer.open:
            return at
        return answer.opens_at or at + _NEVER_OPEN_RETRY

    def campaign_hold(self, now: datetime) -> Hold | None:
        if self.start_at is not None and now < self.start_at:
            return Hold(self.start_at, WaitReason.SCHEDULED, scope=HoldScope.CAMPAIGN)
        return None

    def hold(self, candidate: Candidate, now: datetime) -> Hold | None:
        if self.windows.restricted:
            # The calendar depends on the contact's country and zones only: the hold covers
            # every contact of its zone key.
            answer = self.windows.availability(candidate.to_number, candidate.timezone, now)
            if not answer.open:
                why = answer.reason
                detail = why.label() if why is not None else None
                until = answer.opens_at or now + _NEVER_OPEN_RETRY
                return Hold(until, WaitReason.WINDOW, detail, HoldScope.ZONE)
        return self._spacing(candidate, now)

    def _spacing(self, candidate: Candidate, now: datetime) -> Hold | None:
        """The daily cap and the minimum gap, from the number's calls by every campaign.

        The gap is checked here read-only so a recently called number neither spends a
        dial's request budget nor an intent; the intent's transaction checks it again,
        which is what no race between runners can slip past.
        """
        if not self.max_per_day and self.min_gap <= 0:
            return None
        since = now - max(_CAP_LOOKBACK, timedelta(seconds=self.min_gap))
        with self.db.read_session() as session:
            rows = session.execute(
                select(Attempt.requested_at, Attempt.contact_id).where(
                    Attempt.to_number == candidate.to_number,
                    Attempt.state != AttemptStatus.NOT_PLACED,
                    Attempt.requested_at > since,
                )
            ).all()
        holds: list[Hold] = []
        if self.min_gap > 0:
            # A redial of this very contact is spaced by its retry delay, not the gap.
            others = [at for at, contact_id in rows if contact_id != candidate.contact_id]
            free_at = gap_blocks(max(others, default=None), self.min_gap, now)
            if free_at is not None:
                holds.append(Hold(free_at, WaitReason.RECENTLY_CALLED))
        if self.max_per_day:
            zones = self.windows.zones(candidate.to_number, candidate.timezone).zones
            free_at = attempts_today_blocks(
                [at for at, _ in rows], self.max_per_day, list(zones), now
            )
            if free_at is not None:
                holds.append(Hold(free_at, WaitReason.DAILY_CAP))
        return max(holds, key=lambda hold: hold.until) if holds else None


def rules_for(db: Database, settings: RunSettings) -> tuple[CallingRules, CallerIdPool]:
    """The calling rules and caller-ID pool a campaign's settings ask for."""
    pool = CallerIdPool(list(settings.from_numbers), local_presence=settings.local_presence)
    return CallingRules(db, settings), pool
