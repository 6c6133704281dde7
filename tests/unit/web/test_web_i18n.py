"""The pages' languages: the Hebrew catalog covers every marked string, the language is
negotiated from the browser and remembered when chosen, and numbers follow the language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from starlette.requests import Request

from campaign.web import i18n

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "campaign" / "locale" / "he" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")


def _marked() -> set[str]:
    """Every string marked for translation, as `pybabel extract -F babel.cfg` finds them."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(
        str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, "gettext_": None}
    )
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


def test_the_hebrew_catalog_translates_every_marked_string_and_vocabulary_word() -> None:
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    translated = {m.id: m.string for m in catalog if m.id and m.string}
    wanted = _marked() | set(i18n.VOCABULARY)
    assert len(wanted) > 250
    assert {"Extracted answers", "By country", "Check again"} <= wanted  # report, launch
    missing = sorted(wanted - set(translated))
    assert not missing, f"untranslated (run pybabel extract/update, see i18n.py): {missing}"
    for msgid in wanted:
        # A placeholder lost in translation would raise or show `%(name)s` to the user.
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(translated[msgid]))
        assert re.search("[\u0590-\u05ff]", translated[msgid]), msgid


def test_the_compiled_catalog_translates_and_english_is_the_marked_string() -> None:
    token = i18n.use("he")
    try:
        assert i18n.gettext_("Campaigns") == "קמפיינים"
        assert i18n.word("running") == "פועל"
        assert i18n.format_number(1234567) == "1,234,567"
    finally:
        i18n.reset(token)
    assert i18n.gettext_("Campaigns") == "Campaigns"
    assert i18n.word("running") == "running"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("he-IL,he;q=0.9,en-US;q=0.8,en;q=0.7", "he"),
        ("en-US,en;q=0.9,he;q=0.8", "en"),
        ("fr-FR,he;q=0.5", "he"),  # French is not offered: the next one that is
        ("he;q=0,en;q=0.5", "en"),  # q=0 means "not this"
        ("fr-FR", "en"),
        ("", "en"),
        ("garbage;q=x,,", "en"),
    ],
)
def test_the_browser_language_is_negotiated(header: str, language: str) -> None:
    assert i18n.negotiated(header) == language


def _request(query: str = "", cookie: str | None = None, accept: str = "") -> Request:
    headers = [(b"accept-language", accept.encode())]
    if cookie:
        headers.append((b"cookie", f"{i18n.COOKIE}={cookie}".encode()))
    scope = {"type": "http", "path": "/campaigns/3/contacts", "query_string": query.encode(),
             "headers": headers}  # fmt: skip
    return Request(scope)


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        ("lang=he", None, "en", ("he", True)),  # the switch: chosen, to be remembered
        ("", "he", "en", ("he", False)),  # remembered, over the browser's language
        ("", "en", "he", ("en", False)),
        ("", None, "he-IL", ("he", False)),
        ("lang=xx", "zz", "", ("en", False)),  # unknown values are ignored
    ],
)
def test_the_language_of_a_request(
    query: str, cookie: str | None, accept: str, expected: tuple[str, bool]
) -> None:
    assert i18n.chosen(_request(query, cookie, accept)) == expected


def test_the_switch_keeps_the_pages_other_parameters() -> None:
    request = _request("q=cohen&page=2&lang=en")
    assert i18n.switch_url(request, "he") == "/campaigns/3/contacts?q=cohen&page=2&lang=he"
