"""campaign: batch outbound call campaigns on the Voicy API.

The package is usable as a library; the CLI (`python -m campaign`) is a thin layer on top::

    import campaign
    frame = campaign.results("campaign.db", "my-campaign")   # the export as a DataFrame
    for summary in campaign.list_campaigns("campaign.db"): ...
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("results", "open_db", "list_campaigns", "status", "export")


def __getattr__(name: str) -> Any:
    # Lazy, so the CLI does not load pandas for commands that need none.
    if name in _API:
        from campaign import api

        return getattr(api, name)
    raise AttributeError(f"module 'campaign' has no attribute {name!r}")
