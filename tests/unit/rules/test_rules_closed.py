"""`--closed FILE`: the dates a caller is closed, every bad line with its number and the fix."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from campaign.errors import InputError
from campaign.rules.closed import ClosedDates, parse_closed, read_closed_file


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-24\n", {date(2026, 12, 24): ""}),
        ("2026-12-24, staff day\n", {date(2026, 12, 24): "staff day"}),
        ("2026-12-24; staff day\n", {date(2026, 12, 24): "staff day"}),
        ("2026-12-24\tstaff day\n", {date(2026, 12, 24): "staff day"}),
        ('2026-12-24,"staff day, all of it"\n', {date(2026, 12, 24): "staff day, all of it"}),
        (
            "2026-08-02..2026-08-04, summer\n",
            {date(2026, 8, d): "summer" for d in (2, 3, 4)},
        ),
        ("# comment\n\n  2026-01-01  \n", {date(2026, 1, 1): ""}),
        ("date,note\n2026-01-01,new year\n", {date(2026, 1, 1): "new year"}),  # Excel's header
        ("2026-01-01, a\n2026-01-01, b\n", {date(2026, 1, 1): "a; b"}),
        ("\ufeff2026-05-01, חג\n", {date(2026, 5, 1): "חג"}),
    ],
)
def test_closed_file_lines(text: str, expected: dict[date, str]) -> None:
    assert dict(parse_closed(text).days) == expected


def test_bad_lines_get_their_numbers_and_the_fix() -> None:
    text = "2026-12-24\n24/12/2026, staff day\n\n2026-13-01\n2026-08-10..2026-08-01\n, x\n"
    with pytest.raises(InputError) as caught:
        parse_closed(text, source="closures.txt")
    message = caught.value.message
    assert message.startswith("--closed closures.txt: 4 bad lines: ")
    assert "line 2: '24/12/2026' is not a date: write YYYY-MM-DD" in message
    assert "line 4: '2026-13-01' is not a date" in message
    assert "line 5: the range '2026-08-10..2026-08-01' ends before it starts" in message
    assert "line 6: no date" in message
    assert "line 1" not in message and "line 3" not in message


def test_a_range_of_years_is_a_typo() -> None:
    with pytest.raises(InputError, match=r"line 1: the range .* is 730 days long"):
        parse_closed("2026-01-01..2027-12-31\n")


def test_read_closed_file_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "closed.csv"
    path.write_bytes(b"2026-12-24,staff day\r\n2026-12-25\r\n")
    dates = read_closed_file(path)
    assert dates.note(date(2026, 12, 24)) == "staff day"
    assert dates.note(date(2026, 12, 25)) == ""
    assert dates.note(date(2026, 12, 26)) is None
    with pytest.raises(InputError, match=r"cannot read it .*check the path"):
        read_closed_file(tmp_path / "nope.txt")
    path.write_bytes(b"2026-12-24, \xe7\xe2\n")  # a cp1255 note: the date still counts
    assert read_closed_file(path).note(date(2026, 12, 24)) is not None


def test_closed_dates_round_trip_through_the_settings_json() -> None:
    dates = parse_closed("2026-12-24, staff day\n2026-01-01\n")
    assert ClosedDates.from_json(dates.to_json()) == dates
    assert dates.to_json() == [["2026-01-01", ""], ["2026-12-24", "staff day"]]
    merged = dates.merged(parse_closed("2026-12-24, party\n"))
    assert merged.note(date(2026, 12, 24)) == "staff day; party"
    assert not ClosedDates() and len(dates) == 2
