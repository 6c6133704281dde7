"""Details of connected calls: one call-get each (summary, transcript, vars, cost), batched
into the store by the recorder, then handed to the hooks that read them (e.g. opt-outs)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Protocol

from campaign.calls.ledger import Ledger
from campaign.calls.vocab import StopReason
from campaign.clock import Clock
from campaign.engine.alarm import Alarm
from campaign.engine.budget import request_kind
from campaign.engine.ending import Ending
from campaign.engine.lines import Lines
from campaign.engine.recorder import Recorder
from campaign.voicy import errors as verr
from campaign.voicy.models import CallDetail

#: Called with (attempt id, details) of each connected call once its details are fetched.
DetailsHook = Callable[[int, CallDetail], None]


class CallGetter(Protocol):
    async def get_call(self, call_id: str) -> CallDetail: ...


class DetailsFetcher:
    def __init__(
        self,
        client: CallGetter,
        ledger: Ledger,
        recorder: Recorder,
        *,
        clock: Clock,
        ending: Ending,
        lines: Lines,
        on_details: DetailsHook | None = None,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.recorder = recorder
        self.clock = clock
        self.ending = ending
        self.lines = lines
        self.on_details = on_details
        self._due: deque[tuple[int, str, float]] = deque()
        self._wake = Alarm(clock)
        #: Seconds to wait for a webhook delivery before asking call-get (0: ask at once);
        #: set by the delivery consumer while deliveries arrive.
        self.delivery_wait: Callable[[], float] = lambda: 0.0

    def queue(self, attempt_id: int, call_id: str) -> None:
        self._due.append((attempt_id, call_id, self.clock.time() + self.delivery_wait()))
        self._wake.ring()

    def drop(self, attempt_ids: set[int]) -> None:
        """These calls' details came another way (a webhook delivery): no call-get."""
        if attempt_ids:
            before = len(self._due)
            self._due = deque(item for item in self._due if item[0] not in attempt_ids)
            self._wake.ring()
            if len(self._due) < before:
                # The run's drain may be waiting on these details alone: it ends now.
                self.lines.freed.ring()

    def hurry(self) -> None:
        """Fetch what is queued now, without waiting for a delivery (the run's end waits
        on these details alone)."""
        now = self.clock.time()
        if any(not_before > now for _, _, not_before in self._due):
            self._due = deque((a, c, min(not_before, now)) for a, c, not_before in self._due)
            self._wake.ring()

    @property
    def next_at(self) -> float | None:
        """When the next queued call-get may go (clock seconds), if one is queued."""
        return self._due[0][2] if self._due else None

    @property
    def pending(self) -> bool:
        """Details still to fetch, or fetched and not written yet."""
        return bool(self._due) or self.recorder.details_waiting

    def forget(self) -> None:
        """Another runner owns these calls now (this one's lease ran out)."""
        self._due.clear()

    async def loop(self) -> None:
        token = request_kind.set("call-get")
        try:
            while True:
                if not self._due:
                    await self._wake.wait(self.clock.time() + 30.0)
                    continue
                attempt_id, call_id, not_before = self._due[0]
                if self.clock.time() < not_before:
                    await self._wake.wait(not_before)
                    continue
                try:
                    detail = await self.client.get_call(call_id)
                except verr.NotFound as exc:
                    self.ledger.details_failed(attempt_id, str(exc))
                except verr.AuthError as exc:
                    self.ending.stop(StopReason.KEY_REFUSED, exc.message)
                    return
                except verr.VoicyError:
                    await self.clock.sleep(5.0)
                    continue
                else:
                    self.recorder.details(attempt_id, detail)
                    if self.on_details is not None:
                        self.on_details(attempt_id, detail)
                if self._due and self._due[0][0] == attempt_id:
                    self._due.popleft()
                if not self._due:
                    # The last one due: written now, so `pending` (a contact the details
                    # may queue again) turns false only once they are in the store.
                    self.recorder.flush()
                self.lines.freed.ring()
        finally:
            request_kind.reset(token)
