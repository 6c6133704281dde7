"""What `validate` (and `run --dry-run`, and the web upload page) tell the user about a list.

`validation_summary` is plain data (JSON-ready); `print_validation` renders it with rich.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from campaign.contacts import phonelib
from campaign.contacts.bulk import parallel_map
from campaign.contacts.model import ContactCounts, ContactList, ContactRows
from campaign.contacts.phones import time_zones_for_e164
from campaign.i18n import gettext_

#: Line numbers shown per reason (the --rejected file has them all).
FIRST_LINES = 5
#: Numbers looked up for the time zone count; larger lists are sampled evenly.
TIME_ZONE_SAMPLE = 20_000
#: More than this share of the rows (duplicates aside) rejected: the list is read wrong.
MOSTLY_REJECTED = 0.5

ChunkHook = Callable[[ContactList], None]


def validation_summary(
    contact_list: ContactRows, *, workers: int | None = None, on_chunk: ChunkHook | None = None,
    on_end: Callable[[], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The summary of a ContactList, or of a ContactStream in one pass over its chunks
    (`on_chunk` sees each chunk on the way, e.g. to write the rejected rows; `on_end` is
    told when the last one has been seen, before the summing up, e.g. so the store can
    build its indexes meanwhile)."""
    builder = _Builder()
    for chunk in contact_list.chunks():
        builder.add(chunk)
        if on_chunk is not None:
            on_chunk(chunk)
    if on_end is not None:
        on_end()
    meta: Any = contact_list
    counts = contact_list.counts
    rejected = mostly_rejected(counts)
    return {
        "source": meta.source_name,
        "encoding": meta.encoding,
        "delimiter": meta.delimiter,
        "sheet": meta.sheet,
        "rows": counts.total,
        "valid": counts.valid,
        "invalid": counts.invalid,
        "duplicate": counts.duplicate,
        "phone_column": meta.phone_column,
        "phone_column_found_by": meta.phone_column_found_by,
        "var_mapping": dict(meta.var_mapping),
        "row_columns": {
            "region": meta.region_column,
            "from_number": meta.from_column,
            "agent_id": meta.agent_column,
            "timezone": meta.timezone_column,
        },
        "default_region": meta.region,
        "default_region_source": meta.region_source,
        "default_region_reason": meta.region_reason,
        "agent_id": meta.agent_id,
        "rejected": builder.groups(builder.rejected),
        "duplicates": builder.duplicates,
        "duplicates_differing": {
            "count": builder.differing,
            "first": builder.differing_first,
        },
        "row_warnings": builder.groups(builder.row_warnings),
        "countries": dict(builder.countries.most_common()),
        "time_zones": builder.time_zones(workers),
        "example": builder.example,
        "warnings": list(contact_list_warnings(contact_list)),
        "mostly_rejected": rejected,
        "phone_library": phonelib.describe(),
    }


def contact_list_warnings(contact_list: ContactRows) -> list[str]:
    return list(getattr(contact_list, "warnings", []))


def mostly_rejected(counts: ContactCounts) -> str | None:
    """The loud message when most rows cannot be dialed (the list is surely read wrong)."""
    considered = counts.valid + counts.invalid
    if not considered or counts.invalid <= MOSTLY_REJECTED * considered:
        return None
    return gettext_(
        "%(invalid)s of %(considered)s rows cannot be dialed: the list is probably read wrong. "
        "Check the phone column, the default region and the encoding above"
    ) % {"invalid": f"{counts.invalid:,}", "considered": f"{considered:,}"}


def rejects_error(summary: dict[str, Any]) -> str:
    """The one-line error of `validate`/`run` for a mostly rejected list, with the fix."""
    return (
        f"most rows of {summary['source']} are rejected ({summary['mostly_rejected']}); "
        f"numbers without +country code were read as {summary['default_region']} "
        f"({summary['default_region_reason']}): fix the list, pass --region or "
        "--phone-column, or --allow-rejects to go on with the valid rows"
    )


