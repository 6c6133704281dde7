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

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaign.clock import Clock, SystemClock
from campaign.engine.lock import holder_is_alive
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import (
    CANCELED,
    FINISHED,
    OPEN_ATTEMPT_STATES,
    PAUSED,
    Attempt,
    Campaign,
)
from campaign.store.queries import add_event, cancel_waiting_contacts, find_campaign
from campaign.store.runners import LiveRunner, live_runners

PAUSE = "pause"
CANCEL = "cancel"

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


def _control(db: Database, name: str | None, action: str, now: datetime) -> ControlResult:
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
        seen = campaign.lock_owner
        owner_unchanged = (
            Campaign.lock_owner.is_(None) if seen is None else Campaign.lock_owner == seen
        )
        claimed = session.execute(
            update(Campaign)
            .where(Campaign.id == campaign.id, owner_unchanged)
            .values(requested_action=None)
            .execution_options(synchronize_session=False)
        )
        session.refresh(campaign)  # read again under the write lock
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return _request(session, campaign, action, now)
        _refuse_finished(campaign, action)  # a runner may have finished it meanwhile
        if action == PAUSE:
            return _pause_directly(session, campaign, now)
        return _cancel_directly(session, campaign, now)


def _refuse_finished(campaign: Campaign, action: str) -> None:
    if campaign.state == FINISHED:
        raise InputError(
            f"campaign {campaign.name!r} is finished: every contact has a final outcome, "
            f"there is nothing to {action}"
        )
    if campaign.state == CANCELED and action == PAUSE:
        raise InputError(f"campaign {campaign.name!r} was canceled; there is nothing to pause")


def _request(
    session: Session,
    campaign: Campaign,
    action: str,
    now: datetime,
    team: list[LiveRunner] | None = None,
) -> ControlResult:
    campaign.requested_action = action
    add_event(
        session,
        now,
        f"{action}_requested",
        f"{action} requested for the live runner",
        campaign_id=campaign.id,
    )
    pid, host = campaign.lock_pid, campaign.lock_host
    runner = f"pid {pid} on {host}"
    if team:
        pid, host = team[0].pid, team[0].host
        others = f" and {len(team) - 1} more" if len(team) > 1 else ""
        runner = f"pid {pid} on {host}{others}"
    then = (
        "leaves the campaign paused"
        if action == PAUSE
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
    if campaign.state == PAUSED:
        return ControlResult(
            campaign=campaign.name,
            action=PAUSE,
            result=UNCHANGED,
            state=PAUSED,
            message=f"campaign {campaign.name} is already paused; continue with {resume}",
        )
    campaign.state = PAUSED
    add_event(session, now, "paused", "paused (no live runner)", campaign_id=campaign.id)
    return ControlResult(
        campaign=campaign.name,
        action=PAUSE,
        result=APPLIED,
        state=PAUSED,
        message=f"campaign {campaign.name} paused (no runner was working on it); "
        f"continue with {resume}",
    )


def _cancel_directly(session: Session, campaign: Campaign, now: datetime) -> ControlResult:
    if campaign.state == CANCELED:
        return ControlResult(
            campaign=campaign.name,
            action=CANCEL,
            result=UNCHANGED,
            state=CANCELED,
            message=f"campaign {campaign.name} is already canceled",
        )
    marked = cancel_waiting_contacts(session, campaign.id, now)
    open_calls = _open_attempt_contacts(session, campaign.id)
    if open_calls:
        # Only a runner can learn those calls' outcomes: keep the campaign resumable.
        campaign.requested_action = CANCEL
        add_event(
            session,
            now,
            "cancel_partial",
            f"{marked} contacts canceled; {open_calls} with an open call left for resume",
            campaign_id=campaign.id,
        )
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
    campaign.state = CANCELED
    campaign.finished_at = now
    add_event(
        session,
        now,
        "canceled",
        f"canceled (no live runner); {marked} contacts canceled",
        campaign_id=campaign.id,
    )
    return ControlResult(
        campaign=campaign.name,
        action=CANCEL,
        result=APPLIED,
        state=CANCELED,
        canceled=marked,
        message=f"campaign {campaign.name} canceled: {marked} contacts not yet final "
        "are marked canceled",
    )


def _open_attempt_contacts(session: Session, campaign_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(func.distinct(Attempt.contact_id))).where(
                Attempt.campaign_id == campaign_id, Attempt.state.in_(OPEN_ATTEMPT_STATES)
            )
        )
        or 0
    )
