"""What is decided once about a list, from its first rows: header, columns, roles, vars, region.

Every decision looks at the first HEAD_ROWS rows only, so a list read in chunks of any size
is read exactly as a list read in one go (the test compares them).
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass, field

import pandas as pd

from campaign.contacts.columns import ColumnRoles, detect_roles
from campaign.contacts.default_region import RegionChoice, choose_region
from campaign.contacts.headers import Layout, plan_layout
from campaign.contacts.options import ImportOptions
from campaign.contacts.read import Grid, iter_grids
from campaign.contacts.regions import require_region, resolve_region
from campaign.contacts.source import SourceFile
from campaign.contacts.vars import build_mapping, contract_warnings, parse_var_specs
from campaign.voicy.models import Agent

#: Rows looked at to decide the header, the columns' roles and the default region.
HEAD_ROWS = 2000


@dataclass
class ListPlan:
    source: SourceFile
    options: ImportOptions
    agent: Agent | None
    layout: Layout
    roles: ColumnRoles
    mapping: dict[str, str]
    region: RegionChoice
    encoding: str | None
    delimiter: str | None
    delimiter_name: str | None
    sheet: str | None
    #: Warnings known before any row is normalized (headers, encoding, the agent contract).
    warnings: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return self.layout.columns

    def grids(self, chunk_rows: int | None) -> Generator[Grid]:
        """The file's grids again, from the start (see read.iter_grids)."""
        return iter_grids(self.source, self.options.sheet, chunk_rows)


def plan_list(source: SourceFile, options: ImportOptions, agent: Agent | None) -> ListPlan:
    # Only an explicit --region is known before the list is read: the from-numbers' country
    # may be overruled by the list itself (default_region.choose_region), so the header and
    # the phone column are found as for a list without one.
    known = require_region(options.region) if options.region else None
    with closing(iter_grids(source, options.sheet, HEAD_ROWS, first_rows=HEAD_ROWS)) as grids:
        first = next(grids)  # closed at once: an .xlsx is not kept open for the rest
    layout = plan_layout(source.name, first, known, HEAD_ROWS)
    head = layout.table(_head(first))
    frame, columns = head.frame, head.columns
    roles = detect_roles(frame, columns, options, source.name, known)
    region = choose_region(options.region, options.caller_numbers, _defaulted_phones(frame, roles))
    specs = parse_var_specs(options.vars, columns, source.name)
    mapping = build_mapping(columns, roles, specs, agent)
    warnings = list(layout.warnings)
    if region.warning:
        warnings.append(region.warning)
    if agent is not None:
        warnings.extend(contract_warnings(mapping, agent))
    return ListPlan(
        source=source,
        options=options,
        agent=agent,
        layout=layout,
        roles=roles,
        mapping=mapping,
        region=region,
        encoding=first.encoding,
        delimiter=first.delimiter,
        delimiter_name=first.delimiter_name,
        sheet=first.sheet,
        warnings=warnings,
    )


def _head(grid: Grid) -> Grid:
    return Grid(
        grid.cells.iloc[:HEAD_ROWS], grid.lines[:HEAD_ROWS], grid.encoding, grid.delimiter,
        grid.sheet, grid.warnings,
    )  # fmt: skip


def _defaulted_phones(frame: pd.DataFrame, roles: ColumnRoles) -> pd.Series:
    """The phone values the default region applies to: rows without a region of their own."""
    phones = frame[roles.phone]
    if roles.region is None:
        return phones
    own = frame[roles.region].map(lambda value: resolve_region(value) is not None)
    return phones[~own.to_numpy(dtype=bool)]
