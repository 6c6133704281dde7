"""Uploaded file names: shown as given in any script, never a path or a bidi trick."""

from __future__ import annotations

import pytest

from campaign.web.uploads import _clean_name


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("מרפאה-תורים.csv", "מרפאה-תורים.csv"),  # once `_-_.csv`
        ("C:\\Users\\דנה\\רשימה (2).xlsx", "רשימה (2).xlsx"),
        ("../../etc/passwd", "passwd"),
        ("invoice\u202egpj.exe", "invoice_gpj.exe"),  # a right-to-left override is dropped
        ("a<b>|c?.csv", "a_b__c_.csv"),
        ("", "list.csv"),
        ("...", "list.csv"),
    ],
)
def test_upload_names(given: str, shown: str) -> None:
    assert _clean_name(given) == shown
