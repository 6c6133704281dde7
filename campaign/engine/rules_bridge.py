"""The calling rules a runner applies, built from its settings.

Checked for each contact just before its intent is written: the campaign's start time,
the recipient-local calling calendar (schedule, country defaults, holidays, closed dates:
`campaign.rules.calendar`), the per-number daily cap and the minimum gap across campaigns.
The do-not-call list and the minimum gap are (also) checked inside the intent's own
transaction (see `records.write_intent`), so no race between runners can slip past them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from campaign.clock import Clock
from campaign.engine.settings import RunSettings
from campaign.errors import InputError
from campaign.rules.callerid import CallerIdPool
from campaign.rules.closed import ClosedDates
from campaign.rules.gap import attempts_today_blocks, gap_blocks
from campaign.rules.windows import WindowRule
from campaign.store.db import Database
from campaign.store.models import NOT_PLACED, Attempt, Suppression
from campaign.voicy.models import CallDetail

if TYPE_CHECKING:
    from campaign.engine.dispatch import Candidate

#: A contact whose zones never share an open window is looked at again after this long.
_NEVER_OPEN_RETRY = timedelta(days=1)
#: Attempts older than this cannot fall in any recipient's current local day.
_CAP_LOOKBACK = timedelta(days=2)


def parse_instant(text: str | None, option: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"{option} {text!r} is not an ISO date-time; use e.g. 2026-12-01T09:00+01:00"
        ) from exc
    if value.tzinfo is None:
        value = value.astimezone()  # local time of this machine, said in the help
    return value


def calendar_of(settings: RunSettings, option: str = "--window/--days") -> WindowRule:
    """The campaign's calling calendar from its settings; InputError says how to fix them."""
    try:
        return WindowRule.from_options(
            settings.window,
            settings.days,
            holidays=settings.holidays,
            closed=ClosedDates.from_json(settings.closed_dates),
        )
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from exc


class CallingRules:
    """Start time, calling window, daily cap and minimum gap, as one `DialRules`."""

    def __init__(self, db: Database, settings: RunSettings) -> None:
        self.db = db
        # Kept without a window too: the daily cap counts the recipient's local day.
        self.windows = calendar_of(settings)
        self.start_at = parse_instant(settings.start_at, "--start-at")
        self.max_per_day = settings.max_attempts_per_day
        self.min_gap = float(settings.min_gap or 0.0)

    @property
    def window(self) -> WindowRule | None:
        return self.windows if self.windows.restricted else None

    def hold_until(self, candidate: Candidate, now: datetime) -> tuple[datetime, str] | None:
        if self.start_at is not None and now < self.start_at:
            # Straight to the first opening at or after the start, not the start itself.
            return self._opening(candidate, self.start_at) or self.start_at, "scheduled"
        if self.windows.restricted:
            answer = self.windows.availability(candidate.to_number, candidate.timezone, now)
            if not answer.open:
                return answer.opens_at or now + _NEVER_OPEN_RETRY, "window"
        return self._spacing(candidate, now)

    def _opening(self, candidate: Candidate, at: datetime) -> datetime | None:
        if not self.windows.restricted:
            return at
        return self.windows.availability(candidate.to_number, candidate.timezone, at).opens_at

    def _spacing(self, candidate: Candidate, now: datetime) -> tuple[datetime, str] | None:
        """The daily cap and the minimum gap, from the number's calls by every campaign.

        The gap is checked here read-only so a recently called number neither spends a
        dial's request budget nor an intent; `records.write_intent` checks it again inside
        the intent's transaction, which is what no race between runners can slip past.
        """
        if not self.max_per_day and self.min_gap <= 0:
            return None
        since = now - max(_CAP_LOOKBACK, timedelta(seconds=self.min_gap))
        with self.db.read_session() as session:
            rows = session.execute(
                select(Attempt.requested_at, Attempt.contact_id).where(
                    Attempt.to_number == candidate.to_number,
                    Attempt.state != NOT_PLACED,
                    Attempt.requested_at > since,
                )
            ).all()
        holds: list[tuple[datetime, str]] = []
        if self.min_gap > 0:
            # A redial of this very contact is spaced by its retry delay, not the gap.
            others = [at for at, contact_id in rows if contact_id != candidate.contact_id]
            free_at = gap_blocks(max(others, default=None), self.min_gap, now)
            if free_at is not None:
                holds.append((free_at, "recently_called"))
        if self.max_per_day:
            zones = self.windows.zones(candidate.to_number, candidate.timezone).zones
            free_at = attempts_today_blocks(
                [at for at, _ in rows], self.max_per_day, list(zones), now
            )
            if free_at is not None:
                holds.append((free_at, "daily_cap"))
        return max(holds, key=lambda hold: hold[0]) if holds else None


class OptOutRecorder:
    """Adds a number to the suppression list when a connected call says it opted out."""

    def __init__(self, db: Database, var_name: str, clock: Clock, campaign_name: str = "") -> None:
        self.db = db
        self.var_name = var_name
        self.clock = clock
        self.campaign_name = campaign_name

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


def build_rules(
    db: Database, settings: RunSettings, clock: Clock
) -> tuple[CallingRules, CallerIdPool, dict[str, Any]]:
    hooks: dict[str, Any] = {}
    if settings.opt_out_var:
        hooks["on_details"] = OptOutRecorder(db, settings.opt_out_var, clock)
    pool = CallerIdPool(list(settings.from_numbers), local_presence=settings.local_presence)
    return CallingRules(db, settings), pool, hooks
