"""Webhook deliveries used by the runner: the inbox as one more source of "ended".

The receiver (`campaign.receiver`, in this process or another one writing the same
database) stores each verified call_ended in the inbox; this part reads the campaign's
pending entries (every `INBOX_EVERY` clock seconds while deliveries arrive, every
`INBOX_EVERY_QUIET` before, at once when the receiver in this process rings `arrived`)
and turns each one into what a scan would have found:

- a call this runner tracks: ended through `calls` (`EndSource.WEBHOOK`, the same `CallEnd`
  and redial rules as a polled end), its details recorded from the delivery (no call-get),
  its line freed at once;
- a dial whose outcome is unknown (timeout, 5xx): linked to the delivered call (same pair,
  started after the intent, not claimed by another attempt) and ended;
- an own call a scan ended first: only its details, and its queued call-get is dropped;
- an attempt already final with its details, a call of another runner's (left to its
  owner, who tracks it), or an intent whose 201 is not written yet (looked at again on the
  next pass): nothing is written but `consumed_at`, or the entry stays pending.

Each pass is one transaction (`Ledger.delivered`): ends, links, details and `consumed_at`
together, so a `kill -9` leaves a delivery either used or still pending for `resume`.
Lost, late, repeated or reordered deliveries change nothing: the inbox keeps one per call,
and a delivery for a call that already ended adds only what the store lacks.

The consumer also tells the tracker and the details fetcher what the deliveries cover
(`live`, `Coverage`), so scans and call-gets are spent where no delivery will come.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import anyio

from campaign.calls.deliveries import Delivered
from campaign.calls.ledger import Ledger
from campaign.calls.vocab import AttemptStatus, EndSource
from campaign.clock import Clock
from campaign.engine.alarm import Alarm
from campaign.engine.details import DetailsFetcher, DetailsHook
from campaign.engine.open_calls import as_tracked
from campaign.engine.reconcile import dial_for_delivery
from campaign.engine.recorder import Recorder
from campaign.engine.tracker import Tracker
from campaign.store.inbox import InboxEntry
from campaign.voicy.models import CallDetail, CallSummary
from campaign.voicy.webhooks import WebhookRefused, parse_call_ended

#: How often the inbox is read (clock seconds) when nothing rings: while deliveries arrive,
#: and before any did (a receiver in another process); and at most how often in real
#: seconds (deliveries arriving together are read together).
INBOX_EVERY = 0.5
INBOX_EVERY_QUIET = 2.0
READ_FLOOR = 0.02
READ_FLOOR_QUIET = 0.1
#: Deliveries count as live for this long after the last one used (clock seconds).
LIVE_FOR = 180.0
#: A call-get waits this long after a polled end for a delivery, before any lag is known.
FIRST_WAIT = 6.0
MAX_WAIT = 20.0
#: An entry that names a call nobody here tracks yet is looked at again after this long.
RETRY_AFTER = 5.0
#: An entry no runner used for this long is marked consumed (it would block the inbox).
GIVE_UP_AFTER = timedelta(hours=1)


class DeliveryConsumer:
    def __init__(
        self,
        ledger: Ledger,
        tracker: Tracker,
        details: DetailsFetcher,
        recorder: Recorder,
        *,
        clock: Clock,
        on_details: DetailsHook | None = None,
    ) -> None:
        self.ledger = ledger
        self.tracker = tracker
        self.details = details
        self.recorder = recorder
        self.clock = clock
        self.on_details = on_details
        self.used = 0
        self._last_used: float | None = None
        self._wake = Alarm(clock)
        self._later: dict[str, float] = {}
        #: Own calls a scan ended, waiting for their delivery: call id → (kind, deadline).
        self._awaiting: dict[str, tuple[str, float]] = {}
        tracker.webhooks_live = lambda: self.live
        tracker.on_end = self._polled_end
        details.delivery_wait = self.wait

    # --- what other parts ask -----------------------------------------------------------

    def arrived(self, *_: object) -> None:
        """A delivery was stored (the receiver's hook in the same process): read now."""
        self._wake.ring()

    @property
    def live(self) -> bool:
        return self._last_used is not None and self.clock.time() - self._last_used < LIVE_FOR

    def wait(self) -> float:
        """How long a call-get waits for a delivery after a polled end."""
        coverage = self.tracker.coverage
        if not self.live or (coverage.share("connected") < 0.3 and self.used > 10):
            return 0.0
        if coverage.lag <= 0:
            return FIRST_WAIT
        return min(MAX_WAIT, max(2.0, coverage.lag * 1.5 + 1.0))

    def _polled_end(self, call_id: str, kind: str) -> None:
        self._awaiting[call_id] = (kind, self.clock.time() + max(self.wait(), FIRST_WAIT))

    # --- the loop -----------------------------------------------------------------------

    async def loop(self) -> None:
        while True:
            live = self.live
            await self._wake.wait(self.clock.time() + (INBOX_EVERY if live else INBOX_EVERY_QUIET))
            # On a compressed clock too a read costs real time: at most so many a second.
            await anyio.sleep(READ_FLOOR if live else READ_FLOOR_QUIET)
            self.consume_once()

    def consume_once(self) -> int:
        """Use what the inbox holds for this campaign; the number of deliveries used."""
        self._expire()
        entries = [e for e in self.ledger.pending_deliveries() if self._due(e)]
        if not entries:
            return 0
        self.recorder.flush()  # a 201 waiting to be written names its call first
        now = self.clock.now()
        items: list[Delivered] = []
        consumed: list[str] = []
        released: tuple[list[str], list[int]] = ([], [])
        for entry, detail in self._parsed(entries, consumed):
            item = self._delivered(entry, detail, now, released)
            if item is not None:
                items.append(item)
        items, consumed = self._settle(entries, items, consumed, now)
        if not items and not consumed:
            return 0
        self._last_used = self.clock.time()  # deliveries arrive: webhooks are live
        for call_id in consumed:
            self._told(call_id)
        ended = self.ledger.delivered(items, now, consumed=consumed)
        recorded = {end.attempt_id for end, _ in ended}
        # A tracked call a delivery names has ended, recorded here or not; an unknown dial
        # is free only if the link held (its call id may belong to another attempt).
        linked = [a for a in released[1] if a in recorded]
        for item in items:
            if item.link and item.attempt_id not in recorded:
                self._later[item.call_id] = self.clock.time() + RETRY_AFTER
        self.tracker.calls.released(released[0], linked)
        self.details.drop({item.attempt_id for item in items})
        received = {e.call_id: e.received_at for e in entries}
        for item in items:
            self._learn(item, received.get(item.call_id, now))
            if self.on_details is not None and item.detail.category == "connected":
                self.on_details(item.attempt_id, item.detail)
        self.used += len(items)
        return len(items)

    def _due(self, entry: InboxEntry) -> bool:
        at = self._later.get(entry.call_id)
        return at is None or self.clock.time() >= at

    def _parsed(
        self, entries: list[InboxEntry], consumed: list[str]
    ) -> list[tuple[InboxEntry, CallDetail]]:
        out: list[tuple[InboxEntry, CallDetail]] = []
        for entry in entries:
            try:
                detail = parse_call_ended(entry.body.encode()).detail
            except WebhookRefused:
                consumed.append(entry.call_id)  # checked when received; never usable
                continue
            if detail.category not in ("connected", "failed", "unknown"):
                consumed.append(entry.call_id)  # not an end after all
                continue
            out.append((entry, detail))
        return out

    def _delivered(
        self,
        entry: InboxEntry,
        detail: CallDetail,
        now: datetime,
        released: tuple[list[str], list[int]],
    ) -> Delivered | None:
        """A tracked call or an unknown dial of this runner's, ended by the delivery."""
        tracked = self.tracker.calls.tracked_call(entry.call_id)
        link = False
        if tracked is None:
            dial = dial_for_delivery(
                self.tracker.calls.unknown.values(),
                detail.from_number or entry.from_number,
                detail.to_number or entry.to_number,
                detail.start_timestamp,
            )
            if dial is None:
                return None
            tracked = as_tracked(dial, entry.call_id, detail.call_status)
            link = True
            released[1].append(dial.attempt_id)
        else:
            released[0].append(entry.call_id)
        summary = CallSummary(
            call_id=entry.call_id,
            call_status=detail.call_status,
            from_number=detail.from_number,
            to_number=detail.to_number,
            start_timestamp=detail.start_timestamp,
            duration_ms=detail.duration_ms,
        )
        category = detail.category
        end = self.tracker.end_of(tracked, summary, category, now, source=EndSource.WEBHOOK)
        self.tracker.learn_end(tracked, category, end.ended_at)
        return Delivered(tracked.attempt_id, detail, end=end, link=link)

    def _settle(
        self,
        entries: list[InboxEntry],
        items: list[Delivered],
        consumed: list[str],
        now: datetime,
    ) -> tuple[list[Delivered], list[str]]:
        """Entries that are not an own open call: details of an own ended one, consumed
        when there is nothing left to say, or left for later (another runner's, an intent)."""
        handled = {item.call_id for item in items} | set(consumed)
        rest = [e for e in entries if e.call_id not in handled]
        views = self.ledger.attempts_named([e.attempt_id for e in rest if e.attempt_id is not None])
        by_call = {v.call_id: v for v in views.values() if v.call_id}
        owner = self.ledger.owner
        for entry in rest:
            view = by_call.get(entry.call_id)
            if now - entry.received_at > GIVE_UP_AFTER:
                consumed.append(entry.call_id)  # no runner of the campaign could use it
                continue
            if view is None:
                # Matched by number when it arrived: an intent whose 201 is not written yet
                # or an unknown dial (look again soon); a dial since resolved otherwise (a
                # call id of its own, or not placed): nothing to say.
                hinted = views.get(entry.attempt_id or -1)
                if hinted is None or hinted.call_id is not None or not hinted.state.open:
                    consumed.append(entry.call_id)
                else:
                    self._later[entry.call_id] = self.clock.time() + RETRY_AFTER
                continue
            if view.state.open:
                # Tracked by another runner of the team (or just taken over): its owner uses it.
                self._later[entry.call_id] = self.clock.time() + RETRY_AFTER
                continue
            mine = owner is None or view.runner == owner
            if mine and view.state is AttemptStatus.ENDED and not view.details_fetched:
                detail = parse_call_ended(entry.body.encode()).detail
                items.append(Delivered(view.attempt_id, detail))
            elif mine or view.details_fetched:
                consumed.append(entry.call_id)
            else:
                self._later[entry.call_id] = self.clock.time() + RETRY_AFTER
        return items, consumed

    # --- what the deliveries teach ---------------------------------------------------

    def _learn(self, item: Delivered, received_at: datetime) -> None:
        detail = item.detail
        kind = "connected" if detail.category == "connected" else "failed"
        self._told(item.call_id, kind)
        if detail.end_timestamp is not None:
            lag = received_at.timestamp() - detail.end_timestamp / 1000
            if 0 <= lag < 600:
                self.tracker.coverage.observe_lag(lag)

    def _told(self, call_id: str, kind: str | None = None) -> None:
        """A delivery came for a call a scan ended first: the webhooks cover its kind."""
        awaited = self._awaiting.pop(call_id, None)
        kind = kind or (awaited[0] if awaited is not None else None)
        if kind is not None:
            self.tracker.coverage.record(kind, True)

    def _expire(self) -> None:
        """Polled ends whose delivery did not come in time: not covered."""
        now = self.clock.time()
        for call_id, (kind, deadline) in list(self._awaiting.items()):
            if now >= deadline:
                del self._awaiting[call_id]
                self.tracker.coverage.record(kind, False)
