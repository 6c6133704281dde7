"""What `validate` (and `run --dry-run`, and the web upload page) tell the user about a list.

`validation_summary` is plain data (JSON-ready); `print_validation` renders it with rich.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from campaign.contacts.bulk import parallel_map
from campaign.contacts.model import ContactList
from campaign.contacts.phones import time_zones_for_e164

#: Line numbers shown per reason (the --rejected file has them all).
FIRST_LINES = 5
#: Numbers looked up for the time zone count; larger lists are sampled evenly.
TIME_ZONE_SAMPLE = 200_000


def validation_summary(contact_list: ContactList, *, workers: int | None = None) -> dict[str, Any]:
    frame = contact_list.frame
    counts = contact_list.counts
    valid = frame[frame["_status"] == "valid"]
    example = valid.iloc[0] if len(valid) else None
    return {
        "source": contact_list.source_name,
        "encoding": contact_list.encoding,
        "delimiter": contact_list.delimiter,
        "sheet": contact_list.sheet,
        "rows": counts.total,
        "valid": counts.valid,
        "invalid": counts.invalid,
        "duplicate": counts.duplicate,
        "phone_column": contact_list.phone_column,
        "phone_column_found_by": contact_list.phone_column_found_by,
        "var_mapping": dict(contact_list.var_mapping),
        "row_columns": {
            "region": contact_list.region_column,
            "from_number": contact_list.from_column,
            "agent_id": contact_list.agent_column,
            "timezone": contact_list.timezone_column,
        },
        "default_region": contact_list.region,
        "agent_id": contact_list.agent_id,
        "rejected": _grouped(frame, frame["_status"] == "invalid", "_reason"),
        "duplicates": [
            {"line": int(line), "duplicate_of": int(of)}
            for line, of in zip(
                frame.loc[frame["_status"] == "duplicate", "_line"].head(FIRST_LINES),
                frame.loc[frame["_status"] == "duplicate", "_duplicate_of"].head(FIRST_LINES),
                strict=True,
            )
        ],
        "row_warnings": _grouped(frame, frame["_warning"].notna(), "_warning"),
        "countries": {str(k): int(v) for k, v in valid["_region"].dropna().value_counts().items()},
        "time_zones": _time_zones(valid, workers),
        "example": None
        if example is None
        else {"line": int(example["_line"]), "vars_provided": dict(example["_vars"])},
        "warnings": list(contact_list.warnings),
    }


def _grouped(frame: pd.DataFrame, mask: pd.Series, column: str) -> list[dict[str, Any]]:
    """Rows under `mask` grouped by `column`, biggest group first, with their first lines."""
    selected = frame.loc[mask, [column, "_line"]]
    groups: list[dict[str, Any]] = []
    for value, group in selected.groupby(column, sort=False):
        groups.append(
            {
                "reason": str(value),
                "count": len(group),
                "lines": [int(x) for x in group["_line"].head(FIRST_LINES)],
            }
        )
    groups.sort(key=lambda g: (-int(g["count"]), int(g["lines"][0])))
    return groups


def _time_zones(valid: pd.DataFrame, workers: int | None) -> dict[str, Any]:
    """Distinct zones of the numbers to dial: the time zone column where given, else the
    number's own; numbers whose prefix spans several zones (toll-free, some mobiles) are
    counted apart, since their local time is not known. phonenumbers needs ~30 µs a number
    here, so very large lists are measured on an even sample of TIME_ZONE_SAMPLE numbers."""
    overridden = valid["_timezone"].notna().to_numpy()
    zones: Counter[str] = Counter(str(z) for z in valid.loc[overridden, "_timezone"])
    numbers = valid.loc[~overridden, "_e164"].to_numpy(dtype=object)
    sampled = len(numbers) > TIME_ZONE_SAMPLE
    if sampled:
        picks = np.linspace(0, len(numbers) - 1, TIME_ZONE_SAMPLE).astype(np.int64)
        scale, numbers = len(numbers) / TIME_ZONE_SAMPLE, numbers[picks]
    else:
        scale = 1.0
    per_number = parallel_map(time_zones_for_e164, [str(n) for n in numbers], workers=workers)
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


def print_validation(
    contact_list: ContactList, console: Console, summary: dict[str, Any] | None = None
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
        f"are read as {s['default_region']}"
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
