"""Status and campaign list as rich renderables for a terminal: one screen, plain words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from campaign.calls.vocab import (
    AttemptStatus,
    CampaignState,
    ContactState,
    EndSource,
    Outcome,
    WaitReason,
    connected_count,
)
from campaign.durations import format_duration
from campaign.i18n import format_number, gettext_
from campaign.localtime import local_text
from campaign.outcomes.calendar_status import CalendarStatus
from campaign.outcomes.goals_view import add_goal_rows
from campaign.outcomes.status import CampaignStatus, CampaignSummary
from campaign.store.inbox import WebhookStats

STATE_STYLES: dict[str, str] = {
    CampaignState.RUNNING: "bold green",
    CampaignState.PAUSED: "bold yellow",
    CampaignState.INTERRUPTED: "bold red",
    CampaignState.FINISHED: "bold blue",
    CampaignState.CANCELED: "bold magenta",
    CampaignState.READY: "bold cyan",
}
OUTCOME_STYLES: dict[str, str] = {
    Outcome.GOAL_REACHED: "bold green",
    Outcome.NO_GOAL: "green",
    Outcome.CONNECTED: "green",
    Outcome.FAILED: "red",
    Outcome.PENDING: "cyan",
    Outcome.INVALID: "yellow",
    Outcome.DUPLICATE: "magenta",
    Outcome.DNC: "bright_black",
    Outcome.CANCELED: "bright_black",
    Outcome.UNKNOWN: "bold yellow",
}
#: Outcomes in the order people read them (the enum's).
OUTCOME_ORDER: tuple[str, ...] = tuple(outcome.value for outcome in Outcome)
#: What each wait reason means, for people.
WAIT_WORDS: dict[str, str] = {reason.value: reason.words for reason in WaitReason}


REHEARSAL_WORDS = (
    "simulated calls, nobody was called; its times are on the simulator's compressed "
    "clock, which runs ahead of real time"
)


def local_time(at: datetime | None) -> str:
    """`2026-01-05 17:07 IST`: in this machine's time zone, named."""
    return local_text(at)


def relative(at: datetime, now: datetime) -> str:
    seconds = (at - now).total_seconds()
    if abs(seconds) < 1:
        return "now"
    return f"in {format_duration(seconds)}" if seconds > 0 else f"{format_duration(-seconds)} ago"


def ordered_outcomes(counts: dict[str, int]) -> list[tuple[str, int]]:
    known = [(name, counts[name]) for name in OUTCOME_ORDER if counts.get(name)]
    return known + sorted((k, v) for k, v in counts.items() if k not in OUTCOME_ORDER and v)


