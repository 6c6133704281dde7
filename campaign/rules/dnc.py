"""Do-not-call lists and opt-outs: numbers no campaign may dial.

`load_dnc_file` reads a `--dnc` file in the shapes people keep them in: one number per line
in any format (TXT or single-column CSV, `#` comments and blank lines allowed), a CSV or Excel
sheet with a phone column among others (found by its header, else by its contents), or the
US registry's `area code,number` pairs. Numbers are normalized like contacts; lines that are
not numbers are reported with their line number, never silently dropped.

`SuppressionList` is the in-memory list; the database-backed one (`dnc add`, opt-outs that
last across campaigns) has the same `add`/`contains` shape, `Suppression`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import pandas as pd

from campaign.contacts.phones import normalize_phone
from campaign.errors import InputError

_EXCEL = {".xlsx", ".xlsm", ".xls"}
_SEPARATORS = ",;\t|"
_NO_SEPARATOR = "\x1f"  # a separator no text file holds: one value per line
_PHONE_HEADERS = {
    "phone", "phones", "phonenumber", "number", "numbers", "mobile", "mobilenumber", "cell",
    "cellphone", "tel", "telephone", "msisdn", "e164", "tonumber", "dnc", "donotcall",
}  # fmt: skip
_PHONE_WORDS = ("phone", "mobile", "number", "msisdn")
_AREA_CODE, _LOCAL_NUMBER = re.compile(r"^\d{3}$"), re.compile(r"^\d{7}$")
_TRUE_WORDS = {"true", "yes", "y", "1", "1.0", "t", "on"}


class DncRejected(NamedTuple):
    line: int
    raw: str
    reason: str


@dataclass
class DncLoadResult:
    numbers: set[str] = field(default_factory=set)
    rejected: list[DncRejected] = field(default_factory=list)
    source: str = ""

    def summary(self) -> str:
        """`12,340 numbers from dnc.csv (3 lines rejected)`."""
        text = f"{len(self.numbers):,} numbers" + (f" from {self.source}" if self.source else "")
        if self.rejected:
            text += f" ({len(self.rejected)} line{'s' if len(self.rejected) > 1 else ''} rejected)"
        return text


def normalize_dnc_numbers(
    values: Iterable[tuple[int, str]], region: str | None = "US", source: str = ""
) -> DncLoadResult:
    """Normalize `(line, raw)` pairs; blank values and `#` comments are skipped."""
    result = DncLoadResult(source=source)
    for line, raw in values:
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        phone = normalize_phone(text, region)
        if phone.e164 is None:
            result.rejected.append(DncRejected(line, text, phone.reason or "not a phone number"))
        else:
            result.numbers.add(phone.e164)
    return result


def load_dnc_file(path: str | Path, region: str | None = "US") -> DncLoadResult:
    """Every number in a DNC file, normalized to E.164, and the lines that were not numbers."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"DNC file {path} not found: check the path given to --dnc")
    table = _read_table(path)
    return normalize_dnc_numbers(_phone_values(table, path), region, source=path.name)


def _read_table(path: Path) -> pd.DataFrame:
    """The file as text cells, one row per line (blank lines kept, so row i is line i + 1)."""
    if path.suffix.lower() in _EXCEL:
        sheet = pd.read_excel(path, header=None, dtype=str, keep_default_na=False)
        return sheet.fillna("")
    encoding = _encoding(path)
    first = _first_line(path, encoding)
    separator = _separator(first)
    width = first.count(separator) + 1
    try:
        table = pd.read_csv(
            path,
            sep=separator,
            header=None,
            # Width from the first line that is not a comment; longer rows are cut below.
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding=encoding,
            engine="python",
            # A row with extra cells keeps its first ones rather than failing the whole file.
            on_bad_lines=lambda cells: cells[:width],
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"cannot read DNC file {path}: {exc}; save it as CSV or TXT") from exc
    return table.fillna("")


def _encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "latin-1"
    return "utf-8-sig"


