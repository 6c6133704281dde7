"""When a person asked to be called back: an extracted time, read in the recipient's zone.

`callback_time(value, ended_at, zone)` accepts ISO 8601 (with or without an offset; without
one it is the recipient's local time) and phrases in English and Hebrew ("tomorrow at 5pm",
"מחר בחמש", "in two hours", "בעוד שעתיים"), resolved by `dateparser` relative to the call's
end in the recipient's zone, preferring the future. Before dateparser sees a phrase, a few
spoken forms it does not know are rewritten into ones it does (Hebrew number words and the
"at" prefix glued to a time, a bare "at 5"); a bare hour from 1 to 7 with no morning marker
is the afternoon (people asking for a call "at five" mean 17:00). The answer is aware UTC,
or None when the value is not a time, or is not after the call's end.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["callback_time", "load_parser"]

#: Hebrew number words, longest first (so "אחת עשרה" is read before "אחת").
_HEBREW_NUMBERS = (
    ("שתים עשרה", "12"),
    ("שתיים עשרה", "12"),
    ("אחת עשרה", "11"),
    ("שתיים", "2"),
    ("שתים", "2"),
    ("שלוש", "3"),
    ("ארבע", "4"),
    ("חמש", "5"),
    ("שמונה", "8"),
    ("תשע", "9"),
    ("עשר", "10"),
    ("אחת", "1"),
    ("שבע", "7"),
    ("שש", "6"),
)
_HEBREW_UNITS = r"(?:שעות|שעה|דקות|דקה|ימים|יום)"
_MORNING = re.compile(r"\b(?:am|a\.m\.|morning)\b|בבוקר", re.IGNORECASE)
_AFTERNOON = re.compile(r"\b(?:pm|p\.m\.|afternoon|evening|tonight)\b|אחה\"צ", re.IGNORECASE)
_RELATIVE = re.compile(r"\bin\b|\bago\b|בעוד|לפני", re.IGNORECASE)
_CLOCK = re.compile(r"\d{1,2}:\d{2}|\bat \d{1,2}\b")


def callback_time(value: Any, ended_at: datetime, zone: str | None) -> datetime | None:
    """The instant a person asked to be called back at (aware UTC), or None."""
    if value is None or isinstance(value, bool | int | float):
        return None  # a number or a flag is not a time
    text = str(value).strip()
    if not text:
        return None
    tz = _zone(zone)
    found = _iso(text, tz)
    if found is None:
        found = _phrase(text, ended_at.astimezone(tz), tz)
    if found is None or found <= ended_at:
        return None
    return found.astimezone(UTC)


def load_parser() -> None:
    """Import dateparser now (it takes a while): not inside the transaction of a first call."""
    import dateparser  # noqa: F401


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _iso(text: str, tz: ZoneInfo) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=tz)


def spoken(text: str) -> str:
    """A phrase rewritten into forms dateparser reads (see the module docstring)."""
    out = text.replace("אחר הצהריים", 'אחה"צ').replace("בערב", 'אחה"צ')
    out = out.replace("שעתיים", "2 שעות").replace("חצי שעה", "30 דקות")
    out = re.sub(r"בעוד (שעה|דקה|יום)\b", r"בעוד 1 \1", out)
    for word, digits in _HEBREW_NUMBERS:
        out = re.sub(rf"(^|\s|ב-?|בשעה\s)({word})(?=\s|$|[^\u0590-\u05ff])", rf"\g<1>{digits}", out)
    # "ב5", "ב-17:00", "בשעה 5": a time of day; dateparser wants "5:00".
    out = re.sub(
        rf"(?:בשעה\s*|ב-?\s?)(\d{{1,2}})(?::(\d{{2}}))?(?!\d)(?!\s*{_HEBREW_UNITS})",
        lambda m: f" {m.group(1)}:{m.group(2) or '00'}",
        out,
    )
    out = re.sub(r"\bat (\d{1,2})(?![\d:])(?!\s*[ap]\.?m)", r"at \1:00", out, flags=re.I)
    return re.sub(r"\s+", " ", out).strip()


def _phrase(text: str, base: datetime, tz: ZoneInfo) -> datetime | None:
    import dateparser  # loaded on the first callback only: it takes a while to import

    normal = spoken(text)
    morning = bool(_MORNING.search(normal))
    normal = re.sub(r"\s*בבוקר", "", normal)  # dateparser reads it as "now"
    settings: Any = {
        "RELATIVE_BASE": base.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "TIMEZONE": str(tz),
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    found = dateparser.parse(normal, languages=["en", "he"], settings=settings)
    if found is None:
        return None
    local = found.astimezone(tz)
    if (
        1 <= local.hour <= 7
        and _CLOCK.search(normal)
        and not morning
        and not _AFTERNOON.search(normal)
        and not _RELATIVE.search(normal)
    ):
        local += timedelta(hours=12)
    return local
