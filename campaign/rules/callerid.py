"""The caller-ID pool: which `--from` number places the next call.

Numbers take turns (the least recently used goes next). With local presence, the number
closest to the contact goes first: same area code (e.g. 212 for a 212 contact), then same
region (a US number for a US contact), then same country calling code (+44 for a UK
contact; any +1 number for a NANP contact); ties and misses fall back to taking turns.

A from-number the API refuses (422: not assigned to the account) leaves the pool with a
warning and the campaign goes on; when none is left, `NoCallerIdLeft` stops the campaign.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from campaign.errors import FatalAPIError, InputError


class NoCallerIdLeft(FatalAPIError):
    """Every from-number was taken out of the pool: the campaign cannot place calls."""


@dataclass(frozen=True)
class RemovedCallerId:
    number: str
    reason: str

    @property
    def warning(self) -> str:
        return f"from-number {self.number} taken out of the pool: {self.reason}"


@dataclass(frozen=True)
class _Place:
    """Where a number is, for local-presence matching."""

    country_code: int
    region: str | None
    area_code: str | None


def _place(e164: str) -> _Place | None:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code is None:
        return None
    national = phonenumbers.national_significant_number(number)
    area_length = phonenumbers.length_of_geographical_area_code(number)
    return _Place(
        country_code=number.country_code,
        region=phonenumbers.region_code_for_number(number),
        area_code=national[:area_length] if area_length > 0 else None,
    )


def _closeness(contact: _Place, sender: _Place) -> int:
    """3 same area code, 2 same region, 1 same country code, 0 nothing shared."""
    if contact.country_code != sender.country_code:
        return 0
    if contact.area_code is not None and contact.area_code == sender.area_code:
        return 3
    if contact.region is not None and contact.region == sender.region:
        return 2
    return 1


class CallerIdPool:
    """The `--from` numbers, taking turns; `choose` names the one for the next call."""

    def __init__(self, numbers: list[str], local_presence: bool = False) -> None:
        ordered = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
        if not ordered:
            raise InputError("no caller ID: give at least one --from number in E.164 (+1...)")
        bad = [n for n in ordered if not n.startswith("+") or _place(n) is None]
        if bad:
            raise InputError(
                f"--from {bad[0]} is not an E.164 number: write it as +<country code><number>"
            )
        self.local_presence = local_presence
        self._places = {n: _place(n) for n in ordered}
        self._available = ordered
        # Turn order: the number used longest ago goes next; unused ones in the given order.
        self._last_used: dict[str, int] = {}
        self._turn = 0
        self.removed: list[RemovedCallerId] = []

    @property
    def available(self) -> list[str]:
        return list(self._available)

    @property
    def warnings(self) -> list[str]:
        return [r.warning for r in self.removed]

    def choose(self, to_e164: str) -> str:
        """The from-number for a call to `to_e164`; raises `NoCallerIdLeft` if none is left."""
        if not self._available:
            raise self._exhausted()
        candidates = self._available
        if self.local_presence:
            candidates = self._closest(to_e164) or candidates
        # min() keeps the first of equals, so unused numbers go in the order given.
        chosen = min(candidates, key=lambda n: self._last_used.get(n, -1))
        self._turn += 1
        self._last_used[chosen] = self._turn
        return chosen

    def _closest(self, to_e164: str) -> list[str]:
        contact = _place(to_e164)
        if contact is None:
            return []
        scores: dict[str, int] = {}
        for number in self._available:
            sender = self._places[number]
            scores[number] = _closeness(contact, sender) if sender is not None else 0
        best = max(scores.values())
        return [n for n in self._available if scores[n] == best] if best > 0 else []

    def remove(self, number: str, reason: str) -> None:
        """Take `number` out of the pool (the API refused it); a second removal is a no-op."""
        if number not in self._available:
            return
        self._available.remove(number)
        self.removed.append(RemovedCallerId(number, reason))

    def __len__(self) -> int:
        return len(self._available)

    def _exhausted(self) -> NoCallerIdLeft:
        reasons = "; ".join(f"{r.number}: {r.reason}" for r in self.removed) or "pool empty"
        return NoCallerIdLeft(
            f"every --from number was refused ({reasons}): use numbers assigned to your "
            "Voicy account"
        )

    def __repr__(self) -> str:
        return (
            f"CallerIdPool(available={self._available!r}, removed={len(self.removed)}, "
            f"local_presence={self.local_presence})"
        )
