"""The campaign page's charts fragment: the report's charts, drawn as the page shows them.

Drawn in the chart worker process (`chart_worker`) or, for an in-memory database, in a
thread of the web server (`chart_cache`).
"""

from __future__ import annotations

from markupsafe import Markup

from campaign import formats, i18n
from campaign.clock import Clock
from campaign.outcomes.figures import report_figures
from campaign.outcomes.html import chart_svgs
from campaign.store.db import Database
from campaign.web.templating import TEMPLATES


def charts_html(
    db: Database,
    name: str,
    version: str,
    clock: Clock,
    zone: str | None = None,
    language: str = i18n.DEFAULT,
) -> str:
    """The charts fragment of campaign `name`, its times in the IANA `zone` (the reader's),
    its words in `language` (the charts' own titles are the report's, English)."""
    figures = report_figures(db, name, clock=clock)
    token, zone_token = i18n.use(language), i18n.use_zone(zone or "UTC")
    try:
        return TEMPLATES.env.get_template("charts_fragment.html").render(
            charts=[Markup(svg) for svg in chart_svgs(figures, zone)],  # our SVG, no user text
            figures=figures,
            version=version,
            zone_words=formats.zone_label(formats.reader_zone()),
        )
    finally:
        i18n.reset_zone(zone_token)
        i18n.reset(token)
