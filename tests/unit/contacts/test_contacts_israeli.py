"""An Israeli list as Excel saves it: Hebrew headers, Windows-1255, national numbers, dates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from campaign.cli import main
from campaign.contacts import ImportOptions, load_contacts, validation_summary
from campaign.contacts.columns import header_key, looks_like_date
from campaign.contacts.default_region import choose_region
from campaign.errors import InputError

WriteFile = Callable[..., Path]
SAMPLES = Path(__file__).resolve().parents[3] / "sample_lists"
HEBREW = SAMPLES / "contacts_he.csv"


def _validate(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args], env={"VOICY_FROM_NUMBERS": ""})


def _as_excel_saves_it(tmp_path: Path, encoding: str = "cp1255") -> Path:
    """The sample list as Excel's "CSV" saves it on a Hebrew Windows: cp1255, CRLF."""
    text = HEBREW.read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / f"clinic-{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_the_sample_list_reads_as_an_israeli_list() -> None:
    contacts = load_contacts(HEBREW)
    summary = validation_summary(contacts)
    assert (summary["rows"], summary["valid"], summary["invalid"], summary["duplicate"]) == (
        20, 15, 4, 1,
    )  # fmt: skip
    assert summary["phone_column"] == "טלפון"
    assert summary["phone_column_found_by"] == "header"
    assert summary["default_region"] == "IL"
    assert summary["default_region_source"] == "list"
    assert "valid IL numbers" in summary["default_region_reason"]
    assert summary["countries"] == {"IL": 15}
    assert summary["time_zones"]["zones"] == {"Asia/Jerusalem": 15}
    assert summary["mostly_rejected"] is None
    assert summary["example"]["vars_provided"]["שם פרטי"] == "יוסי"
    rejected = {group["reason"]: group["lines"] for group in summary["rejected"]}
    assert rejected["empty phone number"] == [15]
    assert rejected["not a valid number for its country"] == [11, 13]
    frame = contacts.frame.set_index("_line")
    assert frame.loc[2, "_e164"] == "+972527654321"  # 052-765-4321
    assert frame.loc[4, "_e164"] == "+97236123456"  # 03-612-3456, a Tel Aviv landline
    assert frame.loc[21, "_e164"] == "+97237654321"  # +972 3-765-4321


def test_the_windows_1255_file_reads_like_the_utf8_one(tmp_path: Path) -> None:
    utf8 = load_contacts(HEBREW)
    cp1255 = load_contacts(_as_excel_saves_it(tmp_path))
    assert cp1255.encoding == "cp1255"
    assert cp1255.warnings == utf8.warnings == []
    assert cp1255.columns == utf8.columns
    assert cp1255.frame["_vars"].tolist() == utf8.frame["_vars"].tolist()
    assert cp1255.frame["_e164"].tolist() == utf8.frame["_e164"].tolist()
    assert cp1255.frame["_line"].tolist() == utf8.frame["_line"].tolist()


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("name,phone\nJosé Müller,+49 30 12345678\nSøren Siobhán,+33 1 23 45 67 89\n", "cp1252"),
        ("имя,телефон\nИван Петров,+7 912 345 67 89\nОльга Смирнова,+7 495 123 45 67\n", "cp1251"),
        ("الاسم,هاتف\nمحمد علي,+972 52 765 4321\nفاطمة حسن,+972 4 812 3456\n", "cp1256"),
    ],
)
def test_the_code_pages_of_the_users_markets(
    write_file: WriteFile, text: str, encoding: str
) -> None:
    contacts = load_contacts(write_file("list.csv", text, encoding=encoding))
    assert contacts.encoding == encoding
    assert contacts.frame[contacts.columns[0]].tolist() == [
        line.split(",")[0] for line in text.splitlines()[1:]
    ]
    assert contacts.counts.valid == 2
    assert contacts.warnings == []


def test_text_that_reads_as_mojibake_is_a_warning(write_file: WriteFile) -> None:
    # A list once read as cp1252 and saved as UTF-8: valid UTF-8, garbled names.
    names = "name,phone\nJosé Müller,+49 30 12345678\nFrançois Lefèvre,+33 1 23 45 67 89\n"
    garbled = names.encode().decode("cp1252")
    contacts = load_contacts(write_file("list.csv", garbled))
    assert any("looks garbled when read as utf-8" in w for w in contacts.warnings)
    assert any("CSV UTF-8" in w for w in contacts.warnings)


