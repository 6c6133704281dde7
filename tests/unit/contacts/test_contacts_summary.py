"""validation_summary: the data behind `validate`, the dry run and the upload page."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

import campaign.contacts.summary as summary_module
from campaign.contacts import load_contacts, print_validation, validation_summary

WriteFile = Callable[..., Path]
SAMPLES = Path(__file__).resolve().parents[3] / "sample_lists"


def test_summary_of_the_sample_list() -> None:
    summary = validation_summary(load_contacts(SAMPLES / "contacts.csv"))
    json.dumps(summary)  # JSON-ready for the web page
    assert (summary["rows"], summary["valid"], summary["invalid"], summary["duplicate"]) == (
        40,
        34,
        5,
        1,
    )
    assert summary["phone_column"] == "phone"
    assert summary["phone_column_found_by"] == "header"
    assert summary["rejected"][0] == {
        "reason": "not a valid number for its country",
        "count": 2,
        "lines": [28, 39],
    }
    assert sum(group["count"] for group in summary["rejected"]) == 5
    assert summary["duplicates"] == [{"line": 31, "duplicate_of": 3}]
    assert summary["row_warnings"] == [
        {
            "reason": "extension dropped: the agent cannot dial extensions",
            "count": 1,
            "lines": [15],
        }
    ]
    assert summary["countries"] == {"US": 25, "GB": 9}
    assert set(summary["time_zones"]["zones"]) == {
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "Europe/London",
    }
    assert summary["time_zones"]["unclear"] == 0
    assert summary["time_zones"]["sampled"] is False
    assert summary["example"] == {
        "line": 2,
        "vars_provided": {
            "first_name": "Olivia",
            "last_name": "Bennett",
            "appointment_date": "2025-07-08 09:30",
            "clinic_name": "Riverside Dental",
        },
    }


def test_time_zone_column_and_multi_zone_numbers(write_file: WriteFile) -> None:
    text = "phone,tz\n+1 212 555 0143,Europe/Paris\n+1 800 555 0100,\n+1 312 555 0110,\n"
    summary = validation_summary(load_contacts(write_file("list.csv", text)))
    assert summary["time_zones"] == {
        "zones": {"Europe/Paris": 1, "America/Chicago": 1},
        "unclear": 1,  # toll-free: no single local time
        "sampled": False,
    }


def test_first_lines_per_reason_are_capped(write_file: WriteFile) -> None:
    text = "phone\n" + "12\n" * 8 + "2125550143\n"
    summary = validation_summary(load_contacts(write_file("list.csv", text)))
    assert summary["rejected"] == [{"reason": "too short", "count": 8, "lines": [2, 3, 4, 5, 6]}]


def test_print_validation_renders_and_returns_the_summary(write_file: WriteFile) -> None:
    contacts = load_contacts(write_file("list.csv", "name,phone\n[b]Ana[/b],2125550143\nBo,12\n"))
    buffer = io.StringIO()
    summary = print_validation(contacts, Console(file=buffer, width=120))
    out = buffer.getvalue()
    assert summary["valid"] == 1
    assert "rows read   2" in out
    assert "too short  line 3" in out
    assert '"name": "[b]Ana[/b]"' in out  # user text is not read as rich markup


def test_time_zones_of_large_lists_are_sampled(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summary_module, "TIME_ZONE_SAMPLE", 4)
    numbers = [f"+1 212 555 {i:04d}" for i in range(6)] + [f"+1 312 555 {i:04d}" for i in range(6)]
    contacts = load_contacts(write_file("list.csv", "phone\n" + "\n".join(numbers) + "\n"))
    zones = validation_summary(contacts)["time_zones"]
    assert zones["sampled"] is True
    assert zones["zones"] == {"America/New_York": 6, "America/Chicago": 6}
    buffer = io.StringIO()
    print_validation(contacts, Console(file=buffer, width=200))
    assert "Time zones: 2 (estimated from a sample of numbers)" in buffer.getvalue()
