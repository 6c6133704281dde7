"""Campaign charts as inline SVG strings (matplotlib), for the HTML report and the web pages.

Each function takes plain data and returns one `<svg>` element that scales to its container
(no fixed size), carries its own ids (several charts can share a page) and needs no network,
script or font download: text stays text, drawn by the browser, so any script (Hebrew too)
renders. matplotlib's rc settings are global, hence the lock: charts may be drawn from web
worker threads.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

import matplotlib
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from campaign.i18n import gettext_, word

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

OUTCOME_COLORS = {
    "goal_reached": "#1b5e20",
    "no_goal": "#81c784",
    "connected": "#2e7d32",
    "failed": "#c62828",
    "pending": "#0277bd",
    "unknown": "#f9a825",
    "invalid": "#ef6c00",
    "duplicate": "#6a1b9a",
    "dnc": "#546e7a",
    "canceled": "#8d6e63",
}
CATEGORY_COLORS = {"connected": "#2e7d32", "failed": "#c62828", "other": "#9e9e9e"}
_FALLBACK_COLOR = "#78909c"
#: The time axis' labels by tick level (years, months, days, hours, minutes, seconds).
_DATE_FORMATS = ["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S.%f"]
_DATE_ZERO_FORMATS = ["", "%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M"]
_DATE_OFFSET_FORMATS = ["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"]
_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # real text: smaller, selectable, any script
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
}
_LOCK = threading.Lock()
_SIZE = (6.4, 3.4)


def outcomes_chart(counts: Mapping[str, int], *, title: str | None = None) -> str:
    """Horizontal bars, one per outcome, largest first."""
    title = title or gettext_("Contacts by outcome")
    items = sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: kv[1])
    figure, axes = _figure(title, height=max(2.2, 0.45 * len(items) + 1.2))
    if not items:
        return _empty(figure, axes, "outcomes", gettext_("No contacts yet"))
    names = [name for name, _ in items]
    values = [value for _, value in items]
    colors = [OUTCOME_COLORS.get(n, _FALLBACK_COLOR) for n in names]
    bars = axes.barh([word(n) for n in names], values, color=colors)
    axes.bar_label(bars, padding=3)
    axes.set_xlabel(gettext_("contacts"))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(x=0.12)
    return _svg(figure, "outcomes", title)


def calls_over_time_chart(
    starts: Sequence[datetime],
    series: Mapping[str, Sequence[int]],
    *,
    bucket_s: int,
    title: str | None = None,
    zone: tzinfo | None = None,
    zone_label: str = "UTC",
) -> str:
    """Stacked bars of placed calls per time bucket, by category; the axis reads in `zone`
    (the reader's; default UTC), named by `zone_label`."""
    title = title or gettext_("Calls over time")
    figure, axes = _figure(title)
    if not starts:
        return _empty(figure, axes, "over-time", gettext_("No calls placed yet"))
    width = bucket_s / 86400 * 0.9  # matplotlib date units are days
    x = mdates.date2num(list(starts))
    bottom = [0] * len(starts)
    for name, values in series.items():
        axes.bar(
            x,
            values,
            width=width,
            bottom=bottom,
            align="edge",
            label=word(name),
            color=CATEGORY_COLORS.get(name, _FALLBACK_COLOR),
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    locator = mdates.AutoDateLocator(maxticks=8, tz=zone)
    axes.xaxis.set_major_locator(locator)
    # Numeric dates (ISO order): month names would be the C locale's English on any page.
    axes.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(
            locator, tz=zone, formats=_DATE_FORMATS, zero_formats=_DATE_ZERO_FORMATS,
            offset_formats=_DATE_OFFSET_FORMATS,
        )
    )  # fmt: skip
    axes.set_ylabel(gettext_("calls per %(bucket)s") % {"bucket": _bucket_words(bucket_s)})
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(gettext_("time (%(zone)s)") % {"zone": zone_label})
    axes.legend(frameon=False, fontsize=9)
    return _svg(figure, "over-time", title)


def talk_time_chart(durations_s: Sequence[float], *, title: str | None = None) -> str:
    """Histogram of connected calls' durations, in minutes."""
    title = title or gettext_("Talk time")
    figure, axes = _figure(title)
    if not durations_s:
        return _empty(figure, axes, "talk-time", gettext_("No connected calls yet"))
    minutes = [d / 60 for d in durations_s]
    bins = min(30, max(5, len(set(minutes))))
    axes.hist(minutes, bins=bins, color=OUTCOME_COLORS["connected"], edgecolor="white")
    axes.set_xlabel(gettext_("minutes"))
    axes.set_ylabel(gettext_("connected calls"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _svg(figure, "talk-time", title)


def hour_of_day_chart(series: Mapping[str, Sequence[int]], *, title: str | None = None) -> str:
    """Stacked bars of calls for each local hour 0-23, by category."""
    title = title or gettext_("Calls by hour (recipient's local time)")
    figure, axes = _figure(title)
    if not any(any(values) for values in series.values()):
        return _empty(figure, axes, "by-hour", gettext_("No calls placed yet"))
    hours = list(range(24))
    bottom = [0] * 24
    for name, values in series.items():
        axes.bar(
            hours,
            values,
            bottom=bottom,
            label=word(name),
            color=CATEGORY_COLORS.get(name, _FALLBACK_COLOR),
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_xticks(range(0, 24, 3), [f"{h:02d}h" for h in range(0, 24, 3)])
    axes.set_xlim(-0.6, 23.6)
    axes.set_ylabel(gettext_("calls"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(frameon=False, fontsize=9)
    return _svg(figure, "by-hour", title)


def attempts_chart(distribution: Mapping[int, int], *, title: str | None = None) -> str:
    """Bars: how many dialed people needed 1, 2, 3... calls."""
    title = title or gettext_("Calls per person")
    figure, axes = _figure(title, height=2.8)
    if not distribution:
        return _empty(figure, axes, "attempts", gettext_("Nobody dialed yet"))
    keys = sorted(distribution)
    bars = axes.bar([str(k) for k in keys], [distribution[k] for k in keys], color="#0277bd")
    axes.bar_label(bars, padding=2)
    axes.set_xlabel(gettext_("calls placed"))
    axes.set_ylabel(gettext_("people"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(y=0.15)
    return _svg(figure, "attempts", title)


def goal_rate_chart(
    keys: Sequence[str], rates: Sequence[float], *, title: str, xlabel: str, chart_id: str
) -> str:
    """Bars of the goal rate (share of connected calls reaching the goal) per group."""
    figure, axes = _figure(title, height=2.8)
    if not keys:
        return _empty(figure, axes, chart_id, "No connected calls yet")
    bars = axes.bar(list(keys), [100 * r for r in rates], color=OUTCOME_COLORS["goal_reached"])
    axes.bar_label(bars, labels=[f"{r:.0%}" for r in rates], padding=2, fontsize=8)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(gettext_("goal reached (% of connected calls)"))
    axes.set_ylim(0, 110)
    if len(keys) > 6:
        axes.tick_params(axis="x", labelrotation=45)
    return _svg(figure, chart_id, title)


def _figure(title: str, *, height: float = _SIZE[1]) -> tuple[Figure, Axes]:
    with _LOCK, matplotlib.rc_context(_RC):
        figure = Figure(figsize=(_SIZE[0], height), layout="constrained")
        axes = figure.add_subplot()
        axes.set_title(title)
    return figure, axes


def _empty(figure: Figure, axes: Axes, chart_id: str, message: str) -> str:
    axes.set_axis_off()
    axes.text(
        0.5, 0.5, message, ha="center", va="center", color="#757575", transform=axes.transAxes
    )
    return _svg(figure, chart_id, message)


def _svg(figure: Figure, chart_id: str, label: str) -> str:
    buffer = io.StringIO()
    with _LOCK, matplotlib.rc_context({**_RC, "svg.hashsalt": chart_id}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and doctype: inline in HTML
    # Unique ids per chart: several charts share one page.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = svg.replace("url(#", f"url(#{chart_id}-").replace('href="#', f'href="#{chart_id}-')
    # Scale with the page: keep the viewBox, drop the fixed size.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace(
        "<svg",
        f'<svg class="chart" role="img" aria-label="{label}" preserveAspectRatio="xMidYMid meet"',
        1,
    ).strip()


def _bucket_words(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return gettext_("day") if days == 1 else gettext_("%(n)s days") % {"n": days}
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return gettext_("hour") if hours == 1 else gettext_("%(n)s hours") % {"n": hours}
    minutes = seconds // 60
    return gettext_("minute") if minutes == 1 else gettext_("%(n)s minutes") % {"n": minutes}
