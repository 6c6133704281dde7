"""The campaign report as one self-contained HTML file: inline CSS and SVG charts, no script,
no network (a Content-Security-Policy forbids any fetch), readable on a phone."""

from __future__ import annotations

import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment
from markupsafe import Markup

from campaign.durations import format_duration
from campaign.localtime import local_text, zone_name
from campaign.outcomes import charts
from campaign.outcomes.figures import Figures
from campaign.outcomes.files import atomic_path
from campaign.outcomes.report import cost_line, percent, talk_line
from campaign.outcomes.status_view import ordered_outcomes

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{ f.campaign.name }} · campaign report</title>
<style>
:root { --fg:#1f2933; --muted:#616e7c; --line:#e4e7eb; --card:#f5f7fa; --accent:#2e7d32; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
       color:var(--fg); background:#fff; }
main { max-width:980px; margin:0 auto; padding:16px; }
h1 { font-size:1.5rem; margin:0 0 4px; overflow-wrap:anywhere; }
h2 { font-size:1.15rem; margin:28px 0 8px; }
.meta { color:var(--muted); margin:0 0 16px; }
.state { display:inline-block; padding:1px 10px; border-radius:12px; font-size:.85rem;
         font-weight:600; color:#fff; background:#546e7a; vertical-align:middle; }
.state.running { background:#2e7d32; } .state.finished { background:#1565c0; }
.state.interrupted { background:#c62828; } .state.paused { background:#ef6c00; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(140px,1fr)); gap:10px; }
.card { background:var(--card); border-radius:10px; padding:10px 12px; }
.card .value { font-size:1.5rem; font-weight:700; }
.card .label { color:var(--muted); font-size:.85rem; }
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(300px,1fr)); gap:16px; }
figure { margin:0; }
svg.chart { width:100%; height:auto; display:block; }
.scroll { overflow-x:auto; -webkit-overflow-scrolling:touch; }
table { border-collapse:collapse; width:100%; font-size:.95rem; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); }
th { font-weight:600; color:var(--muted); white-space:nowrap; }
td.n, th.n { text-align:right; font-variant-numeric:tabular-nums; }
footer { color:var(--muted); font-size:.8rem; margin:32px 0 8px; }
@media (max-width:480px) { main { padding:10px; } .card .value { font-size:1.25rem; }
  .charts { grid-template-columns:1fr; }
  /* Every table fits a phone's width: tighter cells, headers and long values may wrap. */
  table { font-size:.85rem; } th, td { padding:5px 4px; } th { white-space:normal; }
  td { overflow-wrap:anywhere; } }
</style>
</head>
<body>
<main>
<header>
<h1 dir="auto">{{ f.campaign.name }} <span class="state {{ f.state }}">{{ f.state }}</span></h1>
<p class="meta">
{%- if f.campaign.source_name %}<span dir="auto">{{ f.campaign.source_name }}</span> · {% endif -%}
{{ f.contacts }} rows, {{ f.people }} people to call
{%- if started %} · started {{ started }}, ran {{ ran }}{% endif %}</p>
</header>

<section class="cards" aria-label="Key figures">
<div class="card"><div class="value">{{ reach }}</div><div class="label">reach rate
 ({{ f.connected }} of {{ f.dialed }} dialed)</div></div>
<div class="card"><div class="value">{{ f.connected }}</div><div class="label">connected</div></div>
<div class="card"><div class="value">{{ f.calls }}</div><div class="label">calls placed</div></div>
<div class="card"><div class="value">{{ talk_mean }}</div><div class="label">average talk time
 (median {{ talk_median }})</div></div>
{%- if cost %}<div class="card"><div class="value">{{ cost_total }}</div>
<div class="label">estimated cost</div></div>{% endif %}
</section>

<h2>Charts</h2>
<section class="charts">
{% for chart in chart_list %}<figure>{{ chart }}</figure>
{% endfor %}</section>

<h2>Outcomes</h2>
<div class="scroll"><table>
<thead><tr><th>outcome</th><th class="n">rows</th><th class="n">share</th></tr></thead>
<tbody>{% for name, count in outcomes %}
<tr><td>{{ name }}</td><td class="n">{{ count }}</td>
<td class="n">{{ pct(count, f.contacts) }}</td></tr>
{%- endfor %}</tbody></table></div>
<p class="meta">Talk time: {{ talk }}.{% if cost %} Cost: {{ cost }}.{% endif %}</p>

{% for title, rows in groups %}{% if rows %}
<h2>{{ title }}</h2>
<div class="scroll"><table>
<thead><tr><th>{{ title[3:] }}</th><th class="n">people</th><th class="n">dialed</th>
<th class="n">connected</th><th class="n">reach</th></tr></thead>
<tbody>{% for row in rows %}
<tr><td>{{ row.key }}</td><td class="n">{{ row.contacts }}</td><td class="n">{{ row.dialed }}</td>
<td class="n">{{ row.connected }}</td><td class="n">{{ pct(row.connected, row.dialed) }}</td></tr>
{%- endfor %}</tbody></table></div>
{% endif %}{% endfor %}

{% if f.top_values %}
<h2>Extracted answers</h2>
<p class="meta">From each person's last call.</p>
<div class="scroll"><table>
<thead><tr><th>variable</th><th class="n">answered</th><th>top values</th></tr></thead>
<tbody>{% for v in f.top_values %}
<tr><td dir="auto">{{ v.name }}</td><td class="n">{{ v.answered }}</td><td dir="auto">
{%- if v.top and v.top[0][1] == 1 and v.distinct > v.top|length %}<em>{{ v.distinct }} different
 values</em>{% else %}{% for value, count in v.top %}<bdi>{{ value }}</bdi> ×{{ count }}
{%- if not loop.last %}, {% endif %}{% endfor %}{% endif %}</td></tr>
{%- endfor %}</tbody></table></div>
{% endif %}

<footer>Generated {{ generated }} by campaign {{ version }} from the campaign database.
Times are in {{ zone }} (where the report was made) except "by hour", which uses each
recipient's local time.</footer>
</main>
</body>
</html>
"""

_ENVIRONMENT = Environment(autoescape=True, keep_trailing_newline=True)


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
            zone_label=zone or "UTC",
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
    groups = (
        ("by-attempt", "Goal rate by attempt", "attempt", goal.by_attempt),
        ("by-hour", "Goal rate by hour (recipient's local time)", "hour", goal.by_hour),
        ("by-from", "Goal rate by from-number", "from-number", goal.by_from),
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


def render_html(figures: Figures) -> str:
    """The report page for `figures` as one HTML string."""
    zone = zone_name()
    chart_list = chart_svgs(figures, zone if _known_zone(zone) else None)
    campaign = figures.campaign
    started = ran = None
    if campaign.started_at:
        started = local_text(campaign.started_at)
        end = campaign.finished_at or figures.generated_at
        ran = format_duration((end - campaign.started_at).total_seconds())
    cost = cost_line(figures)
    return _ENVIRONMENT.from_string(_TEMPLATE).render(
        f=figures,
        started=started,
        ran=ran,
        reach=percent(figures.connected, figures.dialed),
        talk=talk_line(figures),
        talk_mean=format_duration(figures.talk_mean_s) if figures.talk_mean_s is not None else "-",
        talk_median=(
            format_duration(figures.talk_median_s) if figures.talk_median_s is not None else "-"
        ),
        cost=cost,
        cost_total=", ".join(f"{t:,.2f} {c}" for c, t in figures.cost.items()),
        chart_list=[Markup(svg) for svg in chart_list],  # our own SVG, not user text
        outcomes=ordered_outcomes(figures.outcomes),
        groups=[("By country", figures.by_country), ("By time zone", figures.by_timezone)],
        pct=percent,
        generated=local_text(figures.generated_at),
        zone=zone if _known_zone(zone) else "UTC",
        version=_version(),
    )


def default_report_path(campaign_name: str) -> Path:
    """`<campaign-name>-report.html`, safe as a file name."""
    stem = re.sub(r"[^\w.-]+", "-", campaign_name).strip("-.") or "campaign"
    return Path(f"{stem}-report.html")


def write_html(figures: Figures, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    page = render_html(figures)
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
