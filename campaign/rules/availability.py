"""The calendar's answer for one recipient at one instant, and its vocabulary.

`Availability` (open? the next opening, why closed) is what `CallingCalendar.availability`
returns; `ClosedReason` is the enum of why a recipient may not be called, which the engine
maps to its wait reasons; `Closure` is one reason with its detail (`Yom Kippur`, `Saturday`,
`fri 09:00-13:00`, a closed date's note) and `label()` is how people read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

__all__ = ["LABELS", "Availability", "ClosedReason", "Closure", "NeverOpen"]


class NeverOpen(Exception):
    """The calendar never opens for this contact in the search horizon; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ClosedReason(StrEnum):
    """Why a recipient may not be called at an instant (the engine maps it to a wait reason)."""

    OUTSIDE_HOURS = "outside_hours"  # the day has hours, the instant is outside them
    CLOSED_DAY = "closed_day"  # a day of the week without hours (Saturday in Israel)
    HOLIDAY = "holiday"  # a public holiday of the recipient's country
    HOLIDAY_EVE = "holiday_eve"  # the short eve of a holiday, after its hours
    CLOSED_DATE = "closed_date"  # a date from --closed
    NO_ZONE = "no_zone"  # no time zone is known for the number: never opens
    NEVER_OPEN = "never_open"  # the zones' hours never overlap (or --days leaves none)


#: How people read each reason (English; `campaign.rules.words` for the reader's language).
LABELS = {
    ClosedReason.OUTSIDE_HOURS: "outside calling hours",
    ClosedReason.CLOSED_DAY: "closed day",
    ClosedReason.HOLIDAY: "holiday",
    ClosedReason.HOLIDAY_EVE: "holiday eve",
    ClosedReason.CLOSED_DATE: "closed date",
    ClosedReason.NO_ZONE: "no time zone",
    ClosedReason.NEVER_OPEN: "never open",
}
#: Closures that explain a long wait better than the hour of the day does.
_NAMED = (ClosedReason.CLOSED_DATE, ClosedReason.HOLIDAY)


@dataclass(frozen=True)
class Closure:
    """One reason to wait: what (`reason`), its name or hours (`detail`), and where and when."""

    reason: ClosedReason
    detail: str = ""
    day: date | None = None  # the recipient-local date it applies to
    zone: str | None = None

    def label(self) -> str:
        """`holiday (Yom Kippur)`, `closed day (Saturday)`, `outside calling hours (fri
        09:00-13:00)`; the full message for NO_ZONE and NEVER_OPEN."""
        if self.reason in (ClosedReason.NO_ZONE, ClosedReason.NEVER_OPEN):
            return self.detail or LABELS[self.reason]
        words = LABELS[self.reason]
        return f"{words} ({self.detail})" if self.detail else words


@dataclass(frozen=True)
class Availability:
    """The calendar's answer for one recipient at one instant."""

    open: bool
    at: datetime
    opens_at: datetime | None  # `at` when open; None when it never opens
    closure: Closure | None = None  # why `at` itself is closed
    closures: tuple[Closure, ...] = ()  # holidays and closed dates passed before `opens_at`
    zones: tuple[str, ...] = ()
    country: str | None = None

    @property
    def reason(self) -> Closure | None:
        """The reason to show for the wait (None when open); see the module notes."""
        if self.closure is None:
            return None
        for closure in (self.closure, *self.closures):
            if closure.reason in _NAMED:
                return closure
        return self.closure

    def label(self) -> str:
        return "open" if self.reason is None else self.reason.label()