def render_status(status: CampaignStatus) -> RenderableType:
    now = status.as_of
    state = Text(status.state, style=STATE_STYLES.get(status.state, "bold"))
    if status.requested_action:
        state.append(f"  ({status.requested_action} requested)", style="yellow")
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("Campaign", status.name)
    head.add_row("State", state)
    if status.rehearsal:
        head.add_row("Rehearsal", REHEARSAL_WORDS)
    if status.stop is not None:
        stop = status.stop
        head.add_row("Last run", stop.words + (f": {stop.detail}" if stop.detail else ""))
        if stop.fix and not status.finished:
            head.add_row("To fix", stop.fix)
    if status.api_down_since is not None:
        head.add_row(
            "Voicy API",
            Text(
                f"unavailable since {local_time(status.api_down_since)}: not dialing, "
                "retrying by itself",
                style="bold red",
            ),
        )
    if status.source_name:
        head.add_row("List", status.source_name)
    if status.started_at:
        elapsed = format_duration(status.elapsed_s or 0)
        head.add_row("Started", f"{local_time(status.started_at)} (elapsed {elapsed})")
    else:
        head.add_row("Started", "not yet")
    if status.finished_at and status.finished:
        head.add_row("Ended", local_time(status.finished_at))
    if len(status.runners) > 1 or (status.runners and status.runners[0].held):
        head.add_row("Runners", _runners_table(status))
    elif status.runner and status.state not in ("finished", "canceled"):
        runner = status.runner
        beat = relative(runner.heartbeat_at, now) if runner.heartbeat_at else "never"
        alive = "alive" if runner.alive else "gone"
        head.add_row("Runner", f"pid {runner.pid} on {runner.host}, {alive} (heartbeat {beat})")

    outcomes = Table(title="Contacts by outcome", title_justify="left", box=None)
    outcomes.add_column("outcome")
    outcomes.add_column("contacts", justify="right")
    outcomes.add_column("share", justify="right")
    total = max(1, status.contacts)
    for name, count in ordered_outcomes(status.outcomes):
        outcomes.add_row(
            Text(name, style=OUTCOME_STYLES.get(name, "")), str(count), f"{count / total:.0%}"
        )
    outcomes.add_row(Text("total", style="bold"), str(status.contacts), "")

    work = Table.grid(padding=(0, 2))
    work.add_column(style="bold")
    work.add_column()
    work.add_row("Contacts", _counted(status.contact_states, ContactState))
    work.add_row("Dials", _counted(status.attempt_statuses, AttemptStatus))
    work.add_row("Calls in progress", str(status.calls_in_progress))
    if status.unresolved_requests:
        work.add_row(
            "Unresolved dials",
            f"{status.unresolved_requests} (resume checks them before dialing anyone again)",
        )
    work.add_row("Ready to dial", str(status.ready_to_dial))
    for waiting in status.waiting:
        due = (
            f", next {local_time(waiting.next_due)} ({relative(waiting.next_due, now)})"
            if waiting.next_due
            else ""
        )
        if waiting.detail:
            due += f": {waiting.detail}"
        words = WAIT_WORDS.get(waiting.reason, f"waiting ({waiting.reason})")
        work.add_row(words.capitalize(), f"{waiting.count}{due}")
    limit = f" (up to {status.max_attempts} per contact)" if status.max_attempts else ""
    work.add_row("Calls placed", f"{status.attempts_used}{limit}")
    work.add_row("API requests", f"{status.requests_used} ({status.rate_limited} rate-limited)")
    if status.webhooks is not None:
        work.add_row("Webhooks", webhook_text(status.webhooks, now))
    if any(status.results_by_source.values()):
        work.add_row("Ends learned", sources_text(status.results_by_source))
    add_goal_rows(
        work, status.goal, status.spend, status.callbacks_waiting, status.callbacks
    )  # fmt: skip

    parts: list[RenderableType] = [head, Text(""), outcomes, Text(""), work]
    if status.calendar is not None and status.calendar.countries:
        parts += [Text(""), render_calendar(status.calendar, now)]
    if status.resume_command and status.state != "running":
        parts += [Text(""), Text.assemble(("To resume: ", "bold"), status.resume_command)]
    return Group(*parts)


