"""An Excel cell's text, and what a workbook that cannot be read is told."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd


def excel_cell_text(value: Any) -> str:
    """A typed Excel cell as the text a person sees; numeric phone cells lose their `.0`."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        # Phone numbers have at most 15 digits, well within a float's exact integers.
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return repr(number)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def excel_open_message(name: str, exc: Exception) -> str:
    text = str(exc).lower()
    if "encrypt" in text or "password" in text:
        return (
            f"{name} is password-protected: open it in Excel, remove the password and save it again"
        )
    return f"cannot open {name} as a workbook ({exc}): open it in Excel and save it as .xlsx"
