"""The pages' language: English (the default) or Hebrew, right-to-left, from gettext catalogs.

The language of a request is, in order: `?lang=he` (the switch in every page's header; the
choice is then remembered in a cookie), that cookie, the browser's Accept-Language
(negotiated by Babel), else English. Strings are marked in the templates with Jinja2's i18n
extension (`{{ _("Campaigns") }}`, `{% trans %}`) and translated through the gettext catalog
`campaign/web/locale/<lang>/LC_MESSAGES/messages.po`, compiled by Babel when first used (no
binary catalog to keep in step). Numbers are formatted for the language by Babel.

To add a string: mark it, then `pybabel extract -F babel.cfg -o messages.pot .` and
`pybabel update -i messages.pot -d campaign/web/locale`, and translate it in the .po file;
a test fails while a marked string has no Hebrew translation.

The words of the vocabularies shown on the pages (campaign states, outcomes, wait reasons)
are translated from their stored values (`VOCABULARY`), which the same test checks.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from starlette.requests import Request

from campaign.calls.vocab import CampaignState, Outcome, WaitReason
from campaign.outcomes.status_view import REHEARSAL_WORDS

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"
#: Every language of the pages, as the switch names it (in its own language).
LANGUAGES = {"en": "English", "he": "עברית"}
RIGHT_TO_LEFT = frozenset({"he"})
COOKIE = "campaign_lang"
QUERY = "lang"
#: A year: the choice stays until changed.
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Stored values shown on the pages and translated as words (see the module docstring).
VOCABULARY: tuple[str, ...] = (
    *(state.value for state in CampaignState),
    *(outcome.value for outcome in Outcome),
    *(reason.words for reason in WaitReason),
    REHEARSAL_WORDS,
    # Words the templates show from a variable: how the phone column was found, and the
    # public-holiday choices of the launch form.
    "option",
    "header",
    "content",
    "skip (not under window any)",
    "skip",
    "call anyway",
)

_current: ContextVar[str] = ContextVar("campaign_web_language", default=DEFAULT)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language` (English: the marked strings themselves)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def current() -> str:
    return _current.get()


def use(language: str) -> object:
    """Render in `language` until `reset(token)`."""
    return _current.set(language if language in LANGUAGES else DEFAULT)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def gettext_(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def word(value: object) -> str:
    """A stored vocabulary value (`running`, `connected`) in the page's language."""
    text = "" if value is None else str(value)
    return gettext_(text) if text else text


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def format_number(value: int | float) -> str:
    """`1,234` / `1,234.5` in the page's language (Babel)."""
    if isinstance(value, int):
        return format_decimal(value, locale=_current.get())
    return format_decimal(value, format="#,##0.0", locale=_current.get())


def chosen(request: Request) -> tuple[str, bool]:
    """The request's language, and whether it was just chosen (`?lang=`: remember it)."""
    asked = request.query_params.get(QUERY)
    if asked in LANGUAGES:
        return asked, True
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie, False
    return negotiated(request.headers.get("accept-language", "")), False


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
