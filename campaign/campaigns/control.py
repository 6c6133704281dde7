"""Pausing and canceling a campaign, whoever is running it.

With a live runner (another process, found through the campaign's lock), these only set
`campaigns.requested_action`: the runner polls it every second, stops dialing, follows its
calls in progress to their end and writes the final state itself. Without one, the state
changes here, directly. A contact with an open attempt (intent / placed / unknown) is never
touched: only a runner can tell whether that call happened, so it stays for `resume`.

Both writes are conditional on the lock holder seen when deciding: if a runner takes the
campaign at that very moment, the request goes to the runner instead. On PostgreSQL the live
runners are the registered ones whose lease has not run out; every one of them obeys.
Never a duplicate dial (a canceled contact cannot be claimed, the engine claims only queued
contacts) and never a lost outcome (open attempts are left alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.calls import runs
from campaign.calls.vocab import OPEN_ATTEMPTS, Action, CampaignState
from campaign.clock import Clock, SystemClock
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import Attempt, Campaign
from campaign.store.queries import find_campaign
from campaign.store.runners import LiveRunner, holder_is_alive, live_runners

PAUSE = Action.PAUSE
CANCEL = Action.CANCEL

#: What happened: the live runner was asked, the state changed here, or nothing to do.
REQUESTED = "requested"
APPLIED = "applied"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ControlResult:
    campaign: str
    action: str  # pause | cancel
    result: str  # requested | applied | unchanged
    state: str  # the campaign's stored state after this call
    message: str  # one line for people
    canceled: int = 0  # contacts marked canceled here
    open_attempts: int = 0  # calls whose outcome only a resume can record
    runner_pid: int | None = None
    runner_host: str | None = None


def pause_campaign(
    db: Database, name: str | None = None, *, clock: Clock | None = None
) -> ControlResult:
    """Pause campaign `name` (default: the newest unfinished one)."""
    return _control(db, name, PAUSE, (clock or SystemClock()).now())


def cancel_campaign(
    db: Database, name: str | None = None, *, clock: Clock | None = None
) -> ControlResult:
    """Cancel campaign `name` (default: the newest unfinished one); it cannot be resumed."""
    return _control(db, name, CANCEL, (clock or SystemClock()).now())


def _control(db: Database, name: str | None, action: Action, now: datetime) -> ControlResult:
    with db.session() as session:
        campaign = find_campaign(session, name, unfinished_only=name is None)
        _refuse_finished(campaign, action)
        if holder_is_alive(campaign):
            return _request(session, campaign, action, now)
        team = live_runners(session, campaign.id)
        if team:
            return _request(session, campaign, action, now, team)
        # The first write takes SQLite's write lock; it is conditional on the lock holder we
        # judged dead (or none), so a runner taking the campaign meanwhile makes it match
        # nothing, and no runner can take it until this transaction ends.
        seized = runs.seize(session, campaign.id, campaign.lock_owner)
        session.refresh(campaign)  # read again under the write lock
        if not seized:
            return _request(session, campaign, action, now)
        _refuse_finished(campaign, action)  # a runner may have finished it meanwhile
        if action is PAUSE:
            return _pause_directly(session, campaign, now)
        return _cancel_directly(session, campaign, now)


def _refuse_finished(campaign: Campaign, action: Action) -> None:
    if campaign.state == CampaignState.FINISHED:
        raise InputError(
            f"campaign {campaign.name!r} is finished: every contact has a final outcome, "
            f"there is nothing to {action}"
        )
    if campaign.state == CampaignState.CANCELED and action is PAUSE:
        raise InputError(f"campaign {campaign.name!r} was canceled; there is nothing to pause")


def _request(
    session: Session,
    campaign: Campaign,
    action: Action,
    now: datetime,
    team: list[LiveRunner] | None = None,
) -> ControlResult:
    runs.ask(session, campaign, action, now)
    pid, host = campaign.lock_pid, campaign.lock_host
    runner = f"pid {pid} on {host}"
    if team:
        pid, host = team[0].pid, team[0].host
        others = f" and {len(team) - 1} more" if len(team) > 1 else ""
        runner = f"pid {pid} on {host}{others}"
    then = (
        "leaves the campaign paused"
        if action is PAUSE
        else "marks every contact not yet called canceled"
    )
    return ControlResult(
        campaign=campaign.name,
        action=action,
        result=REQUESTED,
        state=campaign.state,
        message=(
            f"{action} requested: the runner ({runner}) stops dialing within a second, "
            f"follows its calls in progress to their end, then {then}"
        ),
        runner_pid=pid,
        runner_host=host,
    )


def _pause_directly(session: Session, campaign: Campaign, now: datetime) -> ControlResult:
    resume = f"`python -m campaign resume {campaign.name}`"
    if campaign.state == CampaignState.PAUSED:
        return ControlResult(
            campaign=campaign.name,
            action=PAUSE,
            result=UNCHANGED,
            state=CampaignState.PAUSED,
            message=f"campaign {campaign.name} is already paused; continue with {resume}",
        )
    runs.pause_now(session, campaign, now)
    return ControlResult(
        campaign=campaign.name,
        action=PAUSE,
        result=APPLIED,
        state=CampaignState.PAUSED,
        message=f"campaign {campaign.name} paused (no runner was working on it); "
        f"continue with {resume}",
    )


def _cancel_directly(session: Session, campaign: Campaign, now: datetime) -> ControlResult:
    if campaign.state == CampaignState.CANCELED:
        return ControlResult(
            campaign=campaign.name,
            action=CANCEL,
            result=UNCHANGED,
            state=CampaignState.CANCELED,
            message=f"campaign {campaign.name} is already canceled",
        )
    open_calls = _open_attempt_contacts(session, campaign.id)
    marked = runs.cancel_now(session, campaign, now, open_calls)
    if open_calls:
        # Only a runner can learn those calls' outcomes: the campaign stays resumable.
        return ControlResult(
            campaign=campaign.name,
            action=CANCEL,
            result=APPLIED,
            state=campaign.state,
            canceled=marked,
            open_attempts=open_calls,
            message=(
                f"{marked} contacts of {campaign.name} marked canceled; {open_calls} had a "
                "call whose outcome is not recorded yet: `python -m campaign resume "
                f"{campaign.name}` records it and then finishes the cancel, dialing no one"
            ),
        )
    return ControlResult(
        campaign=campaign.name,
        action=CANCEL,
        result=APPLIED,
        state=CampaignState.CANCELED,
        canceled=marked,
        message=f"campaign {campaign.name} canceled: {marked} contacts not yet final "
        "are marked canceled",
    )


def _open_attempt_contacts(session: Session, campaign_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(func.distinct(Attempt.contact_id))).where(
                Attempt.campaign_id == campaign_id, Attempt.state.in_(OPEN_ATTEMPTS)
            )
        )
        or 0
    )
