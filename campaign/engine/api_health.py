"""Whether the Voicy API is answering: no dial is sent into an outage.

    answering ──a dial or read fails (5xx, refused, timed out)──▶ suspect: dialing paused
    suspect ──any answer (another request, or a probe)──▶ answering (one failure: no outage)
    suspect ──the probe fails too──▶ down ("API unavailable since …", in the journal)
    down ──a probe answers──▶ reconciling ──every unknown dial resolved──▶ answering

While the API is suspect or down the dispatcher dials nobody; a cheap read (one call-list
row) probes it, backing off from `PROBE_FIRST` to `PROBE_MAX` clock seconds. After an
outage, the dials whose outcome it left unknown are reconciled from call-list (by the
tracker) before anyone is dialed again. Answers are seen through the client's response
hook; failures are reported by the dialer and the tracker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum

import anyio

from campaign.clock import Clock
from campaign.engine.alarm import Alarm
from campaign.store.outage import is_store_down
from campaign.voicy import errors as verr
from campaign.voicy.client import VoicyClient
from campaign.voicy.models import RateLimit

#: Clock seconds before the first probe, and the most between two probes.
PROBE_FIRST = 2.0
PROBE_MAX = 60.0


class ApiState(StrEnum):
    ANSWERING = "answering"
    SUSPECT = "suspect"  # a request failed: dial nobody until something answers
    DOWN = "down"  # the probe failed too: an outage, shown to people
    RECONCILING = "reconciling"  # back: resolving the outage's unknown dials first


def is_outage_error(exc: BaseException) -> bool:
    """A failure that says the API itself is unwell (not a refusal of this request)."""
    return isinstance(exc, verr.ServerError | verr.TransportError)


class ApiHealth:
    def __init__(
        self,
        clock: Clock,
        *,
        probe: Callable[[], Awaitable[object]],
        unknown_dials: Callable[[], int],
        note: Callable[[str, str, dict[str, str] | None], None],
        back: Alarm | None = None,
    ) -> None:
        self.clock = clock
        self._probe = probe
        self._unknown_dials = unknown_dials
        self._note = note
        self.state = ApiState.ANSWERING
        #: When the first failure of the current outage was seen.
        self.since: datetime | None = None
        self.last_error = ""
        self.outages = 0
        #: Rings when dialing may go on again (the dispatcher's wake-up alarm, so that a
        #: stop asked during an outage wakes it too).
        self.back: Alarm = back or Alarm(clock)
        #: Set when a failure makes the probe needed (no clock: a fake clock's sleep
        #: would move time for everyone).
        self._failing = anyio.Event()

    def watch(self, client: VoicyClient) -> None:
        """Every HTTP answer of `client` (after its own hook, the budget's) tells this the
        API answers."""
        earlier = client.on_response

        def on_response(endpoint: str, status: int, rate_limit: RateLimit | None) -> None:
            if earlier is not None:
                earlier(endpoint, status, rate_limit)
            self.answered(status)

        client.on_response = on_response

    # --- what the dispatcher asks -------------------------------------------------------

    @property
    def dialing_allowed(self) -> bool:
        if self.state is ApiState.RECONCILING and self._unknown_dials() == 0:
            self._answering()
        return self.state is ApiState.ANSWERING

    @property
    def down_since(self) -> datetime | None:
        """When the outage began, while the API is down (for progress and the page)."""
        return self.since if self.state is ApiState.DOWN else None

    # --- inputs -------------------------------------------------------------------------

    def failed(self, exc: BaseException) -> None:
        """A request failed; an outage-like failure pauses dialing."""
        if not is_outage_error(exc):
            return
        self.last_error = f"{type(exc).__name__}: {exc}"
        if self.state is ApiState.ANSWERING:
            self.since = self.clock.now()
            self.state = ApiState.SUSPECT
            self._failing.set()
        elif self.state is ApiState.RECONCILING:  # the outage goes on
            self.state = ApiState.DOWN
            self._failing.set()

    def answered(self, status: int) -> None:
        """An HTTP answer came back (any endpoint): below 500, the API is answering."""
        if status >= 500 or self.state is ApiState.ANSWERING:
            return
        if self.state is ApiState.DOWN:
            assert self.since is not None
            self._say(
                "api_back",
                f"Voicy API answering again (unavailable since {self.since.isoformat()}); "
                "reconciling the dials it left unknown before dialing again",
                None,
            )
            self.state = ApiState.RECONCILING
            if self._unknown_dials() == 0:
                self._answering()
        else:  # one failure, then an answer: no outage, nothing to wait for
            self._answering()
        self.back.ring()

    def _say(self, kind: str, message: str, data: dict[str, str] | None) -> None:
        """Journal it; with the database server gone too, the line is skipped (the state
        still changes: dialing must not wait for the store to hear about the API)."""
        try:
            self._note(kind, message, data)
        except Exception as exc:
            if not is_store_down(exc):
                raise

    def _answering(self) -> None:
        self.state = ApiState.ANSWERING
        self.since = None
        self.back.ring()

    # --- the probe ----------------------------------------------------------------------

    async def loop(self) -> None:
        """Probe the API while it is suspect or down, backing off between probes."""
        wait = PROBE_FIRST
        while True:
            if self.state not in (ApiState.SUSPECT, ApiState.DOWN):
                wait = PROBE_FIRST
                self._failing = anyio.Event()
                await self._failing.wait()
                continue
            await self.clock.sleep(wait)
            if self.state not in (ApiState.SUSPECT, ApiState.DOWN):
                continue  # something answered meanwhile
            try:
                await self._probe()
            except verr.VoicyError as exc:
                if not is_outage_error(exc):
                    self.answered(400)  # it answered, with a refusal: not an outage
                    continue
                self.last_error = f"{type(exc).__name__}: {exc}"
                if self.state is ApiState.SUSPECT:
                    self.state = ApiState.DOWN
                    self.outages += 1
                    assert self.since is not None
                    self._say(
                        "api_down",
                        f"Voicy API unavailable since {self.since.isoformat()} "
                        f"({self.last_error}); no dial until it answers",
                        {"since": self.since.isoformat()},
                    )
                wait = min(PROBE_MAX, wait * 2)
