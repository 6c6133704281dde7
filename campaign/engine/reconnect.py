"""What a runner does when the store answers again after an outage (see `db_outage.py`).

Mid-run: renew the lease (stop if a teammate took this runner's calls), write the answers
kept in memory, make unknown the intents whose answer could not be written (reconciled from
the call list, never simply redialed), track every open call again, and let teammates renew
their leases before anyone is taken over. At the run's start nothing was in flight (its
steps run again, each safe to repeat) and at its end every call was followed (the end is
written again): only the hold on take-overs and the note remain. Each return is noted in
the campaign's events (`db_back`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from campaign.calls.ledger import Ledger
from campaign.calls.vocab import StopReason
from campaign.clock import Clock
from campaign.engine.alarm import Alarm
from campaign.engine.coordination import Coordination
from campaign.engine.journal import Journal
from campaign.engine.recorder import Recorder
from campaign.store.outage import PROBE_MAX


class OpenCalls(Protocol):
    def load(self) -> None:
        """Rebuild the open calls from the store."""
        ...


class Reconnection:
    def __init__(
        self,
        *,
        owner: str,
        clock: Clock,
        coordination: Coordination,
        ledger: Ledger,
        recorder: Recorder,
        open_calls: OpenCalls,
        in_flight: Callable[[], set[int]],
        journal: Journal,
        stop: Callable[[StopReason], None],
        freed: Alarm,
    ) -> None:
        self.owner = owner
        self.clock = clock
        self.coordination = coordination
        self.ledger = ledger
        self.recorder = recorder
        self.open_calls = open_calls
        self.in_flight = in_flight
        self.journal = journal
        self.stop = stop
        self.freed = freed

    def mid_run(self, seconds: float) -> None:
        lost = self.coordination.beat()
        if lost is not None:
            self.stop(lost)
            return
        self.recorder.flush()
        orphans = self.ledger.recover_after_outage(self.owner, self.in_flight(), self.clock.now())
        self.open_calls.load()
        self._let_teammates_renew()
        self.journal.note(
            "db_back",
            f"database reachable again after {seconds:.1f} s; {orphans} dial(s) whose answer "
            "could not be written are reconciled from the call list",
        )
        self.freed.ring()

    def starting(self, seconds: float) -> None:
        self._let_teammates_renew()
        self.journal.note(
            "db_back", f"database reachable again after {seconds:.1f} s, as the run started"
        )

    def ending(self, seconds: float) -> None:
        self.journal.note(
            "db_back", f"database reachable again after {seconds:.1f} s, as the run ended"
        )

    def _let_teammates_renew(self) -> None:
        """Teammates' leases lapsed in the outage too: a teammate may reconnect up to one
        probe interval later, then renews at its beat; nobody is taken over before."""
        beat = self.coordination.heartbeat_every
        self.coordination.hold_take_overs(PROBE_MAX + 2 * beat + 1.0)
