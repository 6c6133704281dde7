"""The calling calendar a campaign's settings ask for, from their text as the user gave it.

Kept apart from the engine's bridge (`campaign.engine.rules_bridge`, which needs the store):
`validate`, the dry run and the launch form check and describe a calendar without loading
SQLAlchemy (a fifth of `validate`'s start).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from campaign.errors import InputError
from campaign.rules.closed import ClosedDates
from campaign.rules.windows import WindowRule


class CalendarSettings(Protocol):
    """What of a campaign's settings (engine.settings.RunSettings) makes its calendar."""

    @property
    def window(self) -> str: ...

    @property
    def days(self) -> str: ...

    @property
    def holidays(self) -> bool | None: ...

    @property
    def closed_dates(self) -> Iterable[Iterable[str]]: ...


def calendar_of(settings: CalendarSettings, option: str = "--window/--days") -> WindowRule:
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
