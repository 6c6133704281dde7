"""Dates the caller is closed (`--closed FILE`): no calls on them, on the recipient's calendar.

The file is plain text (UTF-8; a CSV saved by Excel works too), one date or range a line,
optionally followed by a comma and a note that is shown as the reason contacts wait:

    # the clinic's closures for 2026
    2026-12-24, staff day
    2026-08-02..2026-08-13, summer closure
    2026-10-05

Dates are ISO (YYYY-MM-DD); a range is `START..END` (both included). Blank lines, lines
starting with `#` and a `date,note` header are skipped; `;` or a tab may separate the note.
Every bad line is reported with its number and the fix, and nothing is used until the whole
file reads right (a mistyped date would mean calls on a closed day).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from campaign.errors import InputError

__all__ = ["CLOSED_FILE_HELP", "ClosedDates", "parse_closed", "read_closed_file"]

CLOSED_FILE_HELP = (
    "one date a line (YYYY-MM-DD, or START..END for a range), optionally ', note'; "
    "# starts a comment"
)
#: A range longer than this is surely a typo (2026-01-01..2027-01-01 closes a whole year).
MAX_RANGE_DAYS = 366
_RANGE_SEPARATOR = ".."


@dataclass(frozen=True)
class ClosedDates:
    """Closed local dates and the note for each (`""` when the file gave none)."""

    days: tuple[tuple[date, str], ...] = ()
    _notes: Mapping[date, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_notes", dict(self.days))

    @classmethod
    def of(cls, notes: Mapping[date, str]) -> ClosedDates:
        return cls(tuple(sorted(notes.items())))

    def __bool__(self) -> bool:
        return bool(self.days)

    def __len__(self) -> int:
        return len(self.days)

    def note(self, day: date) -> str | None:
        """The note for a closed day (`""` without one); None when the day is not closed."""
        return self._notes.get(day)

    def upcoming(self, start: date) -> list[tuple[date, str]]:
        return [(day, note) for day, note in self.days if day >= start]

    def to_json(self) -> list[list[str]]:
        """`[["2026-12-24", "staff day"], ...]`, as stored with a campaign's settings."""
        return [[day.isoformat(), note] for day, note in self.days]

    @classmethod
    def from_json(cls, rows: Iterable[Iterable[str]] | None) -> ClosedDates:
        notes: dict[date, str] = {}
        for row in rows or ():
            day, note = list(row)
            notes[date.fromisoformat(day)] = note
        return cls.of(notes)

    def merged(self, other: ClosedDates) -> ClosedDates:
        notes = dict(self._notes)
        for day, note in other.days:
            notes[day] = _join(notes.get(day), note)
        return ClosedDates.of(notes)


def read_closed_file(path: str | Path) -> ClosedDates:
    """Read a `--closed` file; InputError lists every bad line with its number and the fix."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(
            f"--closed {file}: cannot read it ({exc.strerror or exc}); check the path"
        ) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Dates are ASCII; only a note can be in another encoding: shown with � rather than
        # refusing the file (the dates still close the days).
        text = data.decode("utf-8", errors="replace")
    return parse_closed(text, source=str(file))


def parse_closed(text: str, *, source: str | None = None) -> ClosedDates:
    """The dates of a `--closed` file's text; InputError lists every bad line."""
    notes: dict[date, str] = {}
    errors: list[str] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = next(csv.reader([stripped], delimiter=_delimiter(stripped)))
        spec = cells[0].strip() if cells else ""
        note = ", ".join(c.strip() for c in cells[1:] if c.strip())
        if number == 1 and spec.lower() in {"date", "dates", "day", "closed", "from"}:
            continue  # a header row
        try:
            days = _days_of(spec)
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        for day in days:
            notes[day] = _join(notes.get(day), note)
    if errors:
        shown = "; ".join(errors[:10]) + (
            f"; and {len(errors) - 10} more" if len(errors) > 10 else ""
        )
        where = f"--closed {source}" if source else "--closed"
        raise InputError(
            f"{where}: {len(errors)} bad line{'s' if len(errors) > 1 else ''}: {shown}. "
            f"Write {CLOSED_FILE_HELP}"
        )
    return ClosedDates.of(notes)


def _delimiter(line: str) -> str:
    for candidate in (",", ";", "\t"):
        if candidate in line:
            return candidate
    return ","


def _days_of(spec: str) -> list[date]:
    if _RANGE_SEPARATOR not in spec:
        return [_date(spec)]
    first_text, _, last_text = spec.partition(_RANGE_SEPARATOR)
    first, last = _date(first_text), _date(last_text)
    if last < first:
        raise ValueError(f"the range {spec!r} ends before it starts: write START..END")
    length = (last - first).days + 1
    if length > MAX_RANGE_DAYS:
        raise ValueError(
            f"the range {spec!r} is {length} days long: write one closure a line "
            f"(at most {MAX_RANGE_DAYS} days)"
        )
    return [first + timedelta(days=i) for i in range(length)]


def _date(text: str) -> date:
    value = text.strip()
    if not value:
        raise ValueError("no date: write YYYY-MM-DD, e.g. 2026-12-24")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2026-12-24") from None


def _join(first: str | None, second: str) -> str:
    if not first:
        return second
    if not second or second == first:
        return first
    return f"{first}; {second}"
