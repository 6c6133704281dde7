"""load_contacts end to end: dedupe, per-row columns, the frame, rows, rejected, fingerprint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from campaign.contacts import (
    RESERVED_COLUMNS,
    ContactRow,
    ImportOptions,
    bulk,
    list_fingerprint,
    load_contacts,
)

WriteFile = Callable[..., Path]


def test_duplicates_point_at_the_first_dialable_row(write_file: WriteFile) -> None:
    text = (
        "name,phone\n"
        "Ana,(212) 555-0143\n"  # 2
        "Bo,12\n"  # 3 invalid
        "Cy,+1 212 555 0143\n"  # 4 duplicate of 2
        "Di,2125550143\n"  # 5 duplicate of 2
        "Ed,+44 20 7946 0958\n"  # 6
        "Fi,0044 20 7946 0958\n"  # 7 duplicate of 6
    )
    contacts = load_contacts(write_file("list.csv", text))
    frame = contacts.frame
    assert frame["_status"].tolist() == [
        "valid", "invalid", "duplicate", "duplicate", "valid", "duplicate"
    ]  # fmt: skip
    assert frame["_duplicate_of"].tolist() == [None, None, 2, 2, None, 6]
    # Cy's row has another name than Ana's: only Ana's values are sent, and the reason says so.
    assert frame["_reason"].tolist()[2] == (
        "same number as line 2 with different values: only line 2's are sent"
    )
    assert frame["_e164"].tolist()[3] == "+12125550143"
    assert contacts.counts.as_dict() == {"total": 6, "valid": 2, "invalid": 1, "duplicate": 3}


def test_a_rejected_row_never_hides_a_later_row_with_the_same_number(
    write_file: WriteFile,
) -> None:
    text = "phone,from_number\n2125550143,12\n2125550143,\n"
    contacts = load_contacts(write_file("list.csv", text))
    assert contacts.frame["_status"].tolist() == ["invalid", "valid"]
    assert contacts.frame["_reason"].tolist()[0] == "invalid from_number (too short)"


def test_per_row_region_column(write_file: WriteFile) -> None:
    text = (
        "phone,country\n"
        "020 7946 0958,UK\n"
        "030 12345678,Germany\n"
        "(212) 555-0143,\n"  # blank: the default region
        "01 23 45 67 89,Narnia\n"  # unknown: the default region, with a warning
    )
    contacts = load_contacts(write_file("list.csv", text), ImportOptions(region_column="country"))
    assert contacts.frame["_e164"].tolist() == [
        "+442079460958",
        "+493012345678",
        "+12125550143",
        None,
    ]
    assert contacts.frame["_region"].tolist() == ["GB", "DE", "US", None]
    assert "country" not in contacts.var_mapping
    assert any("'Narnia'" in w for w in contacts.warnings)


def test_default_region_option(write_file: WriteFile) -> None:
    path = write_file("list.csv", "phone\n020 7946 0958\n")
    assert load_contacts(path, ImportOptions(region="uk")).frame["_e164"].tolist() == [
        "+442079460958"
    ]


def test_from_agent_and_timezone_columns(write_file: WriteFile) -> None:
    text = (
        "phone,from_number,agent_id,time_zone,name\n"
        "2125550143,(212) 555-0100, a1 ,America/Chicago,Ana\n"
        "2125550144,,,Mars/Olympus,Bo\n"
    )
    contacts = load_contacts(write_file("list.csv", text))
    rows = list(contacts.rows())
    assert (contacts.from_column, contacts.agent_column, contacts.timezone_column) == (
        "from_number",
        "agent_id",
        "time_zone",
    )
    assert (rows[0].from_number, rows[0].agent_id, rows[0].timezone) == (
        "+12125550100",
        "a1",
        "America/Chicago",
    )
    assert (rows[1].from_number, rows[1].agent_id, rows[1].timezone) == (None, None, None)
    assert rows[1].warning == "unknown time zone ignored"
    assert rows[1].status == "valid"
    assert contacts.var_mapping == {"name": "name"}
    assert any("'Mars/Olympus'" in w for w in contacts.warnings)


def test_frame_and_rows_carry_every_input_row(write_file: WriteFile) -> None:
    text = "name,phone\nAna,2125550143 x12\nBo,\n"
    contacts = load_contacts(write_file("list.csv", text))
    frame = contacts.frame
    assert list(frame.columns) == ["name", "phone", *RESERVED_COLUMNS]
    assert frame["_line"].dtype == "int64"
    rows = list(contacts.rows())
    assert rows[0] == ContactRow(
        line=2,
        position=0,
        raw={"name": "Ana", "phone": "2125550143 x12"},
        raw_phone="2125550143 x12",
        e164="+12125550143",
        status="valid",
        reason=None,
        duplicate_of=None,
        vars={"name": "Ana"},
        from_number=None,
        agent_id=None,
        timezone=None,
        region="US",
        warning="extension dropped: the agent cannot dial extensions",
    )
    assert (rows[1].status, rows[1].reason, rows[1].position) == (
        "invalid",
        "empty phone number",
        1,
    )
    assert [r.line for r in contacts.rows("invalid")] == [3]
    assert [r.position for r in contacts.rows("invalid")] == [1]
    assert contacts.counts["valid"] == 1


def test_rejected_rows_are_written_with_line_and_reason(
    write_file: WriteFile, tmp_path: Path
) -> None:
    text = "name,phone\nAna,2125550143\nBo,12\nCy,2125550143\nDi,1.5E+10\n"
    contacts = load_contacts(write_file("list.csv", text))
    out = tmp_path / "rejected.csv"
    assert contacts.write_rejected(out) == 2
    rejected = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert rejected.columns.tolist() == ["line", "name", "phone", "reason"]
    assert rejected["line"].tolist() == ["3", "5"]
    assert rejected["reason"].tolist()[0] == "too short"


def test_fingerprint_ignores_order_and_formatting_but_not_vars(write_file: WriteFile) -> None:
    one = load_contacts(write_file("a.csv", "name,phone\nAna,2125550143\nBo,2125550144\n"))
    two = load_contacts(write_file("b.csv", "phone,name\n+1 212 555 0144,Bo\n(212) 555-0143,Ana\n"))
    three = load_contacts(write_file("c.csv", "name,phone\nAna,2125550143\nBob,2125550144\n"))
    assert list_fingerprint(one) == list_fingerprint(two)
    assert list_fingerprint(one) != list_fingerprint(three)
    assert len(list_fingerprint(one)) == 64


def test_the_process_pool_gives_the_same_answers(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = [f"(212) 555-{i:04d}" for i in range(60)] + ["12", "(212) 555-0001"]
    path = write_file("list.csv", "phone\n" + "\n".join(numbers) + "\n")
    serial = load_contacts(path, workers=1)
    monkeypatch.setattr(bulk, "PHONE_POOL_THRESHOLD", 10)
    monkeypatch.setattr(bulk, "_CHUNK", 7)
    pooled = load_contacts(path, workers=2)
    pd.testing.assert_frame_equal(serial.frame, pooled.frame)
    assert pooled.counts.as_dict() == {"total": 62, "valid": 60, "invalid": 1, "duplicate": 1}


def test_timings_are_reported(write_file: WriteFile) -> None:
    contacts = load_contacts(write_file("list.csv", "phone\n2125550143\n"))
    assert set(contacts.timings) == {"reading", "normalizing", "vars", "deduplicating", "total"}
