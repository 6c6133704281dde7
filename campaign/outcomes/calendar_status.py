"""The calling calendar as `status` shows it: each country's schedule and its next opening.

For a stored campaign, from its settings (`window`, `days`, `holidays`, `closed_dates`) and
its numbers: the contacts still to call are grouped by country (one grouped query on the
number's first digits, then one phonenumbers lookup per group, so a 100,000-row list costs
a few hundred lookups), and each country gets the schedule the rules give it
(`campaign.rules.describe`) and, asked of the calendar at the status' instant, whether it is
open now or when it opens next and why it is closed (`holiday (Yom Kippur)`, `closed day
(Saturday)`). A country whose numbers span several zones (the US) opens at the first of its
zones' openings; each contact's own wait is in `waiting` and on the contact page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import ContactState
from campaign.i18n import gettext_
from campaign.rules.availability import Closure
from campaign.rules.calendar import CallingCalendar, country_of_number
from campaign.rules.closed import ClosedDates
from campaign.rules.describe import describe_calendar
from campaign.rules.words import closure_words
from campaign.store.models import Contact

#: Characters of an E.164 number that decide its country (`+1212`: the US, `+1416`: Canada).
_PREFIX = 5
#: Contacts in these states still have calls ahead of them.
_AHEAD = (ContactState.QUEUED, ContactState.ACTIVE)


@dataclass(frozen=True)
class CountryOpening:
    """One country's calendar, in the campaign: which hours, and when it opens next."""

    country: str
    name: str
    contacts: int  # contacts of this country still to call
    schedule: str  # `sun-thu 09:00-20:00, fri 09:00-13:00`
    source: str  # `Israel's default`, `--window`
    holidays: str  # `no calls on Israel public holidays`
    open_now: bool
    next_opening: datetime | None  # None when open now, or when it never opens
    #: Why it is closed now (`holiday (Yom Kippur)`), or the reason it never opens.
    closed_because: str | None = None
    next_holidays: list[tuple[str, str]] = field(default_factory=list)  # (ISO date, name)


@dataclass(frozen=True)
class CalendarStatus:
    hours: str  # the calendar in one line
    countries: list[CountryOpening]
    other_countries: str | None = None


def calendar_of_settings(settings: Mapping[str, Any]) -> CallingCalendar:
    """The calendar a stored campaign's settings give (as the runner reads them)."""
    return CallingCalendar.from_options(
        str(settings.get("window") or "default"),
        settings.get("days") or None,
        holidays=settings.get("holidays"),
        closed=ClosedDates.from_json(settings.get("closed_dates")),
    )


def calendar_status(
    session: Session, campaign_id: int, settings: Mapping[str, Any], now: datetime
) -> CalendarStatus | None:
    """The calendar of the campaign's contacts still to call; None without any, or when the
    stored settings no longer parse (status must show the rest all the same)."""
    try:
        calendar = calendar_of_settings(settings)
    except ValueError:
        return None
    groups = _number_groups(session, campaign_id)
    if not groups:
        return None
    counts: Counter[str] = Counter()
    samples: dict[str, list[str]] = {}
    for number, count in groups:
        code = country_of_number(number)
        if code is None:
            continue
        counts[code] += count
        samples.setdefault(code, []).append(number)
    view = describe_calendar(calendar, counts, today=now.date())
    countries = []
    for country in view.countries:
        answers = [calendar.availability(n, None, now) for n in samples[country.country]]
        opening = [a for a in answers if a.open]
        waits = sorted((a for a in answers if a.opens_at is not None and not a.open),
                       key=lambda a: a.opens_at or now)  # fmt: skip
        first = opening[0] if opening else (waits[0] if waits else answers[0])
        countries.append(
            CountryOpening(
                country=country.country,
                name=country.name,
                contacts=country.contacts,
                schedule=country.schedule,
                source=country.source,
                holidays=country.holidays,
                open_now=first.open,
                next_opening=None if first.open else first.opens_at,
                closed_because=None if first.open else _why(first.reason, country.country),
                next_holidays=list(country.next_holidays),
            )
        )
    return CalendarStatus(view.hours, countries, view.other_countries)


def _why(closure: Closure | None, country: str) -> str:
    """Why it is closed, in the reader's language (`holiday (Yom Kippur)`)."""
    return closure_words(closure, country) if closure is not None else gettext_("never open")


def _number_groups(session: Session, campaign_id: int) -> list[tuple[str, int]]:
    """(a sample number, how many) per group of numbers sharing their first digits."""
    prefix = func.substr(Contact.to_number, 1, _PREFIX)
    rows = session.execute(
        select(func.min(Contact.to_number), func.count())
        .where(
            Contact.campaign_id == campaign_id,
            Contact.to_number.is_not(None),
            Contact.state.in_([state.value for state in _AHEAD]),
        )
        .group_by(prefix)
    ).all()
    return [(str(number), int(count)) for number, count in rows if number]