class _Builder:
    """The summary's parts, accumulated chunk by chunk."""

    def __init__(self) -> None:
        self.rejected: dict[str, tuple[int, list[int]]] = {}
        self.row_warnings: dict[str, tuple[int, list[int]]] = {}
        self.duplicates: list[dict[str, int]] = []
        self.differing = 0
        self.differing_first: list[dict[str, int]] = []
        self.countries: Counter[str] = Counter()
        self.example: dict[str, Any] | None = None
        self.zone_overrides: Counter[str] = Counter()
        # An evenly spaced sample of the numbers whose zone comes from the number: every
        # `stride`-th one; the stride doubles (and every other kept number goes) when full.
        self.zone_numbers: list[str] = []
        self.stride = 1
        self.seen_numbers = 0

    def add(self, chunk: ContactList) -> None:
        frame = chunk.frame
        status = frame["_status"].to_numpy(dtype=object)
        lines = frame["_line"].to_numpy()
        _group(self.rejected, frame["_reason"].to_numpy(dtype=object), status == "invalid", lines)
        warning = frame["_warning"].to_numpy(dtype=object)
        _group(self.row_warnings, warning, ~pd.isna(warning), lines)
        duplicate = status == "duplicate"
        if duplicate.any():
            of = frame["_duplicate_of"].to_numpy(dtype=object)
            reasons = frame["_reason"].to_numpy(dtype=object)
            for position in np.flatnonzero(duplicate)[: FIRST_LINES - len(self.duplicates)]:
                self.duplicates.append(
                    {"line": int(lines[position]), "duplicate_of": int(of[position])}
                )
            positions = np.flatnonzero(duplicate)
            differing = positions[[_differs(reasons[p]) for p in positions]]
            self.differing += len(differing)
            for position in differing[: FIRST_LINES - len(self.differing_first)]:
                self.differing_first.append(
                    {"line": int(lines[position]), "duplicate_of": int(of[position])}
                )
        valid = np.flatnonzero(status == "valid")  # the columns asked for, not a frame copy
        if not len(valid):
            return
        regions = frame["_region"].to_numpy(dtype=object)[valid]
        self.countries.update(str(r) for r in regions[~pd.isna(regions)])
        if self.example is None:
            first = int(valid[0])
            self.example = {
                "line": int(lines[first]),
                "vars_provided": dict(chunk.row_vars()[first]),
            }
        zones = frame["_timezone"].to_numpy(dtype=object)[valid]
        overridden = ~pd.isna(zones)
        self.zone_overrides.update(str(z) for z in zones[overridden])
        numbers = frame["_e164"].to_numpy(dtype=object)[valid[~overridden]]
        self._sample([str(n) for n in numbers])

    def _sample(self, numbers: list[str]) -> None:
        offset = (-self.seen_numbers) % self.stride
        self.zone_numbers.extend(numbers[offset :: self.stride])
        self.seen_numbers += len(numbers)
        while len(self.zone_numbers) > 2 * TIME_ZONE_SAMPLE:
            self.zone_numbers = self.zone_numbers[::2]
            self.stride *= 2

    def groups(self, groups: dict[str, tuple[int, list[int]]]) -> list[dict[str, Any]]:
        ordered = sorted(groups.items(), key=lambda item: (-item[1][0], item[1][1][0]))
        return [
            {"reason": reason, "count": count, "lines": first} for reason, (count, first) in ordered
        ]

    def time_zones(self, workers: int | None) -> dict[str, Any]:
        """Distinct zones of the numbers to dial: the time zone column where given, else the
        number's own; numbers whose prefix spans several zones (toll-free, some mobiles) are
        counted apart, since their local time is not known. Very large lists are measured
        on an evenly spaced sample of TIME_ZONE_SAMPLE to twice that many numbers."""
        zones: Counter[str] = Counter(self.zone_overrides)
        sampled = self.stride > 1
        scale = self.seen_numbers / len(self.zone_numbers) if self.zone_numbers else 1.0
        per_number = parallel_map(time_zones_for_e164, self.zone_numbers, workers=workers)
        found_zones: Counter[str] = Counter()
        unclear = 0.0
        for found in per_number:  # valid rows have distinct numbers: one row each
            if len(found) == 1:
                found_zones[found[0]] += 1
            else:
                unclear += 1
        for zone, count in found_zones.items():
            zones[zone] += round(count * scale)
        return {
            "zones": dict(zones.most_common()),
            "unclear": round(unclear * scale),
            "sampled": sampled,
        }


def _differs(reason: object) -> bool:
    return isinstance(reason, str) and "with different values" in reason


def _group(
    groups: dict[str, tuple[int, list[int]]],
    values: np.ndarray,
    mask: np.ndarray,
    lines: np.ndarray,
) -> None:
    """Count the rows under `mask` by value, keeping each value's first lines."""
    positions = np.flatnonzero(mask)
    if not len(positions):
        return
    codes, uniques = pd.factorize(pd.Series(values[positions], dtype=object))
    for code, value in enumerate(uniques.tolist()):
        at = positions[codes == code]
        count, first = groups.get(str(value), (0, []))
        if len(first) < FIRST_LINES:
            first = first + [int(x) for x in lines[at[: FIRST_LINES - len(first)]]]
        groups[str(value)] = (count + len(at), first)


