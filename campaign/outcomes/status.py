"""Where a campaign stands right now, read from the store alone.

Works while a runner writes in another process (one read transaction, SQLite WAL), after it
finished, and after a crash: a `running` campaign whose runner stopped heart-beating (or whose
process is gone) is reported as `interrupted`, with the command that resumes it. On
PostgreSQL several runners may share a campaign: each live one is listed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.calls.vocab import (
    PLACED_CALLS,
    AttemptStatus,
    CampaignState,
    ContactState,
    EndSource,
    StopReason,
)
from campaign.clock import Clock, SystemClock
from campaign.outcomes.calendar_status import CalendarStatus, calendar_status
from campaign.outcomes.commands import resume_command
from campaign.outcomes.goals import (
    Callback,
    GoalFigures,
    SpendFigures,
    callbacks_due,
    goal_figures,
    spend_figures,
)
from campaign.outcomes.waiting import Waiting, waiting_counts
from campaign.store.db import Database
from campaign.store.inbox import WebhookStats, webhook_stats
from campaign.store.models import Attempt, Campaign, Event
from campaign.store.queries import find_campaign, list_campaigns, outcome_counts, state_counts
from campaign.store.rehearsals import is_rehearsal
from campaign.store.runners import LiveRunner, holder_is_alive, live_runners


@dataclass(frozen=True)
class Stop:
    """Why the campaign's last run ended (`StopReason`), what happened, and the fix."""

    reason: str
    words: str
    detail: str | None
    fix: str | None

    @classmethod
    def of(cls, reason: StopReason, detail: str | None = None) -> Stop:
        return cls(reason=reason.value, words=reason.words, detail=detail, fix=reason.fix)


@dataclass(frozen=True)
class Runner:
    owner: str
    pid: int | None
    host: str | None
    heartbeat_at: datetime | None
    alive: bool


