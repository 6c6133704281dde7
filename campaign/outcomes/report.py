"""The campaign report for a terminal: who we reached, when, where, and what they said."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from campaign.calls.vocab import WaitReason
from campaign.durations import format_duration
from campaign.outcomes.figures import Figures, GroupRow
from campaign.outcomes.goal_rates import GoalRates, RateRow
from campaign.outcomes.status_view import (
    OUTCOME_STYLES,
    STATE_STYLES,
    local_time,
    ordered_outcomes,
)

_BAR_WIDTH = 30


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def talk_line(figures: Figures) -> str:
    if not figures.talk_times_s:
        return "no connected calls yet"
    mean = format_duration(figures.talk_mean_s or 0)
    median = format_duration(figures.talk_median_s or 0)
    return f"average {mean}, median {median} over {len(figures.talk_times_s)} connected calls"


def cost_line(figures: Figures) -> str | None:
    if not figures.cost:
        return None
    totals = ", ".join(f"{total:,.2f} {currency}" for currency, total in figures.cost.items())
    line = f"{totals} over {figures.costed_calls} calls (as reported by the API)"
    if len(figures.cost) == 1 and figures.costed_calls:
        ((currency, total),) = figures.cost.items()
        line += f"; {total / figures.costed_calls:,.2f} {currency} a connected call"
        goals = figures.goal.people_goal if figures.goal is not None else 0
        if goals:
            line += f", {total / goals:,.2f} {currency} a goal reached"
        pending = figures.outcomes.get("pending", 0)
        if pending and figures.dialed:
            rest = total / figures.dialed * pending
            line += f"; about {rest:,.2f} {currency} more for the {pending} people left"
    return line


def render_report(figures: Figures) -> RenderableType:
    campaign = figures.campaign
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("Campaign", campaign.name)
    head.add_row("State", Text(figures.state, style=STATE_STYLES.get(figures.state, "bold")))
    if figures.stop is not None:
        stop = figures.stop
        head.add_row("Last run", stop.words + (f": {stop.detail}" if stop.detail else ""))
    if campaign.source_name:
        head.add_row(
            "List",
            f"{campaign.source_name} ({figures.contacts} rows, {figures.people} people to call)",
        )
    if campaign.started_at:
        end = campaign.finished_at or figures.generated_at
        took = format_duration((end - campaign.started_at).total_seconds())
        head.add_row("Started", f"{local_time(campaign.started_at)} (ran {took})")
    reach = (
        f"{figures.connected} of {figures.dialed} dialed people connected "
        f"({percent(figures.connected, figures.dialed)})"
    )
    head.add_row("Reach", Text(reach, style="bold green" if figures.connected else ""))
    head.add_row("Calls placed", str(figures.calls))
    head.add_row("Talk time", talk_line(figures))
    cost = cost_line(figures)
    if cost:
        head.add_row("Estimated cost", cost)
    if figures.goal is not None:
        head.add_row("Goal", goal_line(figures.goal))

    parts: list[RenderableType] = [head, Text("")]
    parts.append(_outcomes_table(figures))
    if figures.waiting:
        parts += [Text(""), _waiting_table(figures)]
    if figures.attempts_distribution:
        parts += [Text(""), _attempts_table(figures)]
    hours = _hours_table(figures)
    if hours is not None:
        parts += [Text(""), hours]
    for title, rows in (("By country", figures.by_country), ("By time zone", figures.by_timezone)):
        if rows:
            parts += [Text(""), _group_table(title, rows)]
    if figures.top_values:
        parts += [Text(""), _values_table(figures)]
    if figures.goal is not None:
        parts += goal_tables(figures.goal)
    return Group(*parts)


def _bar(count: int, largest: int, style: str) -> Text:
    cells = round(_BAR_WIDTH * count / largest) if largest else 0
    return Text("█" * max(cells, 1 if count else 0), style=style or "white")


def _outcomes_table(figures: Figures) -> Table:
    table = Table(title="Outcomes (input rows)", title_justify="left", box=None)
    table.add_column("outcome")
    table.add_column("rows", justify="right")
    table.add_column("share", justify="right")
    table.add_column("")
    items = ordered_outcomes(figures.outcomes)
    largest = max((count for _, count in items), default=0)
    for name, count in items:
        style = OUTCOME_STYLES.get(name, "")
        table.add_row(
            Text(name, style=style),
            str(count),
            percent(count, figures.contacts),
            _bar(count, largest, style),
        )
    return table


def _waiting_table(figures: Figures) -> Table:
    table = Table(title="Not final yet: waiting", title_justify="left", box=None)
    table.add_column("why")
    table.add_column("people", justify="right")
    for reason in WaitReason:
        if figures.waiting.get(reason):
            table.add_row(reason.words, str(figures.waiting[reason]))
    return table


def _attempts_table(figures: Figures) -> Table:
    table = Table(title="Calls per dialed person", title_justify="left", box=None)
    table.add_column("calls", justify="right")
    table.add_column("people", justify="right")
    table.add_column("")
    largest = max(figures.attempts_distribution.values())
    for calls, people in figures.attempts_distribution.items():
        table.add_row(str(calls), str(people), _bar(people, largest, "blue"))
    return table


def _hours_table(figures: Figures) -> Table | None:
    series = figures.calls_by_hour
    totals = [sum(values[hour] for values in series.values()) for hour in range(24)]
    if not any(totals):
        return None
    table = Table(title="Calls by hour (recipient's local time)", title_justify="left", box=None)
    table.add_column("hour")
    table.add_column("calls", justify="right")
    table.add_column("connected", justify="right")
    table.add_column("answer rate", justify="right")
    table.add_column("")
    largest = max(totals)
    connected = series.get("connected", [0] * 24)
    for hour, total in enumerate(totals):
        if total:
            table.add_row(
                f"{hour:02d}:00",
                str(total),
                str(connected[hour]),
                percent(connected[hour], total),
                _bar(total, largest, "cyan"),
            )
    return table


def _group_table(title: str, rows: list[GroupRow]) -> Table:
    table = Table(title=title, title_justify="left", box=None)
    table.add_column(title.removeprefix("By ").lower())
    for name in ("people", "dialed", "connected", "reach"):
        table.add_column(name, justify="right")
    for row in rows:
        table.add_row(
            row.key,
            str(row.contacts),
            str(row.dialed),
            str(row.connected),
            percent(row.connected, row.dialed),
        )
    return table


def _values_table(figures: Figures) -> Table:
    table = Table(
        title="Extracted answers (last call of each person)", title_justify="left", box=None
    )
    table.add_column("variable")
    table.add_column("answered", justify="right")
    table.add_column("top values")
    for variable in figures.top_values:
        if variable.top and variable.top[0][1] == 1 and variable.distinct > len(variable.top):
            values = Text(f"{variable.distinct} different values", style="italic")
        else:
            values = Text(", ".join(f"{value} ×{count}" for value, count in variable.top))
        table.add_row(variable.name, str(variable.answered), values)
    return table


def goal_line(goal: GoalRates) -> str:
    if goal.rate is None:
        return f"{goal.goal}: nobody reached yet"
    return (
        f"{goal.goal}: {goal.people_goal} of {goal.people_reached} people reached ({goal.rate:.0%})"
    )


def goal_tables(goal: GoalRates) -> list[RenderableType]:
    """The goal rate by attempt, by the recipient's hour and by from-number, with bars."""
    parts: list[RenderableType] = []
    for title, column, rows in (
        ("Goal rate by attempt", "attempt", goal.by_attempt),
        ("Goal rate by hour (recipient's local time)", "hour", goal.by_hour),
        ("Goal rate by from-number", "from", goal.by_from),
    ):
        if rows:
            parts += [Text(""), _rate_table(title, column, rows)]
    return parts


def _rate_table(title: str, column: str, rows: list[RateRow]) -> Table:
    table = Table(title=title, title_justify="left", box=None)
    table.add_column(column)
    table.add_column("connected calls", justify="right")
    table.add_column("goal reached", justify="right")
    table.add_column("rate", justify="right")
    table.add_column("")
    for row in rows:
        table.add_row(
            row.key,
            str(row.calls),
            str(row.reached),
            percent(row.reached, row.calls),
            _bar(row.reached, row.calls, "green"),
        )
    return table