def _first_line(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        for line in handle:
            if line.strip() and not line.lstrip().startswith("#"):
                return line
    return ""


def _separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else _NO_SEPARATOR


def _is_phone_header(cell: str) -> bool:
    name = re.sub(r"[^a-z0-9]", "", cell.lower())
    return name in _PHONE_HEADERS or any(word in name for word in _PHONE_WORDS)


def _is_header(cells: list[str]) -> bool:
    """A header names columns: letters, no run of digits a number would have, and (for a
    single column, where a stray word could be a bad line) a phone-like name."""
    if any(re.search(r"\d{3}", c) for c in cells) or not any(
        re.search("[A-Za-z]", c) for c in cells
    ):
        return False
    return len(cells) > 1 or _is_phone_header(cells[0])


def _phone_values(table: pd.DataFrame, path: Path) -> Iterator[tuple[int, str]]:
    """`(line, raw)` for each value of the phone column."""
    rows: list[list[str]] = table.astype(str).values.tolist()
    first = next((i for i, row in enumerate(rows) if _filled(row) and not _comment(row)), None)
    if first is None:
        return
    header = rows[first] if _is_header(rows[first]) else None
    body = [
        (i + 1, row)
        for i, row in enumerate(rows)
        if (i != first or header is None) and not _comment(row)
    ]
    width = len(rows[first])
    if width == 1:
        yield from ((line, row[0]) for line, row in body)
        return
    named = [i for i, cell in enumerate(header or []) if _is_phone_header(cell)]
    if named:
        yield from ((line, row[named[0]]) for line, row in body)
    elif _is_area_code_pairs(body):
        yield from ((line, f"{row[0].strip()}{row[1].strip()}") for line, row in body)
    else:
        column = _most_phone_like_column(body, width)
        if column is None:
            raise InputError(
                f"no phone column found in DNC file {path}: name the column 'phone' or put "
                "one number per line"
            )
        yield from ((line, row[column]) for line, row in body)


def _filled(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


def _comment(row: list[str]) -> bool:
    return row[0].lstrip().startswith("#")


def _is_area_code_pairs(body: list[tuple[int, list[str]]]) -> bool:
    """The US registry's download shape: `201,2000000` (area code, seven digits)."""
    sample = [row for _, row in body if _filled(row)][:50]
    return bool(sample) and all(
        bool(_AREA_CODE.match(row[0].strip()) and _LOCAL_NUMBER.match(row[1].strip()))
        for row in sample
    )


def _most_phone_like_column(body: list[tuple[int, list[str]]], width: int) -> int | None:
    sample = [row for _, row in body if _filled(row)][:200]
    scores = [sum(_digit_count(row[i]) >= 7 for row in sample) for i in range(width)]
    best = max(range(width), key=lambda i: scores[i])
    return best if scores[best] else None


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


# --- suppression ------------------------------------------------------------------------


class Suppression(Protocol):
    """What the engine needs from a suppression list, in memory or in the database."""

    def contains(self, e164: str) -> bool: ...

    def add(self, e164: str, reason: str = "manual") -> None: ...


class SuppressionList:
    """An in-memory suppression list: E.164 numbers and why each is on it."""

    def __init__(self, numbers: Iterable[str] = (), reason: str = "dnc") -> None:
        self._reasons: dict[str, str] = {}
        self.update(numbers, reason)

    def add(self, e164: str, reason: str = "manual") -> None:
        # The first reason stays: it is the one that put the number on the list.
        self._reasons.setdefault(e164, reason)

    def update(self, numbers: Iterable[str], reason: str = "dnc") -> None:
        for number in numbers:
            self.add(number, reason)

    def contains(self, e164: str) -> bool:
        return e164 in self._reasons

    def reason(self, e164: str) -> str | None:
        return self._reasons.get(e164)

    def __contains__(self, e164: object) -> bool:
        return e164 in self._reasons

    def __len__(self) -> int:
        return len(self._reasons)

    def __iter__(self) -> Iterator[str]:
        return iter(self._reasons)

    def __repr__(self) -> str:
        return f"SuppressionList({len(self)} numbers)"


def is_opt_out(value: Any) -> bool:
    """Whether an extracted variable says the person opted out: true/yes/y/1 (any case).

    Anything else, including None, nested objects and lists, is not an opt-out.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return False
