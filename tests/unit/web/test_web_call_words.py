"""Voicy's statuses and the stored end reasons read in Hebrew on the pages, as stored in
English (the CLI's and the export's words)."""

from __future__ import annotations

import pytest

from campaign import i18n
from campaign.web.call_words import reason_words, status_words

CASES = [
    ("user_hangup", "the person hung up", "האדם ניתק"),
    ("no_answer", "no answer", "אין מענה"),
    ("mystery_status", "mystery_status", "mystery_status"),  # unknown: as Voicy sent it
]
REASONS = [
    ("no_answer after 3 attempt(s)", "אין מענה אחרי 3 ניסיונות"),
    ("call canceled", "השיחה: בוטל"),
    ("on the do-not-call list", "ברשימת אל תתקשרו"),
    ("not a phone number", "לא מספר טלפון"),
    ("something new", "something new"),
]


@pytest.mark.parametrize(("status", "english", "hebrew"), CASES)
def test_statuses_in_words(status: str, english: str, hebrew: str) -> None:
    assert status_words(status) == english
    token = i18n.use("he")
    try:
        assert status_words(status) == hebrew
    finally:
        i18n.reset(token)


@pytest.mark.parametrize(("stored", "hebrew"), REASONS)
def test_stored_reasons_read_in_hebrew_and_stay_as_stored_in_english(
    stored: str, hebrew: str
) -> None:
    assert reason_words(stored) == stored
    token = i18n.use("he")
    try:
        assert reason_words(stored) == hebrew
    finally:
        i18n.reset(token)
