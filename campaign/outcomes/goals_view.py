"""The goal, spend and callback lines of `status` (see `campaign.outcomes.goals`)."""

from __future__ import annotations

from rich.table import Table

from campaign.formats import isolated
from campaign.i18n import format_number, gettext_
from campaign.outcomes.goals import Callback, GoalFigures, SpendFigures


def money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    return f"{amount:,.2f}" + (f" {currency}" if currency else "")


def goal_text(goal: GoalFigures) -> str:
    """`booked=yes: 3 of 10 people reached (30%)`, in the language `campaign.i18n` renders
    in (English for the terminal); the var is the agent's own (isolated as data)."""
    var = isolated(f"{goal.var}={goal.value}" if goal.value is not None else goal.var)
    what = var if goal.value is not None else gettext_("%(var)s is true") % {"var": var}
    if goal.rate is None:
        return gettext_("%(goal)s: nobody reached yet") % {"goal": what}
    return gettext_("%(goal)s: %(reached)s of %(connected)s people reached (%(rate)s)") % {
        "goal": what,
        "reached": format_number(goal.reached),
        "connected": format_number(goal.connected),
        "rate": f"{goal.rate:.0%}",
    }


def spend_text(spend: SpendFigures) -> str:
    c = spend.currency
    parts = [money(spend.total, c)]
    if spend.cap is not None:
        parts[0] = gettext_("%(spent)s of the %(cap)s cap") % {
            "spent": parts[0],
            "cap": money(spend.cap, c),
        }
    parts.append(gettext_("%(money)s a connected call") % {"money": money(spend.per_connected, c)})
    if spend.goals is not None:
        parts.append(gettext_("%(money)s a goal reached") % {"money": money(spend.per_goal, c)})
    if spend.projected_rest:
        parts.append(
            gettext_("about %(money)s more for the rest of the list")
            % {"money": money(spend.projected_rest, c)}
        )
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
