"""`campaign validate`: the summary, --rejected, --agent, and every bad input as exit 2."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import campaign.cli.validate as validate_cli
from campaign.cli import main
from campaign.contacts import excel as excel_module
from campaign.voicy.models import Agent

WriteFile = Callable[..., Path]
SAMPLES = Path(__file__).resolve().parents[3] / "sample_lists"


def _validate(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args])


def _assert_one_line_error(result: Result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert expected in lines[0], lines[0]


def test_sample_csv_summary() -> None:
    result = _validate(str(SAMPLES / "contacts.csv"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "rows read   40" in out
    assert "valid       34" in out
    assert "rejected    5" in out
    assert "duplicates  1" in out
    assert "Phone column: phone (found by its header)" in out
    assert "lines 28, 39" in out  # grouped reason with its first lines
    assert "Duplicates: line 31 = line 3" in out
    assert "Countries: 2 (US 25, GB 9)" in out
    assert "Time zones: 6" in out
    assert 'Example vars_provided (line 2): {"first_name": "Olivia"' in out


def test_sample_xlsx_and_semicolon_lists_validate() -> None:
    xlsx = _validate(str(SAMPLES / "contacts.xlsx"))
    assert xlsx.exit_code == 0, xlsx.output
    assert "valid       12" in xlsx.stdout
    semicolon = _validate(str(SAMPLES / "contacts_semicolon.csv"), "--region-column", "country")
    assert semicolon.exit_code == 0, semicolon.output
    assert "(cp1252, semicolon-separated)" in semicolon.stdout
    assert "valid       10" in semicolon.stdout
    assert "José" in semicolon.stdout


def test_import_options_reach_the_loader(write_file: WriteFile) -> None:
    path = write_file("list.csv", "nom,tel_fixe,tel_mobile\nAna,01 23 45 67 89,06 12 34 56 78\n")
    result = _validate(
        str(path), "--phone-column", "tel_mobile", "--region", "FR", "--var", "nom=first_name"
    )
    assert result.exit_code == 0, result.output
    assert "Phone column: tel_mobile (found by --phone-column)" in result.stdout
    assert "Vars: nom → first_name" in result.stdout
    assert "Countries: 1 (FR 1)" in result.stdout


def test_rejected_file(write_file: WriteFile, tmp_path: Path) -> None:
    out = tmp_path / "rejected.csv"
    result = _validate(str(SAMPLES / "contacts.csv"), "--rejected", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote 5 rejected rows" in result.stdout
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "line,first_name,last_name,phone,appointment_date,clinic_name,reason"
    assert len(lines) == 6


def test_agent_contract(monkeypatch: pytest.MonkeyPatch, appointment_agent: Agent) -> None:
    asked: list[tuple[str, str | None]] = []

    def fake_fetch(agent_id: str, base_url: str | None = None) -> Agent:
        asked.append((agent_id, base_url))
        return appointment_agent

    monkeypatch.setattr(validate_cli, "fetch_agent", fake_fetch)
    result = _validate(str(SAMPLES / "contacts.csv"), "--agent", "a1", "--base-url", "http://x")
    assert result.exit_code == 0, result.output
    assert asked == [("a1", "http://x")]
    assert "does not know the vars last_name" in result.stdout


def test_agent_without_api_key_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOICY_API_KEY", raising=False)
    _assert_one_line_error(
        _validate(str(SAMPLES / "contacts.csv"), "--agent", "a1"), "VOICY_API_KEY"
    )


def test_no_valid_row_prints_the_summary_then_exits_2(write_file: WriteFile) -> None:
    result = _validate(str(write_file("list.csv", "phone\n12\n1.5E+10\n")))
    assert "rows read   2" in result.stdout
    _assert_one_line_error(result, "no row of list.csv can be dialed")


def _encrypted_workbook() -> bytes:
    # Excel saves a password-protected .xlsx as an OLE2 container with an EncryptionInfo stream.
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le")
    )


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


BAD_INPUTS = [
    ("empty.csv", b"", "empty.csv is empty"),
    ("blank.csv", b"\n \n\r\n", "blank.csv is empty"),
    ("header.csv", b"first_name,phone\n", "has a header row but no contacts"),
    ("header2.csv", b"first_name,phone\n,\n\n", "has a header row but no contacts"),
    ("nophone.csv", b"name,city\nAna,Paris\n", "no phone column in nophone.csv"),
    ("two.csv", b"mobile,home_phone\n2125550143,2125550144\n", "pass --phone-column"),
    ("binary.csv", b"phone\n\x00\x01\x02\x03\xff" * 50, "is a binary file"),
    ("doc.csv", b"%PDF-1.7\n...", "is a PDF document, not a contact list"),
    ("locked.xlsx", _encrypted_workbook(), "is password-protected"),
    ("huge.csv", b"phone\n" + b"1" * 1_100_000 + b"\n", "line 2 is 1.1 MB long"),
    ("utf16.csv", b"\xff\xfep\x00h\x00o\x00n\x00e", "is not valid UTF-16 text"),
    ("garbage.csv", bytes(range(1, 9)) * 200, "cannot read the text of garbage.csv"),
    ("ragged.csv", b"name,phone\nAna,2125550143\nBo,2125550144,extra\n", "line 3 has 3"),
    ("quote.csv", b'name,phone\n"Ana,2125550143\n', "never closes"),
    ("archive.csv", _zip({"a.txt": "x"}), "is a zip archive"),
    ("broken.xlsx", b"not really a workbook", "is not a valid Excel workbook"),
    (
        "broken.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "cannot open broken.xls",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "expected"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS]
)
def test_bad_input_is_one_line_and_exit_2(
    write_file: WriteFile, name: str, content: bytes, expected: str
) -> None:
    _assert_one_line_error(_validate(str(write_file(name, content))), expected)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    _assert_one_line_error(_validate(str(tmp_path / "nope.csv")), "does not exist")
    _assert_one_line_error(_validate(str(tmp_path)), "is a folder")


def test_xls_without_a_reader_says_save_as_xlsx(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel_module.importlib.util, "find_spec", lambda name: None)
    path = write_file("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    _assert_one_line_error(_validate(str(path)), "save it as .xlsx")


def test_bad_options_are_one_line(write_file: WriteFile) -> None:
    path = str(write_file("list.csv", "phone\n2125550143\n"))
    _assert_one_line_error(_validate(path, "--region", "Narnia"), "--region 'Narnia'")
    _assert_one_line_error(_validate(path, "--sheet", "Two"), "only applies to Excel files")
    _assert_one_line_error(_validate(path, "--var", "nope"), "--var 'nope' is not a column")
    _assert_one_line_error(_validate(path, "--region-column", "nope"), "--region-column")
