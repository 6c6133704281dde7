"""The pages' language: English (the default) or Hebrew, right-to-left.

The language of a request is, in order: `?lang=he` (the switch in every page's header; the
choice is then remembered in a cookie), that cookie, the browser's Accept-Language
(negotiated by Babel), else English. The catalog and the rendering language are
`campaign.i18n`'s.

Times on the pages are in the reader's time zone: the page's script keeps it in a cookie
(`campaign_tz`, the browser's IANA zone), else this machine's (`campaign.formats`). Every
request is handled in its language and zone (`ReaderContext`), so whatever a handler
computes (a list check, a calendar, an error) is written for its reader.

The words of the vocabularies shown on the pages (campaign states, outcomes, wait reasons)
are translated from their stored values (`VOCABULARY`), which the catalog test checks.
"""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import negotiate_locale
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from campaign.calls.vocab import AttemptStatus, CampaignState, Outcome, StopReason, WaitReason
from campaign.contacts.phones import REASONS
from campaign.i18n import (
    DEFAULT,
    LANGUAGES,
    direction,
    format_number,
    gettext_,
    ngettext_,
    reset,
    reset_zone,
    use,
    use_zone,
    word,
)
from campaign.outcomes.status_view import REHEARSAL_WORDS, SOURCE_WORDS
from campaign.rules.availability import LABELS
from campaign.rules.words import MOVED_WORDS

__all__ = [
    "COOKIE",
    "LANGUAGES",
    "VOCABULARY",
    "ZONE_COOKIE",
    "ReaderContext",
    "chosen",
    "direction",
    "format_number",
    "gettext_",
    "language_of",
    "negotiated",
    "ngettext_",
    "reset",
    "switch_url",
    "use",
    "word",
    "zone_of",
]

COOKIE = "campaign_lang"
#: The browser's IANA time zone, kept by the page's script (app.js).
ZONE_COOKIE = "campaign_tz"
QUERY = "lang"
#: A year: the choice stays until changed.
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Stored values shown on the pages and translated as words (see the module docstring).
VOCABULARY: tuple[str, ...] = (
    *(state.value for state in CampaignState),
    *(outcome.value for outcome in Outcome),
    *(reason.words for reason in WaitReason),
    REHEARSAL_WORDS,
    *(reason.words for reason in StopReason),
    *(reason.fix for reason in StopReason if reason.fix),
    # How a call's end was learned, and why a recipient waits (campaign.rules.words).
    *SOURCE_WORDS.values(),
    *LABELS.values(),
    MOVED_WORDS,
    # An attempt's state and category (the contact page).
    *(status.words for status in AttemptStatus),
    "in_progress",
    "failed",
    "unknown",
    # The charts' legend (connected and failed are outcomes).
    "other",
    # Who speaks in a transcript (the contact page).
    "agent",
    "caller",
    "user",
    "system",
    # Why a contact was never dialed (stored by campaign.calls).
    "on the do-not-call list",
    # How a row was imported (the contact page).
    "valid",
    # Why a row of a list is rejected (stored in English, grouped by `validate`).
    *REASONS,
    # Words the templates show from a variable: how the phone column was found, and the
    # public-holiday choices of the launch form.
    "option",
    "header",
    "content",
    "skip (not under window any)",
    "skip",
    "call anyway",
)


def chosen(request: Request) -> tuple[str, bool]:
    """The request's language, and whether it was just chosen (`?lang=`: remember it)."""
    asked = request.query_params.get(QUERY)
    if asked in LANGUAGES:
        return asked, True
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie, False
    return negotiated(request.headers.get("accept-language", "")), False


def language_of(request: Request) -> str:
    return chosen(request)[0]


def negotiated(header: str) -> str:
    """The best of LANGUAGES for an Accept-Language header (`he-IL,he;q=0.9,en;q=0.8`)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.strip().replace("_", "-")))
    preferred = [tag for _, _, tag in sorted(weighted)]
    # Babel matches `he-IL` to `he`; both spellings of Hebrew's old code (`iw`) are its alias.
    found = negotiate_locale(preferred, list(LANGUAGES), sep="-")
    return found if found in LANGUAGES else DEFAULT


def switch_url(request: Request, language: str) -> str:
    """This page again in `language` (its other query parameters kept)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != QUERY]
    params.append((QUERY, language))
    return f"{request.url.path}?{urlencode(params)}"


def zone_of(request: Request) -> str | None:
    """The reader's IANA time zone (the page's script's cookie), if it names one."""
    name = request.cookies.get(ZONE_COOKIE, "")
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


class ReaderContext:
    """Handle each request in its reader's language and time zone (see the module notes)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token, zone_token = use(language_of(request)), use_zone(zone_of(request))
        try:
            await self.app(scope, receive, send)
        finally:
            reset_zone(zone_token)
            reset(token)