def render_calendar(calendar: CalendarStatus, now: datetime) -> RenderableType:
    """Each country's schedule and when it opens next, for the contacts still to call."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for country in calendar.countries:
        count = f"{country.contacts:,} to call"
        text = Text(f"{country.schedule} ({country.source}); {country.holidays}")
        if country.open_now:
            text.append("; open now", style="green")
        elif country.next_opening is not None:
            opens = f"{local_time(country.next_opening)} ({relative(country.next_opening, now)})"
            text.append(f"; closed now: {country.closed_because}, opens {opens}", style="yellow")
        else:
            text.append(f"; never opens: {country.closed_because}", style="bold red")
        table.add_row(f"{country.country} ({count})", text)
    if calendar.other_countries:
        table.add_row("", calendar.other_countries)
    return Group(Text("Calling calendar, in each recipient's local time", style="bold"), table)


def _counted(counts: dict[str, int], vocabulary: type[ContactState | AttemptStatus]) -> str:
    """`3 waiting for a dial, 10 final`: each member of the enum with a count, in order."""
    parts = [f"{counts[m.value]} {m.words}" for m in vocabulary if counts.get(m.value)]
    return ", ".join(parts) or "none"


def sources_text(by_source: dict[str, int]) -> str:
    """`12 from webhooks, 30 polled, 1 fetched`: ended calls by how their end was learned,
    in the language `campaign.i18n` renders in (English for the terminal)."""
    parts = [
        gettext_(SOURCE_WORDS.get(source, "%(count)s " + source.value))
        % {"count": format_number(by_source.get(source.value, 0))}
        for source in EndSource
        if by_source.get(source.value)
    ]
    return ", ".join(parts) or gettext_("none yet")


SOURCE_WORDS = {
    EndSource.WEBHOOK: "%(count)s from webhooks",
    EndSource.POLLED: "%(count)s polled (call-list)",
    EndSource.FETCHED: "%(count)s fetched (call-get)",
}


def webhook_text(
    stats: WebhookStats | None, now: datetime, when: Callable[[datetime], str] | None = None
) -> str:
    """`12 received (last 2026-01-05 16:07, 3s ago) · 2 refused: bad signature ...`;
    `when` formats an instant (default: this terminal's time zone and how long ago)."""
    if stats is None:
        return gettext_("none received (results come from polling)")
    count = format_number
    parts = [gettext_("%(count)s received") % {"count": count(stats.delivered)}]
    if stats.last_delivery_at is not None:
        last = stats.last_delivery_at
        shown = when(last) if when else f"{local_time(last)}, {relative(last, now)}"
        parts[0] += " " + gettext_("(last %(when)s)") % {"when": shown}
    if stats.refused_signature:
        parts.append(
            gettext_("%(count)s refused: bad signature (check the secret)")
            % {"count": count(stats.refused_signature)}
        )
    if stats.refused_other:
        parts.append(
            gettext_("%(count)s refused: not a call_ended or too large")
            % {"count": count(stats.refused_other)}
        )
    if stats.unknown_call:
        parts.append(
            gettext_("%(count)s for calls not placed from this database")
            % {"count": count(stats.unknown_call)}
        )
    return " · ".join(parts)


def _runners_table(status: CampaignStatus) -> Table:
    """Live runners sharing the campaign (PostgreSQL)."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("runner", "host", "pid", "heartbeat", "holds"):
        table.add_column(name, justify="right" if name in ("pid", "holds") else "left")
    for runner in status.runners:
        table.add_row(
            runner.id.rsplit(":", 1)[-1],
            runner.host,
            str(runner.pid),
            relative(runner.heartbeat_at, status.as_of),
            str(runner.held),
        )
    return table


_COUNTS = ("rows", "connected", "failed", "pending", "other")


def render_campaign_list(
    summaries: list[CampaignSummary], *, width: int | None = None
) -> RenderableType:
    """The campaigns as a table that fits `width` columns: headers and counts keep their
    width, the `created` column goes first when the screen is narrow (a default name holds
    the date already), and a long name wraps (80 columns once shortened every header to
    `ro… co…`)."""
    if not summaries:
        return Text("No campaigns in this database yet; start one with `python -m campaign run`.")
    created = [local_time(summary.created_at) for summary in summaries]
    longest = max(len(summary.name) for summary in summaries)
    counts = sum(len(name) for name in _COUNTS)
    columns = 3 + len(_COUNTS)
    needed = longest + len("interrupted") + len(created[0]) + counts + 2 * columns
    show_created = width is None or needed <= width
    table = Table(box=None, header_style="bold")
    table.add_column("campaign", overflow="fold", min_width=min(longest, 12))
    table.add_column("state", no_wrap=True, min_width=len("interrupted"))
    if show_created:
        table.add_column("created", no_wrap=True)
    for name in _COUNTS:
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    for summary, when in zip(summaries, created, strict=True):
        counts_of = summary.outcomes
        reached = connected_count(counts_of)
        main = reached + sum(counts_of.get(name, 0) for name in ("failed", "pending"))
        cells: list[RenderableType] = [
            summary.name,
            Text(summary.state, style=STATE_STYLES.get(summary.state, "")),
        ]
        if show_created:
            cells.append(when)
        cells += [
            str(summary.contacts),
            str(reached),
            str(counts_of.get("failed", 0)),
            str(counts_of.get("pending", 0)),
            str(summary.contacts - main),
        ]
        table.add_row(*cells)
    return table
