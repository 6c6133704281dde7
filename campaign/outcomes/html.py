"""The campaign report as one self-contained HTML file: inline CSS and SVG charts, no script,
no network (a Content-Security-Policy forbids any fetch), readable on a phone."""

from __future__ import annotations

import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment
from markupsafe import Markup

from campaign import formats, i18n
from campaign.localtime import zone_name
from campaign.outcomes import charts
from campaign.outcomes.figures import Figures
from campaign.outcomes.files import atomic_path
from campaign.outcomes.report import cost_line, percent, talk_line
from campaign.outcomes.status_view import ordered_outcomes

#: The page (strings marked for the catalog: see campaign.i18n), next to this module.
_TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.html"


def _environment() -> Environment:
    environment = Environment(
        autoescape=True, keep_trailing_newline=True, extensions=["jinja2.ext.i18n"]
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext_, i18n.ngettext_, newstyle=True
    )
    environment.filters.update(word=i18n.word, number=i18n.format_number)
    return environment


_ENVIRONMENT = _environment()


def chart_svgs(figures: Figures, zone: str | None = None) -> list[str]:
    """The report's charts as SVG strings (the web dashboard shows the same ones); times
    read in the IANA `zone` (the reader's), default UTC."""
    return [
        charts.outcomes_chart(figures.outcomes),
        charts.calls_over_time_chart(
            figures.calls_over_time.starts,
            figures.calls_over_time.series,
            bucket_s=figures.calls_over_time.bucket_s,
            zone=ZoneInfo(zone) if zone else None,
            zone_label=formats.zone_label(ZoneInfo(zone)) if zone else "UTC",
        ),
        charts.talk_time_chart(figures.talk_times_s),
        charts.hour_of_day_chart(figures.calls_by_hour),
        charts.attempts_chart(figures.attempts_distribution),
        *goal_charts(figures),
    ]


def goal_charts(figures: Figures) -> list[str]:
    """With a --goal: its rate by attempt number, by the recipient's hour, by from-number."""
    goal = figures.goal
    if goal is None:
        return []
    _ = i18n.gettext_
    groups = (
        ("by-attempt", _("Goal rate by attempt"), _("attempt"), goal.by_attempt),
        ("by-hour", _("Goal rate by hour (recipient's local time)"), _("hour"), goal.by_hour),
        ("by-from", _("Goal rate by from-number"), _("from-number"), goal.by_from),
    )
    return [
        charts.goal_rate_chart(
            [row.key for row in rows],
            [row.rate or 0.0 for row in rows],
            title=title,
            xlabel=xlabel,
            chart_id=f"goal-{chart_id}",
        )
        for chart_id, title, xlabel, rows in groups
    ]


def render_html(figures: Figures, language: str = i18n.DEFAULT) -> str:
    """The report page for `figures` as one HTML string, in `language` (`en`, `he`)."""
    token = i18n.use(language)
    try:
        return _render(figures, i18n.current())
    finally:
        i18n.reset(token)


def _render(figures: Figures, language: str) -> str:
    zone = zone_name()
    shown_zone = zone if _known_zone(zone) else None
    chart_list = chart_svgs(figures, shown_zone)
    campaign = figures.campaign
    started = ran = None
    if campaign.started_at:
        started = formats.instant(campaign.started_at, shown_zone)
        end = campaign.finished_at or figures.generated_at
        ran = formats.duration((end - campaign.started_at).total_seconds())
    cost = cost_line(figures)
    return _ENVIRONMENT.from_string(_TEMPLATE.read_text(encoding="utf-8")).render(
        lang=language,
        text_dir=i18n.direction(language),
        f=figures,
        started=started,
        ran=ran,
        reach=percent(figures.connected, figures.dialed),
        talk=talk_line(figures),
        talk_mean=formats.duration(figures.talk_mean_s),
        talk_median=formats.duration(figures.talk_median_s),
        cost=cost,
        cost_total=", ".join(f"{t:,.2f} {c}" for c, t in figures.cost.items()),
        chart_list=[Markup(svg) for svg in chart_list],  # our own SVG, not user text
        outcomes=ordered_outcomes(figures.outcomes),
        groups=[
            (i18n.gettext_("By country"), i18n.gettext_("country"), figures.by_country),
            (i18n.gettext_("By time zone"), i18n.gettext_("time zone"), figures.by_timezone),
        ],
        pct=percent,
        generated=formats.instant(figures.generated_at, shown_zone),
        zone=zone if _known_zone(zone) else "UTC",
        version=_version(),
    )


def default_report_path(campaign_name: str) -> Path:
    """`<campaign-name>-report.html`, safe as a file name."""
    stem = re.sub(r"[^\w.-]+", "-", campaign_name).strip("-.") or "campaign"
    return Path(f"{stem}-report.html")


def write_html(
    figures: Figures, path: str | os.PathLike[str], language: str = i18n.DEFAULT
) -> Path:
    target = Path(path)
    page = render_html(figures, language)
    with atomic_path(target) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return target


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _version() -> str:
    import campaign  # late: the package root may import this module's neighbours

    return str(getattr(campaign, "__version__", "?"))
