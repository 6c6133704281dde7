"""The recipient's time zone, for times that are about the person called.

The zone the calling rules use for the contact (a `timezone` column wins, else the number's
range). A number whose range spans several zones has no one local time: its local times are
left out rather than shown in a zone that may not be the person's.
"""

from __future__ import annotations

from functools import cache

from campaign.rules.zones import contact_timezones


@cache
def recipient_zone(to_number: str | None, timezone: str | None = None) -> str | None:
    """The IANA zone a contact's local times are shown in, or None when unknown or several."""
    if not to_number:
        return None
    zones = contact_timezones(to_number, timezone or None)
    return zones[0] if len(zones) == 1 else None