@dataclass(frozen=True)
class CampaignStatus:
    name: str
    state: str  # running / paused / interrupted / finished / canceled / ready
    stored_state: str
    as_of: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    elapsed_s: float | None
    source_name: str | None
    contacts: int
    outcomes: dict[str, int]  # contacts by outcome; not final yet = "pending"
    contact_states: dict[str, int]  # by ContactState, every one (zeros too)
    calls_in_progress: int  # placed, not ended yet
    unresolved_requests: int  # dial requests without a certain answer (intent / unknown)
    ready_to_dial: int  # queued and due now
    waiting: list[Waiting]
    attempts_used: int  # placed calls
    max_attempts: int | None
    requests_used: int
    rate_limited: int
    requested_action: str | None
    runner: Runner | None
    resume_command: str | None
    #: Why the last run ended; None while running (or before the first run).
    stop: Stop | None = None
    #: Dials by AttemptStatus, every one (zeros too).
    attempt_statuses: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    #: PostgreSQL: every live runner of the campaign (id, host, pid, heartbeat, contacts held).
    runners: list[LiveRunner] = field(default_factory=list)
    #: Voicy webhooks received (this campaign's deliveries, the database's refusals); None
    #: while the database never received one.
    webhooks: WebhookStats | None = None
    #: `--goal`: {var, value, reached, connected, rate}; None without a goal.
    goal: GoalFigures | None = None
    #: Recorded spend and the cap; None while no call has a cost and no cap is set.
    spend: SpendFigures | None = None
    #: Contacts waiting for a callback they asked for (all of them), and the first ones.
    callbacks_waiting: int = 0
    callbacks: list[Callback] = field(default_factory=list)
    #: Each country's schedule and next opening, for the contacts still to call (None: none
    #: left). See campaign.outcomes.calendar_status.
    calendar: CalendarStatus | None = None
    #: Ended calls by how the runner learned the end (EndSource: webhook / polled /
    #: fetched), every one (zeros too).
    results_by_source: dict[str, int] = field(default_factory=dict)
    #: While a running campaign's runner finds the Voicy API unavailable: since when.
    api_down_since: datetime | None = None

    @property
    def finished(self) -> bool:
        return CampaignState(self.state).ended

    @property
    def rehearsal(self) -> bool:
        """Run with --simulate: simulated calls on a compressed clock."""
        return is_rehearsal(self.settings)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601 with offset)."""
        data = {**asdict(self), "rehearsal": self.rehearsal}
        data["goal"] = self.goal.to_json() if self.goal is not None else None
        data["spend"] = self.spend.to_json() if self.spend is not None else None
        return _jsonable(data)


@dataclass(frozen=True)
class CampaignSummary:
    """One line of `list`."""

    name: str
    state: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    source_name: str | None
    contacts: int
    outcomes: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def effective_state(campaign: Campaign, now: datetime, *, team: bool = False) -> str:
    """The stored state, except a `running` campaign without a live runner is interrupted.

    `team`: live runners are registered (PostgreSQL), whoever holds the lock.
    """
    if campaign.state == CampaignState.RUNNING and not team and not holder_is_alive(campaign, now):
        return CampaignState.INTERRUPTED
    return campaign.state


def stop_of(campaign: Campaign, state: str) -> Stop | None:
    """Why the campaign's last run ended: as stored, or its runner gone (a `running`
    campaign read as interrupted)."""
    if state == CampaignState.RUNNING:
        return None
    stored = StopReason.read(campaign.stop_reason)
    if stored is not None:
        return Stop.of(stored, campaign.stop_detail)
    if campaign.state == CampaignState.RUNNING and state == CampaignState.INTERRUPTED:
        return Stop.of(StopReason.RUNNER_GONE)
    return None


def campaign_status(
    db: Database,
    name: str | None = None,
    *,
    clock: Clock | None = None,
    db_argument: str | None = None,
) -> CampaignStatus:
    """A snapshot of campaign `name` (default: the newest).

    `db_argument` is the `--db` the user gave, repeated in the resume command.
    """
    now = (clock or SystemClock()).now()
    with db.read_session() as session, session.begin():
        campaign = find_campaign(session, name)
        return _snapshot(session, campaign, now, db_argument)


def campaign_summaries(db: Database, *, clock: Clock | None = None) -> list[CampaignSummary]:
    """Every campaign in the store, newest first, with its contacts by outcome."""
    now = (clock or SystemClock()).now()
    with db.read_session() as session, session.begin():
        summaries = []
        for campaign in list_campaigns(session):
            outcomes = outcome_counts(session, campaign.id)
            summaries.append(
                CampaignSummary(
                    name=campaign.name,
                    state=effective_state(
                        campaign, now, team=bool(live_runners(session, campaign.id))
                    ),
                    created_at=campaign.created_at,
                    started_at=campaign.started_at,
                    finished_at=campaign.finished_at,
                    source_name=campaign.source_name,
                    contacts=sum(outcomes.values()),
                    outcomes=outcomes,
                )
            )
        return summaries


def _snapshot(
    session: Session, campaign: Campaign, now: datetime, db_argument: str | None
) -> CampaignStatus:
    team = live_runners(session, campaign.id)
    state = effective_state(campaign, now, team=bool(team))
    outcomes = outcome_counts(session, campaign.id)
    attempts = _attempts_by_state(session, campaign.id)
    ready, waiting = waiting_counts(session, campaign, now)
    settings = dict(campaign.settings or {})
    ended = CampaignState(state).ended
    end = campaign.finished_at if ended and campaign.finished_at else now
    runner = None
    if campaign.lock_owner:
        runner = Runner(
            owner=campaign.lock_owner,
            pid=campaign.lock_pid,
            host=campaign.lock_host,
            heartbeat_at=campaign.lock_heartbeat_at,
            alive=holder_is_alive(campaign, now),
        )
    elif team:
        first = team[0]
        runner = Runner(first.id, first.pid, first.host, first.heartbeat_at, alive=True)
    max_attempts = settings.get("max_attempts")
    webhooks = webhook_stats(session, campaign.id)
    callbacks_waiting, callbacks = callbacks_due(session, campaign.id)
    return CampaignStatus(
        name=campaign.name,
        state=state,
        stored_state=campaign.state,
        as_of=now,
        created_at=campaign.created_at,
        started_at=campaign.started_at,
        finished_at=campaign.finished_at,
        elapsed_s=(end - campaign.started_at).total_seconds() if campaign.started_at else None,
        source_name=campaign.source_name,
        contacts=sum(outcomes.values()),
        outcomes=outcomes,
        contact_states=_every(ContactState, state_counts(session, campaign.id)),
        attempt_statuses=_every(AttemptStatus, attempts),
        calls_in_progress=attempts.get(AttemptStatus.PLACED, 0),
        unresolved_requests=attempts.get(AttemptStatus.INTENT, 0)
        + attempts.get(AttemptStatus.UNKNOWN, 0),
        ready_to_dial=ready,
        waiting=waiting,
        attempts_used=sum(attempts.get(state, 0) for state in PLACED_CALLS),
        max_attempts=int(max_attempts) if isinstance(max_attempts, int | float) else None,
        requests_used=campaign.requests_used or 0,
        rate_limited=campaign.rate_limited or 0,
        requested_action=campaign.requested_action,
        runner=runner,
        resume_command=None if ended else resume_command(campaign.name, db_argument),
        stop=stop_of(campaign, state),
        settings=settings,
        runners=team,
        webhooks=webhooks if webhooks.any else None,
        goal=goal_figures(session, campaign.id, settings, outcomes),
        spend=spend_figures(session, campaign.id, settings, outcomes),
        callbacks_waiting=callbacks_waiting,
        callbacks=callbacks,
        calendar=None if ended else calendar_status(session, campaign.id, settings, now),
        results_by_source=_every(EndSource, _ends_by_source(session, campaign.id)),
        api_down_since=_api_down_since(session, campaign.id) if state == "running" else None,
    )


def _ends_by_source(session: Session, campaign_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Attempt.ended_by, func.count())
        .where(Attempt.campaign_id == campaign_id, Attempt.ended_by.is_not(None))
        .group_by(Attempt.ended_by)
    ).all()
    return {str(source): int(count) for source, count in rows}


def _api_down_since(session: Session, campaign_id: int) -> datetime | None:
    """When the API outage the runner reported began, unless it reported it over."""
    last = session.execute(
        select(Event.kind, Event.data, Event.at)
        .where(Event.campaign_id == campaign_id, Event.kind.in_(("api_down", "api_back")))
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    if last is None or last.kind != "api_down":
        return None
    since = (last.data or {}).get("since")
    return datetime.fromisoformat(since) if isinstance(since, str) else last.at


def _attempts_by_state(session: Session, campaign_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Attempt.state, func.count())
        .where(Attempt.campaign_id == campaign_id)
        .group_by(Attempt.state)
    ).all()
    return {str(state): int(count) for state, count in rows}


def _every(vocabulary: type[StrEnum], counts: dict[str, int]) -> dict[str, int]:
    """Counts for every member of the enum, in its order (and any value it does not know)."""
    known = {member.value: counts.get(member.value, 0) for member in vocabulary}
    return known | {key: count for key, count in counts.items() if key not in known}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
