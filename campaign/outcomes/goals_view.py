"""The goal, spend and callback lines of `status` (see `campaign.outcomes.goals`)."""

from __future__ import annotations

from rich.table import Table

from campaign.outcomes.goals import Callback, GoalFigures, SpendFigures


def money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    return f"{amount:,.2f}" + (f" {currency}" if currency else "")


def goal_text(goal: GoalFigures) -> str:
    what = f"{goal.var}={goal.value}" if goal.value is not None else f"{goal.var} is true"
    if goal.rate is None:
        return f"{what}: nobody reached yet"
    return f"{what}: {goal.reached} of {goal.connected} people reached ({goal.rate:.0%})"


def spend_text(spend: SpendFigures) -> str:
    c = spend.currency
    parts = [money(spend.total, c)]
    if spend.cap is not None:
        parts[0] += f" of the {money(spend.cap, c)} cap"
    parts.append(f"{money(spend.per_connected, c)} a connected call")
    if spend.goals is not None:
        parts.append(f"{money(spend.per_goal, c)} a goal reached")
    if spend.projected_rest:
        parts.append(f"about {money(spend.projected_rest, c)} more for the rest of the list")
    return " · ".join(parts)


def callback_text(callback: Callback) -> str:
    """`line 8 (+1415…): asked 'tomorrow at 5pm': Wed 02 Dec 17:00 PST` (their time)."""
    head = f"line {callback.line} ({callback.to_number or '-'})"
    if callback.detail:
        return f"{head}: {callback.detail}"
    at = callback.at.astimezone().strftime("%a %d %b %H:%M %Z") if callback.at else "?"
    return f"{head} at {at}"


def add_goal_rows(
    work: Table,
    goal: GoalFigures | None,
    spend: SpendFigures | None,
    callbacks_waiting: int,
    callbacks: list[Callback],
) -> None:
    if goal is not None:
        work.add_row("Goal", goal_text(goal))
    if spend is not None:
        work.add_row("Spend", spend_text(spend))
    if callbacks_waiting:
        shown = "\n".join(callback_text(c) for c in callbacks)
        more = callbacks_waiting - len(callbacks)
        if more > 0:
            shown += f"\n… and {more} more"
        work.add_row(f"Callbacks due ({callbacks_waiting})", shown)