@pytest.mark.parametrize("header", ["טלפון", "נייד", "פלאפון", "מספר טלפון", "מס' טלפון", "tel"])
def test_hebrew_phone_headers(write_file: WriteFile, header: str) -> None:
    text = f"שם,{header},הערה\nדנה,052-765-4321,0501234\n"
    contacts = load_contacts(write_file("list.csv", text), ImportOptions(region="IL"))
    assert (contacts.phone_column, contacts.phone_column_found_by) == (header, "header")


def test_header_keys_keep_hebrew_letters_and_drop_points() -> None:
    assert header_key("מספר טלפון") == "מספרטלפון"
    assert header_key("טֶלֶפוֹן") == "טלפון"  # vowel points ignored
    assert header_key("Téléphone") == "telephone"


@pytest.mark.parametrize(
    "value", ["2025-06-19", "19/06/2025", "19.6.25", "2025-06-19 10:30", "2025-06-19T10:30:00Z"]
)
def test_dates_look_like_dates(value: str) -> None:
    assert looks_like_date(value)


@pytest.mark.parametrize("value", ["052-765-4321", "(212) 555-0143", "+972 3-765-4321"])
def test_phone_numbers_do_not_look_like_dates(value: str) -> None:
    assert not looks_like_date(value)


def test_a_column_of_dates_is_never_the_phone_column(write_file: WriteFile) -> None:
    # `2025-06-19 10:30` has the digits of an Egyptian number (+20 25 0619 1030).
    rows = "\n".join(f"דנה,2025-06-{day:02d} 10:30,+972 52-765-43{day:02d}" for day in range(1, 9))
    contacts = load_contacts(write_file("list.csv", f"שם,מועד,איש קשר\n{rows}\n"))
    assert (contacts.phone_column, contacts.phone_column_found_by) == ("איש קשר", "content")
    dates_only = "\n".join(f"דנה,2025-06-{day:02d} 10:30" for day in range(1, 9))
    with pytest.raises(InputError, match="no phone column"):
        load_contacts(write_file("dates.csv", f"שם,מועד\n{dates_only}\n"))


# --- the default region ---------------------------------------------------------------


ISRAELI = ["052-765-4321", "03-612-3456", "02-623-4567", "053-3334444", "08-6234567"]
AMERICAN = ["(212) 555-0143", "312.555.0162", "617-555-0190", "2125550101", "713 555 0188"]
IL_CALLERS = ["+972 3-555-0100", "+972527654321"]


@pytest.mark.parametrize(
    ("callers", "national", "code", "source", "overrides"),
    [
        # The from-numbers' country, when the list fits it (or is too short to say).
        (IL_CALLERS, ISRAELI, "IL", "from_numbers", None),
        (IL_CALLERS, ISRAELI[:2], "IL", "from_numbers", None),
        (IL_CALLERS, [], "IL", "from_numbers", None),
        # An American list called from Israeli numbers is read as American, loudly.
        (IL_CALLERS, AMERICAN, "US", "list", "IL"),
        (["+12125550100"], ISRAELI, "IL", "list", "US"),
        # A list that fits no country well leaves the from-numbers' country standing.
        (IL_CALLERS, ["12", "345", "6789", "1", "22"], "IL", "from_numbers", None),
        # Mixed from-numbers: the list decides.
        (["+12125550100", "+972527654321"], ISRAELI, "IL", "list", None),
    ],
)
def test_the_from_numbers_country_only_when_the_list_fits_it(
    callers: list[str], national: list[str], code: str, source: str, overrides: str | None
) -> None:
    choice = choose_region(None, callers, national)
    assert (choice.code, choice.source, choice.overrides) == (code, source, overrides)
    assert (choice.warning is None) == (overrides is None)


def test_the_override_is_said_with_its_evidence_and_fix() -> None:
    choice = choose_region(None, IL_CALLERS, AMERICAN)
    assert choice.reason == (
        "the from-numbers are IL numbers, but only 0 of 5 national numbers of the list are "
        "valid IL numbers and 5 are valid US numbers"
    )
    assert choice.warning is not None and choice.warning.endswith(
        "Pass --region IL if the list really is IL"
    )
    assert choose_region(None, IL_CALLERS, ISRAELI).reason == (
        "the from-numbers are IL numbers and 5 of 5 national numbers of the list fit"
    )


