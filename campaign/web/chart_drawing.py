"""The campaign page's charts fragment: the report's charts, drawn as the page shows them.

Drawn in the chart worker process (`chart_worker`) or, for an in-memory database, in a
thread of the web server (`chart_cache`).
"""

from __future__ import annotations

from markupsafe import Markup

from campaign.clock import Clock
from campaign.outcomes.figures import report_figures
from campaign.outcomes.html import chart_svgs
from campaign.store.db import Database
from campaign.web.templating import TEMPLATES


def charts_html(
    db: Database, name: str, version: str, clock: Clock, zone: str | None = None
) -> str:
    """The charts fragment of campaign `name`, its times in the IANA `zone` (the reader's)."""
    figures = report_figures(db, name, clock=clock)
    return TEMPLATES.env.get_template("charts_fragment.html").render(
        charts=[Markup(svg) for svg in chart_svgs(figures, zone)],  # our SVG, no user text
        figures=figures,
        version=version,
        zone=zone,
    )
