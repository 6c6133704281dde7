"""Jinja2 with autoescaping for every template, and the filters the pages share.

Everything shown comes from callers' words and uploaded spreadsheets, so nothing is ever
marked safe except our own chart SVG (see `campaign.web.charts`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from campaign import formats
from campaign.localtime import zone_name
from campaign.rules.words import detail_words, schedule_words
from campaign.web import i18n
from campaign.web.call_words import reason_words, status_words

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
DASH = "–"


def instant_text(at: datetime | None) -> str:
    """`Jan 5, 2026, 17:07 Israel Time`: in the page's language and the reader's zone
    (`campaign.formats`)."""
    return formats.instant(at)


def time_tag(at: datetime | None) -> Markup | str:
    """`<time datetime="ISO UTC">the reader's words</time>`."""
    if at is None:
        return DASH
    return Markup('<time datetime="{}" data-local>{}</time>').format(iso(at), instant_text(at))


def their_time(at: datetime | None, zone: str | None) -> str:
    """`Jan 5, 2026, 17:07 Israel Time`: the recipient's own time, for times about them."""
    if at is None or not zone:
        return ""
    return formats.instant(at, zone)


def iso(at: datetime | None) -> str:
    return "" if at is None else at.astimezone(UTC).isoformat(timespec="seconds")


def relative_text(at: datetime | None, now: datetime) -> str:
    """`in 10 minutes`, `3 seconds ago` (Babel, in the page's language)."""
    return formats.relative(at, now)


def number(value: int | float | None) -> str:
    """`1,234` in the page's language (Babel)."""
    if value is None:
        return DASH
    return i18n.format_number(value)


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else DASH


def duration_text(seconds: float | None) -> str:
    return formats.duration(seconds)


def day_text(day: str | date | None) -> str:
    """`Mon, Sep 21, 2026` in the page's language."""
    return DASH if not day else formats.day(day)


@cache
def static_version(name: str) -> str:
    """A short content hash, so a browser never keeps an old script after an upgrade."""
    path = STATIC_DIR / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


def vocabulary_words() -> dict[str, str]:
    """Campaign states and outcomes in the page's language, for the live updates' script."""
    return {value: i18n.word(value) for value in i18n.VOCABULARY}


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template, whatever its file name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Vars shown as JSON read as the user wrote them (`{"שם": "יוסי"}`, not `\u05e9…`), in
    # the list's order; tojson still escapes <, >, & and ' for HTML.
    environment.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    # The strings marked in the templates, in the language of the page being rendered.
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext_, i18n.ngettext_, newstyle=True
    )
    environment.filters.update(
        utc=instant_text,
        day=day_text,
        schedule=schedule_words,
        country=formats.country_name,
        call_status=status_words,
        reason=reason_words,
        detail=detail_words,
        when=time_tag,
        iso=iso,
        number=number,
        duration=duration_text,
        their_time=their_time,
        word=i18n.word,
    )
    environment.globals.update(
        static_url=static_url,
        percent=percent,
        DASH=DASH,
        vocabulary_words=vocabulary_words,
        word=i18n.word,
    )
    return environment


TEMPLATES = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    language, just_chosen = i18n.chosen(request)
    zone = i18n.zone_of(request)
    token, zone_token = i18n.use(language), i18n.use_zone(zone)
    try:  # the template is rendered here, in the request's language and zone
        return _render(request, name, context, language, just_chosen, status_code, headers)
    finally:
        i18n.reset_zone(zone_token)
        i18n.reset(token)


def _render(
    request: Request,
    name: str,
    context: dict[str, Any] | None,
    language: str,
    just_chosen: bool,
    status_code: int,
    headers: dict[str, str] | None,
) -> Response:
    where = formats.reader_zone()
    values = {
        "zone_name": i18n.zone_of(request) or zone_name(),
        "zone_words": formats.zone_label(where),
        "csrf_token": csrf_token_of(request),
        "lang": language,
        "text_dir": i18n.direction(language),
        "language_links": [
            (code, words, i18n.switch_url(request, code))
            for code, words in i18n.LANGUAGES.items()
            if code != language
        ],
        **(context or {}),
    }
    response = TEMPLATES.TemplateResponse(
        request, name, values, status_code=status_code, headers=headers
    )
    if just_chosen:
        response.set_cookie(
            i18n.COOKIE, language, max_age=i18n.COOKIE_MAX_AGE, httponly=True, samesite="lax"
        )
    return response


def csrf_token_of(request: Request) -> str:
    return str(getattr(request.state, "csrf_token", ""))
