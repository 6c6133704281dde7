"""What the campaign pages show, as display strings computed once for HTML and live JSON.

The page renders `live[key]` into an element marked `data-live="key"`, and the page's script
later sets the same element's text to the same key of the live JSON: the first paint and
every update come from one function, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from campaign import formats
from campaign.calls.tally import Tally, tally
from campaign.calls.vocab import (
    CONNECTED_OUTCOMES,
    CampaignState,
    Outcome,
    WaitReason,
    connected_count,
)
from campaign.i18n import format_number, gettext_, word
from campaign.outcomes.goals_view import goal_text, spend_text
from campaign.outcomes.status import CampaignStatus, CampaignSummary
from campaign.outcomes.status_view import OUTCOME_ORDER, sources_text, webhook_text
from campaign.rules.calendar import country_of_number
from campaign.rules.words import detail_words
from campaign.web.contact_queries import ContactLine
from campaign.web.lookup import CampaignRef
from campaign.web.settings_words import SettingRow, settings_rows
from campaign.web.templating import DASH, instant_text, iso, number, percent, relative_text

#: States in which the buttons make sense.
PAUSABLE = ("running", "ready", "interrupted")
CANCELABLE = ("running", "ready", "interrupted", "paused")


def percent_done(progress: Tally) -> str:
    return percent(progress.done, progress.total) if progress.total else "100%"


def progress_text(progress: Tally) -> str:
    """`3 of 20 people done (15%)`, in the current language (the page's script fills the
    same words from the live counts)."""
    return gettext_("{done} of {total} people done ({percent})").format(
        done=number(progress.done), total=number(progress.total), percent=percent_done(progress)
    )


def eta_of(state: str, elapsed_s: float | None, progress: Tally, now: datetime) -> datetime | None:
    """When a running campaign should end at its pace so far (see `campaign.calls.tally`)."""
    seconds = progress.eta_seconds(elapsed_s)
    if state != CampaignState.RUNNING or not seconds:
        return None
    return now + timedelta(seconds=seconds)


def eta_text(eta: datetime | None, now: datetime) -> str:
    if eta is None:
        return DASH
    left = formats.duration((eta - now).total_seconds())
    return gettext_("about %(left)s (%(at)s)") % {"left": left, "at": instant_text(eta)}


@dataclass(frozen=True)
class CampaignView:
    ref: CampaignRef
    status: CampaignStatus
    progress: Tally
    live: dict[str, str]
    next_up: list[ContactLine] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.status.state

    @property
    def _asked(self) -> str | None:
        """The action a live runner was asked for and has not done yet."""
        return self.status.requested_action if self.state == "running" else None

    @property
    def can_pause(self) -> bool:
        return self.state in PAUSABLE and self._asked is None

    @property
    def can_cancel(self) -> bool:
        return self.state in CANCELABLE and self._asked != "cancel"

    @property
    def charts_version(self) -> str:
        return f"{self.status.attempts_used}-{self.progress.done}-{self.state}"

    @property
    def settings(self) -> list[SettingRow]:
        return settings_rows(self.status.settings)

    @property
    def flags(self) -> dict[str, bool]:
        """What the page shows or hides (`data-show-if`)."""
        return {
            "can_pause": self.can_pause,
            "can_cancel": self.can_cancel,
            "resumable": self.state in ("paused", "interrupted")
            and self.status.resume_command is not None,
            "nobody_waits": not self.next_up,
            "running": self.state == "running",
            "ended": self.status.finished,
            "stopped": bool(self.live.get("stop_reason")),
            "fixable": bool(self.live.get("stop_fix")),
        }

    def next_up_items(self) -> list[dict[str, str]]:
        return [
            {
                "url": f"{self.ref.url}/contacts/{row.id}",
                "name": row.name or gettext_("line %(line)s") % {"line": row.line},
                "phone": row.to_number or "",
                "why": _why(row),
                "due": f"{instant_text(row.next_attempt_at)} "
                f"({relative_text(row.next_attempt_at, self.status.as_of)})",
            }
            for row in self.next_up
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "live": self.live,
            "progress": {"done": self.progress.done, "total": max(1, self.progress.total)},
            "flags": self.flags,
            "charts_version": self.charts_version,
            "next_up": self.next_up_items(),
        }


def _why(row: ContactLine) -> str:
    """`waiting for their calling window: holiday (Yom Kippur)`, in the page's words."""
    words = word(wait_words(row.wait_reason))
    if not row.wait_detail:
        return words
    country = country_of_number(row.to_number) if row.to_number else None
    return f"{words}: {detail_words(row.wait_detail, country)}"


def wait_words(reason: str | None) -> str:
    """A stored wait reason for people (one this version does not know: as stored)."""
    known = {r.value: r for r in WaitReason}
    return known[reason].words if reason in known else (reason or "waiting")


def campaign_view(
    ref: CampaignRef, status: CampaignStatus, next_up: list[ContactLine]
) -> CampaignView:
    return CampaignView(
        ref=ref,
        status=status,
        progress=tally(status.outcomes),
        live=live_fields(status),
        next_up=next_up,
    )