def print_validation(
    contact_list: ContactRows, console: Console, summary: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Print the summary of a loaded list (computed unless given); returns it."""
    s = summary if summary is not None else validation_summary(contact_list)
    read_as = ", ".join(
        part
        for part in (
            s["encoding"] and f"{s['encoding']}",
            s["delimiter"] and f"{s['delimiter']}-separated",
            s["sheet"] and f"sheet {s['sheet']!r}",
        )
        if part
    )
    console.print(f"[bold]{escape(s['source'])}[/]" + (f"  ({escape(read_as)})" if read_as else ""))
    counts = Table.grid(padding=(0, 2))
    counts.add_row("rows read", f"{s['rows']:,}")
    counts.add_row("[green]valid[/]", f"{s['valid']:,}", "numbers to dial")
    counts.add_row("[red]rejected[/]", f"{s['invalid']:,}")
    counts.add_row("[yellow]duplicates[/]", f"{s['duplicate']:,}", "dialed once, via the first row")
    console.print(counts)
    found_by = {"option": "--phone-column", "header": "its header", "content": "its content"}
    console.print(
        f"Phone column: [bold]{escape(s['phone_column'])}[/] "
        f"(found by {found_by[s['phone_column_found_by']]}); numbers without +country code "
        f"are read as [bold]{s['default_region']}[/] ({escape(s['default_region_reason'])})",
        soft_wrap=True,
    )
    for role, column in s["row_columns"].items():
        if column:
            console.print(f"Per-row {role}: column {escape(column)!r}")
    if s["var_mapping"]:
        pairs = [
            escape(column if column == name else f"{column} → {name}")
            for column, name in s["var_mapping"].items()
        ]
        console.print("Vars: " + ", ".join(pairs))
    else:
        console.print("Vars: none")
    _print_groups(console, "Rejected", s["rejected"], "red")
    if s["duplicates"]:
        shown = ", ".join(f"line {d['line']} = line {d['duplicate_of']}" for d in s["duplicates"])
        more = " ..." if s["duplicate"] > len(s["duplicates"]) else ""
        console.print(f"[yellow]Duplicates[/]: {shown}{more}")
    differing = s["duplicates_differing"]
    if differing["count"]:
        shown = ", ".join(
            f"line {d['line']} = line {d['duplicate_of']}" for d in differing["first"]
        )
        more = " ..." if differing["count"] > len(differing["first"]) else ""
        console.print(
            f"[yellow]Warning[/]: {differing['count']:,} duplicate rows have the same number "
            f"as an earlier row with different values: only the earlier row's are sent "
            f"({shown}{more})",
            soft_wrap=True,
        )
    _print_groups(console, "Row warnings", s["row_warnings"], "yellow")
    countries = s["countries"]
    console.print(
        f"Countries: {len(countries)}"
        + (" (" + ", ".join(f"{k} {v:,}" for k, v in countries.items()) + ")" if countries else "")
    )
    zones = s["time_zones"]
    listed = list(zones["zones"])
    shown_zones = ", ".join(listed[:6]) + (" ..." if len(listed) > 6 else "")
    approx = " (estimated from a sample of numbers)" if zones.get("sampled") else ""
    console.print(
        f"Time zones: {len(listed)}{approx}"
        + (f" ({escape(shown_zones)})" if listed else "")
        + (f"; {zones['unclear']:,} numbers span several zones" if zones["unclear"] else "")
    )
    if s["example"] is not None:
        rendered = json.dumps(s["example"]["vars_provided"], ensure_ascii=False)
        console.print(
            f"Example vars_provided (line {s['example']['line']}): {escape(rendered)}",
            soft_wrap=True,
        )
    for warning in s["warnings"]:
        console.print(f"[yellow]Warning[/]: {escape(warning)}", soft_wrap=True)
    if s["mostly_rejected"]:
        console.print(
            f"[bold red]MOST ROWS REJECTED[/]: {escape(s['mostly_rejected'])}.", soft_wrap=True
        )
    return s


def _print_groups(console: Console, title: str, groups: list[dict[str, Any]], color: str) -> None:
    if not groups:
        return
    console.print(f"[{color}]{title}[/]:")
    table = Table.grid(padding=(0, 2))
    for group in groups:
        lines = ", ".join(str(line) for line in group["lines"])
        more = " ..." if group["count"] > len(group["lines"]) else ""
        word = "line" if group["count"] == 1 else "lines"
        table.add_row(f"  {group['count']:,}", escape(group["reason"]), f"{word} {lines}{more}")
    console.print(table)
