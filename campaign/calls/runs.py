"""A campaign's run state: started, asked to pause or cancel, and ended with a reason.

    ready ──run──▶ running ──▶ finished              (every contact final)
                      │   ├──▶ paused               (pause asked: resume continues)
                      │   ├──▶ canceled             (cancel asked, no call open)
                      │   └──▶ interrupted          (any other StopReason, stored with it)
                      └── runner dies ──▶ (reads as interrupted: StopReason.RUNNER_GONE)
    paused / interrupted ──resume──▶ running

The runner writes its start and its end here; `campaign.campaigns.control` writes a pause
or cancel asked with no live runner here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from campaign.calls.holds import cancel_waiting
from campaign.calls.vocab import Action, CampaignState, StopReason
from campaign.store.models import Campaign
from campaign.store.queries import add_event


def new_campaign(**columns: object) -> Campaign:
    """A campaign row, ready to run (the caller adds it to its session)."""
    return Campaign(state=CampaignState.READY, **columns)


@dataclass(frozen=True)
class RunStart:
    name: str
    #: A cancel that waited for open calls: settle them, then cancel; dial nothing.
    pending_cancel: bool


def begin_run(
    session: Session, campaign_id: int, now: datetime, *, runner: str, alone: bool
) -> RunStart:
    """The campaign is running (again); a request meant for this runner's team stands."""
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    pending_cancel = Action.read(campaign.requested_action) is Action.CANCEL
    if (alone or campaign.state != CampaignState.RUNNING) and not pending_cancel:
        campaign.requested_action = None  # else: a pause asked of the team stands
    campaign.state = CampaignState.RUNNING
    campaign.started_at = campaign.started_at or now
    campaign.stop_reason = None
    campaign.stop_detail = None
    add_event(session, now, "run", f"runner {runner} started", campaign_id=campaign_id)
    return RunStart(campaign.name, pending_cancel)


def requested_action(session: Session, campaign_id: int) -> Action | None:
    campaign = session.get(Campaign, campaign_id)
    return None if campaign is None else Action.read(campaign.requested_action)


@dataclass(frozen=True)
class RunEnd:
    state: CampaignState
    reason: StopReason
    detail: str | None = None


def end_run(session: Session, campaign_id: int, end: RunEnd, now: datetime, message: str) -> None:
    """The campaign's state after a run, with why it ended; `message` goes to the log."""
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    if end.state is CampaignState.CANCELED:
        cancel_waiting(session, campaign_id, now)
    campaign.state = end.state
    if end.state in (CampaignState.CANCELED, CampaignState.PAUSED):
        campaign.requested_action = None  # done; a paused campaign resumes
    if end.state.ended:
        campaign.finished_at = now
    campaign.stop_reason = end.reason
    campaign.stop_detail = end.detail
    add_event(session, now, "run_end", message, campaign_id=campaign_id)


# --- steering with no live runner (campaign.campaigns.control decides) -----------------------


def ask(session: Session, campaign: Campaign, action: Action, now: datetime) -> None:
    """Ask the live runner(s): they poll the request every second."""
    campaign.requested_action = action
    add_event(
        session,
        now,
        f"{action}_requested",
        f"{action} requested for the live runner",
        campaign_id=campaign.id,
    )


def seize(session: Session, campaign_id: int, lock_owner: str | None) -> bool:
    """Take SQLite's write lock on the campaign, if its lock holder is still `lock_owner`
    (judged dead): False when a runner took the campaign meanwhile."""
    unchanged = (
        Campaign.lock_owner.is_(None) if lock_owner is None else Campaign.lock_owner == lock_owner
    )
    result = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, unchanged)
        .values(requested_action=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def pause_now(session: Session, campaign: Campaign, now: datetime) -> None:
    campaign.state = CampaignState.PAUSED
    campaign.stop_reason = StopReason.PAUSED
    campaign.stop_detail = None
    add_event(session, now, "paused", "paused (no live runner)", campaign_id=campaign.id)


def cancel_now(session: Session, campaign: Campaign, now: datetime, open_calls: int) -> int:
    """Cancel every contact not called yet; the campaign too unless calls are open (then a
    resume records them and finishes the cancel). How many contacts were canceled."""
    marked = cancel_waiting(session, campaign.id, now)
    if open_calls:
        campaign.requested_action = Action.CANCEL
        add_event(
            session,
            now,
            "cancel_partial",
            f"{marked} contacts canceled; {open_calls} with an open call left for resume",
            campaign_id=campaign.id,
        )
        return marked
    campaign.state = CampaignState.CANCELED
    campaign.stop_reason = StopReason.CANCELED
    campaign.stop_detail = None
    campaign.finished_at = now
    add_event(
        session,
        now,
        "canceled",
        f"canceled (no live runner); {marked} contacts canceled",
        campaign_id=campaign.id,
    )
    return marked
