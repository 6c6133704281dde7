"""Comparing the streamed export with the DataFrame path's, cell by cell."""

from __future__ import annotations

import csv
import io
from typing import Any

from campaign.outcomes.export import write_csv
from campaign.outcomes.frames import read_campaign_rows
from campaign.outcomes.results import results_frame
from campaign.store.db import Database

#: Where the two paths differ on purpose: pandas turns a whole-number variable into a float
#: in a column where some rows lack it (`5.0`); the stream writes the value said (`5`).
INTEGER_VARIABLE = "extracted.party_size"


def dataframe_csv(db: Database, name: str, only: list[str] | None = None) -> str:
    buffer = io.StringIO()
    write_csv(results_frame(read_campaign_rows(db, name), only=only), buffer)
    return buffer.getvalue()


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def assert_same_table(old: list[list[Any]], new: list[list[Any]]) -> None:
    assert new[0] == old[0]
    assert len(new) == len(old)
    special = old[0].index(INTEGER_VARIABLE) if INTEGER_VARIABLE in old[0] else None
    for line, (before, after) in enumerate(zip(old[1:], new[1:], strict=True), start=2):
        if special is not None and before[special] not in ("", None):
            assert float(before[special]) == float(after[special]), line
            # A workbook's numbers are all doubles (a reader may give 5.0); CSV text is "5".
            whole = after[special] if isinstance(after[special], float) else None
            assert str(after[special]) == "5" or (whole is not None and whole.is_integer()), (
                "the stream keeps a whole number whole"
            )
            before, after = list(before), list(after)
            before[special] = after[special] = None
        assert after == before, f"row {line} differs"