def live_fields(status: CampaignStatus) -> dict[str, str]:
    now = status.as_of
    progress = tally(status.outcomes)
    stop = status.stop
    fields = {
        "state": status.state,
        "state_note": _state_note(status),
        "stop_reason": word(stop.words) if stop else "",
        "stop_detail": stop.detail or "" if stop else "",
        "stop_fix": word(stop.fix) if stop and stop.fix and not status.finished else "",
        "progress": progress_text(progress),
        "percent": percent_done(progress),
        "contacts": number(status.contacts),
        "calls_in_progress": number(status.calls_in_progress),
        "unresolved": number(status.unresolved_requests),
        "ready": number(status.ready_to_dial),
        "attempts_used": number(status.attempts_used),
        "max_attempts": number(status.max_attempts) if status.max_attempts else DASH,
        "requests": number(status.requests_used),
        "requests_per_minute": _per_minute(status),
        "rate_limit": _rate_limit(status.settings),
        "rate_limited": number(status.rate_limited),
        "webhooks": webhook_text(
            status.webhooks, now, lambda at: f"{instant_text(at)}, {relative_text(at, now)}"
        ),
        "ends_learned": sources_text(status.results_by_source),
        "eta": eta_text(eta_of(status.state, status.elapsed_s, progress, now), now),
        "runner": _runner(status),
        "started": instant_text(status.started_at),
        "finished": instant_text(status.finished_at) if status.finished else DASH,
        "elapsed": formats.duration(status.elapsed_s),
        "as_of": instant_text(now),
        "as_of_iso": iso(now),
        "resume_command": status.resume_command or "",
        "goal": goal_text(status.goal) if status.goal is not None else "",
        "spend": spend_text(status.spend) if status.spend is not None else "",
        "callbacks": _callbacks(status),
    }
    for name in outcome_names(status.outcomes):
        fields[f"outcome.{name}"] = number(status.outcomes.get(name, 0))
    waiting = {w.reason: w for w in status.waiting}
    for reason in WaitReason:
        found = waiting.get(reason)
        fields[f"waiting.{reason}"] = number(found.count if found else 0)
        fields[f"waiting.{reason}.next"] = (
            f"{instant_text(found.next_due)} ({relative_text(found.next_due, now)})"
            if found and found.next_due
            else DASH
        )
        fields[f"waiting.{reason}.detail"] = detail_words(found.detail) if found else ""
    return fields


def _callbacks(status: CampaignStatus) -> str:
    if not status.callbacks_waiting:
        return ""
    first = status.callbacks[0] if status.callbacks else None
    words = {"count": number(status.callbacks_waiting)}
    if first is None or not first.at:
        return gettext_("%(count)s asked to be called back") % words
    return gettext_("%(count)s asked to be called back; the first %(at)s") % {
        **words,
        "at": instant_text(first.at),
    }


def outcome_names(outcomes: Mapping[str, int]) -> list[str]:
    """Every outcome in display order (zeros too, so a live update has a place to land)."""
    return list(OUTCOME_ORDER) + sorted(set(outcomes) - set(OUTCOME_ORDER))


def _state_note(status: CampaignStatus) -> str:
    if status.api_down_since is not None:
        return gettext_(
            "API unavailable since %(since)s: the runner is not dialing and retries by itself"
        ) % {"since": instant_text(status.api_down_since)}
    action = status.requested_action
    if status.state != "running" or action not in ("pause", "cancel"):
        return ""
    if action == "pause":
        return gettext_(
            "pause requested: the runner stops dialing and finishes the calls in progress"
        )
    return gettext_("cancel requested: the runner stops dialing and finishes the calls in progress")


def _per_minute(status: CampaignStatus) -> str:
    if not status.elapsed_s or not status.requests_used:
        return DASH
    minutes = max(1.0, status.elapsed_s / 60)
    return format_number(status.requests_used / minutes)


def _rate_limit(settings: Mapping[str, Any]) -> str:
    rate = settings.get("rate")
    return format_number(rate) if isinstance(rate, int) else DASH


def _runner(status: CampaignStatus) -> str:
    runner = status.runner
    if runner is None or status.finished:
        return gettext_("none")
    beat = (
        relative_text(runner.heartbeat_at, status.as_of)
        if runner.heartbeat_at
        else gettext_("never")
    )
    words = (
        gettext_("pid %(pid)s on %(host)s, working (last heartbeat %(beat)s)")
        if runner.alive
        else gettext_("pid %(pid)s on %(host)s, gone (last heartbeat %(beat)s)")
    )
    return words % {"pid": runner.pid, "host": formats.isolated(runner.host or "?"), "beat": beat}


@dataclass(frozen=True)
class ListRow:
    id: int
    summary: CampaignSummary
    progress: Tally
    live: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.summary.state,
            "live": self.live,
            "progress": {"done": self.progress.done, "total": max(1, self.progress.total)},
        }


def list_row(campaign_id: int, summary: CampaignSummary, now: datetime) -> ListRow:
    progress = tally(summary.outcomes)
    elapsed = (now - summary.started_at).total_seconds() if summary.started_at else None
    eta = eta_of(summary.state, elapsed, progress, now)
    counts = summary.outcomes
    shown = (*CONNECTED_OUTCOMES, Outcome.FAILED, Outcome.PENDING)
    main = sum(counts.get(name, 0) for name in shown)
    live = {
        "state": summary.state,
        "percent": percent_done(progress),
        "progress": progress_text(progress),
        "connected": number(connected_count(counts)),
        "failed": number(counts.get(Outcome.FAILED, 0)),
        "pending": number(counts.get(Outcome.PENDING, 0)),
        "other": number(summary.contacts - main),
        "eta": eta_text(eta, now),
    }
    return ListRow(id=campaign_id, summary=summary, progress=progress, live=live)
