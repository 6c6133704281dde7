"""A running campaign's progress, for whoever displays it (the engine formats nothing), and
the campaign's request counters.

The store part of a snapshot (contacts by outcome and by wait reason) is a few grouped
index scans: a fraction of a second on a campaign of 100,000 contacts. The live reports
read it in a worker thread (SQLite and psycopg release the GIL: the runner's loop never
waits for it), at most every `max(0.25 s, 10 x its cost)`; the in-memory part (lines,
budget) is always fresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import anyio
import anyio.to_thread
from sqlalchemy import func, update
from sqlalchemy.orm import Session

from campaign.calls.holds import READY, CampaignHold, queued_waits
from campaign.calls.tally import tally
from campaign.calls.vocab import Outcome, connected_count
from campaign.clock import Clock
from campaign.engine.budget import RequestBudget
from campaign.engine.ending import Ending
from campaign.store.db import Database
from campaign.store.models import Campaign
from campaign.store.queries import outcome_counts

#: Real seconds between two progress reports, at least.
REPORT_EVERY = 0.25


@dataclass(frozen=True)
class Progress:
    campaign: str
    total: int  # dialable contacts (valid, not duplicate)
    done: int  # dialable contacts with a final outcome
    in_progress: int  # open calls (placed, unknown or being dialed)
    #: Queued contacts not callable yet, by `WaitReason` value.
    waiting: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    requests_last_minute: int = 0
    rate_limit: int = 60
    rate_limited: int = 0
    requests_total: int = 0
    next_due: datetime | None = None
    elapsed: float = 0.0  # campaign-clock seconds since this run started
    eta_seconds: float | None = None
    stopping: bool = False
    state: str = "running"
    #: While the Voicy API is unavailable: since when (no dial is sent meanwhile).
    api_down_since: datetime | None = None

    @property
    def connected(self) -> int:
        return connected_count(self.outcomes)

    @property
    def failed(self) -> int:
        return self.outcomes.get(Outcome.FAILED, 0)


@dataclass(frozen=True)
class RunResult:
    state: str  # finished | interrupted | paused | canceled
    message: str
    progress: Progress
    fatal: str | None = None  # why the API refused the whole campaign
    idle: bool = False  # stopped by --until-idle: every remaining contact waits
    stop_reason: str | None = None  # a StopReason value


@dataclass(frozen=True)
class _Stored:
    outcomes: dict[str, int]
    waiting: dict[str, int]
    next_due: datetime | None
    started_at: datetime | None


def _read(db: Database, campaign_id: int, now: datetime) -> _Stored:
    with db.read_session() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        # By the hold's end on the (campaign, state, due) index alone, then the few due
        # later by their reason (a CASE per contact took 0.2 s on 400,000 held contacts).
        found = queued_waits(session, campaign_id, CampaignHold.of(campaign, now), now)
        found.pop(READY, None)  # due now: not waiting
        dues = [due for _, due in found.values() if due is not None]
        return _Stored(
            outcomes=outcome_counts(session, campaign_id),
            waiting={why: count for why, (count, _) in found.items()},
            next_due=min(dues) if dues else None,
            started_at=campaign.started_at,
        )


class ProgressReporter:
    def __init__(
        self,
        db: Database,
        campaign_id: int,
        *,
        clock: Clock,
        budget: RequestBudget,
        busy: Callable[[], int],
        ending: Ending,
        api_down: Callable[[], datetime | None] = lambda: None,
    ) -> None:
        self.db = db
        self.api_down = api_down
        self.campaign_id = campaign_id
        self.clock = clock
        self.budget = budget
        self.busy = busy
        self.ending = ending
        self.name = ""
        self._started = clock.time()
        self._stored: _Stored | None = None
        self._read_at = 0.0
        self._read_cost = 0.0

    def begin(self, name: str) -> None:
        self.name = name
        self._started = self.clock.time()

    def _refresh(self) -> _Stored:
        started = time.monotonic()
        stored = _read(self.db, self.campaign_id, self.clock.now())
        self._read_at = time.monotonic()
        self._read_cost = self._read_at - started
        self._stored = stored
        return stored

    def _stale(self) -> bool:
        age = time.monotonic() - self._read_at
        return self._stored is None or age > max(REPORT_EVERY, 10 * self._read_cost)

    def snapshot(self) -> Progress:
        """A progress report read now from the store (e.g. at the end of the run)."""
        return self._progress(self._refresh())

    def _progress(self, stored: _Stored) -> Progress:
        counts = tally(stored.outcomes)
        now = self.clock.now()
        since = (now - stored.started_at).total_seconds() if stored.started_at else None
        stopping = self.ending.stopping
        return Progress(
            campaign=self.name,
            total=counts.total,
            done=counts.done,
            in_progress=self.busy(),
            waiting=stored.waiting,
            outcomes=stored.outcomes,
            requests_last_minute=self.budget.used_last_minute(),
            rate_limit=self.budget.rate,
            rate_limited=self.budget.rate_limited,
            requests_total=self.budget.granted,
            next_due=stored.next_due,
            elapsed=self.clock.time() - self._started,
            eta_seconds=counts.eta_seconds(since),
            stopping=stopping,
            state="stopping" if stopping else "running",
            api_down_since=self.api_down(),
        )

    async def loop(self, on_progress: Callable[[Progress], None]) -> None:
        while True:
            stored = self._stored
            if stored is None or self._stale():
                stored = await anyio.to_thread.run_sync(self._refresh)
            on_progress(self._progress(stored))
            await anyio.sleep(REPORT_EVERY)


class RequestCounters:
    """This runner's requests, added to the campaign's (an increment: runners share it)."""

    def __init__(self, db: Database, campaign_id: int, budget: RequestBudget) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.budget = budget
        self._flushed = (0, 0)

    def add_to(self, session: Session) -> None:
        granted, limited = self.budget.granted, self.budget.rate_limited
        used, refused = granted - self._flushed[0], limited - self._flushed[1]
        self._flushed = (granted, limited)
        if used or refused:
            session.execute(
                update(Campaign)
                .where(Campaign.id == self.campaign_id)
                .values(
                    requests_used=func.coalesce(Campaign.requests_used, 0) + used,
                    rate_limited=func.coalesce(Campaign.rate_limited, 0) + refused,
                )
                .execution_options(synchronize_session=False)
            )

    def flush(self) -> None:
        with self.db.session() as session:
            self.add_to(session)
