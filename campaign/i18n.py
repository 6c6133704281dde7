"""Translations of what people read: English (the marked strings themselves) and Hebrew.

Strings are marked in the templates with Jinja2's i18n extension (`{{ _("Campaigns") }}`)
and translated through one gettext catalog, `campaign/locale/<lang>/LC_MESSAGES/messages.po`,
compiled by Babel when first used (no binary catalog to keep in step). `use(language)` sets
the language of what is rendered next (a context variable: each request, each report, its
own); numbers are formatted for it by Babel. The web pages choose the language of a request
in `campaign.web.i18n`; the HTML report takes `report --html --lang he`.

To add a string: mark it, then `pybabel extract -F babel.cfg -k gettext_ -o messages.pot .` and
`pybabel update -i messages.pot -d campaign/locale`, and translate it in the .po file; a
test fails while a marked string has no Hebrew translation.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"
#: Every language, as a switch names it (in its own language).
LANGUAGES = {"en": "English", "he": "עברית"}
RIGHT_TO_LEFT = frozenset({"he"})

_current: ContextVar[str] = ContextVar("campaign_language", default=DEFAULT)
#: The reader's IANA time zone for times on screens (None: this machine's; see campaign.formats).
_zone: ContextVar[str | None] = ContextVar("campaign_reader_zone", default=None)


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


def use(language: str) -> Token[str]:
    """Render in `language` until `reset(token)`."""
    return _current.set(language if language in LANGUAGES else DEFAULT)


def reset(token: Token[str]) -> None:
    _current.reset(token)


def zone() -> str | None:
    """The reader's time zone (an IANA name) for what is rendered next; None: this machine's."""
    return _zone.get()


def use_zone(name: str | None) -> Token[str | None]:
    """Show times on screens in the IANA zone `name` until `reset_zone(token)`."""
    return _zone.set(name)


def reset_zone(token: Token[str | None]) -> None:
    _zone.reset(token)


def gettext_(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def word(value: object) -> str:
    """A stored vocabulary value (`running`, `connected`) in the current language."""
    text = "" if value is None else str(value)
    return gettext_(text) if text else text


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def format_number(value: int | float) -> str:
    """`1,234` / `1,234.5` in the current language (Babel)."""
    if isinstance(value, int):
        return format_decimal(value, locale=_current.get())
    return format_decimal(value, format="#,##0.0", locale=_current.get())