def test_mixed_from_numbers_leave_it_to_the_list() -> None:
    national = ["052-765-4321", "03-612-3456", "02-623-4567", "053-3334444", "08-6234567"]
    choice = choose_region(None, ["+12125550100", "+972527654321"], national)
    assert (choice.code, choice.source) == ("IL", "list")
    assert choice.reason.startswith("5 of 5 national numbers of the list are valid IL numbers")


def test_an_explicit_region_wins_over_everything() -> None:
    choice = choose_region("uk", ["+972527654321"], ["052-765-4321"] * 9)
    assert (choice.code, choice.source, choice.reason) == ("GB", "option", "--region uk")


def test_a_us_list_stays_us_though_other_plans_fit_it_too() -> None:
    national = ["(212) 555-0143", "312.555.0162", "617-555-0190", "2125550101", "713 555 0188"]
    assert choose_region(None, [], national).code == "US"


def test_too_little_evidence_falls_back_to_us() -> None:
    choice = choose_region(None, [], ["052-765-4321", "+44 20 7946 0958"])
    assert (choice.code, choice.source) == ("US", "fallback")


def test_from_numbers_reach_the_loader_and_a_region_column_still_wins(
    write_file: WriteFile,
) -> None:
    text = "phone,country\n052-765-4321,\n020 7946 0958,GB\n"
    contacts = load_contacts(
        write_file("list.csv", text),
        ImportOptions(region_column="country", caller_numbers=("+972527654300",)),
    )
    assert contacts.region == "IL"
    assert contacts.frame["_e164"].tolist() == ["+972527654321", "+442079460958"]


# --- the CLI ----------------------------------------------------------------------------


def test_validate_says_which_region_and_why() -> None:
    result = _validate(str(HEBREW))
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "numbers without +country code are read as IL (14 of 17 national numbers" in out
    assert "valid 15" in out
    assert "Phone column: טלפון (found by its header)" in out
    assert "יוסי" in out


def test_validate_uses_the_from_numbers_country() -> None:
    result = _validate(str(HEBREW), "--from", "+972-3-555-0100")
    assert result.exit_code == 0, result.output
    assert "read as IL (the from-numbers are IL numbers and" in " ".join(result.stdout.split())


def test_an_american_list_called_from_israel_is_read_as_american_loudly() -> None:
    result = _validate(str(SAMPLES / "contacts.csv"), "--from", "+972-3-555-0100")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "valid 34" in out
    assert "Warning: numbers without +country code are read as US, not as IL like the" in out
    assert "Pass --region IL if the list really is IL" in out


def test_most_rows_rejected_is_loud_and_exits_2(tmp_path: Path) -> None:
    path = _as_excel_saves_it(tmp_path)
    result = _validate(str(path), "--region", "US")
    assert result.exit_code == 2, result.output
    assert "MOST ROWS REJECTED" in result.stdout
    error = result.stderr.strip()
    assert error.startswith("Error: most rows of clinic-cp1255.csv are rejected (17 of 20 rows")
    assert "read as US (--region US)" in error and "--allow-rejects" in error
    allowed = _validate(str(path), "--region", "US", "--allow-rejects")
    assert allowed.exit_code == 0, allowed.output


def test_run_refuses_a_mostly_rejected_list_before_storing(tmp_path: Path) -> None:
    db = tmp_path / "campaign.db"
    result = CliRunner().invoke(
        main,
        ["run", str(HEBREW), "--region", "US", "--simulate", "--db", str(db)],
        env={"VOICY_FROM_NUMBERS": ""},
    )
    assert result.exit_code == 2, result.output
    assert "--allow-rejects" in result.stderr
    assert not db.exists()
    dry = CliRunner().invoke(
        main, ["run", str(HEBREW), "--region", "US", "--simulate", "--dry-run", "--db", str(db)]
    )
    assert dry.exit_code == 2 and "MOST ROWS REJECTED" in dry.stdout


def test_duplicates_with_other_values_are_named(write_file: WriteFile) -> None:
    result = _validate(str(HEBREW))
    out = " ".join(result.stdout.split())
    assert (
        "1 duplicate rows have the same number as an earlier row with different values: "
        "only the earlier row's are sent (line 12 = line 2)"
    ) in out
    contacts = load_contacts(HEBREW)
    reason = contacts.frame.set_index("_line").loc[12, "_reason"]
    assert reason == "same number as line 2 with different values: only line 2's are sent"
    same = load_contacts(write_file("same.csv", "name,phone\nAna,2125550143\nAna,212-555-0143\n"))
    assert same.frame["_reason"].tolist()[1] == "same number as line 2"
