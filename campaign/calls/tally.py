"""How far a campaign is, from its contacts by outcome: people done, left, and the ETA.

One formula for every surface (the runner's progress line, status, the web pages): the pace
is the people finished by a call (rows that ended at import, such as do-not-call ones, do
not count) over the time since the campaign started.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from campaign.calls.vocab import Outcome

#: Outcomes a row can get without any call being made.
_WITHOUT_A_CALL = (Outcome.DNC, Outcome.CANCELED)
_KNOWN = frozenset(outcome.value for outcome in Outcome)


@dataclass(frozen=True)
class Tally:
    total: int  # people to call: rows minus invalid and duplicate ones
    done: int  # of them, with a final outcome
    called: int  # of them, finished by a call

    @property
    def pending(self) -> int:
        return self.total - self.done

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 1.0

    def eta_seconds(self, elapsed_s: float | None) -> float | None:
        """Seconds left at the pace so far; 0 when done, None before any call ended."""
        if self.pending <= 0:
            return 0.0
        if not elapsed_s or self.called <= 0:
            return None
        return elapsed_s * self.pending / self.called


def tally(outcomes: Mapping[str, int]) -> Tally:
    """From contacts by outcome (not final yet: `pending`)."""
    counts = {Outcome(name): n for name, n in outcomes.items() if name in _KNOWN}
    total = sum(n for outcome, n in counts.items() if outcome.dialable)
    done = total - counts.get(Outcome.PENDING, 0)
    called = done - sum(counts.get(outcome, 0) for outcome in _WITHOUT_A_CALL)
    return Tally(total=total, done=done, called=max(0, called))
