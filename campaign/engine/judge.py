"""What a connected call's details decide: the goal, a callback, a redial that missed the goal.

`DetailsJudge` is the `campaign.calls.details.Judge` a runner hands its ledger when the
campaign has a `--goal` or a `--callback-var`: it reads the call's extracted vars (the goal
through `campaign.goals`, the callback time through `campaign.rules.callbacks`, in
the recipient's zone), moves a callback or a redial into the recipient's next calling
opening (so neither falls on a closed day, a holiday or Shabbat), and leaves the decision
itself to the pure `policy.after_details`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from campaign.calls.details import ConnectedCall
from campaign.calls.fate import Decision
from campaign.engine.policy import after_details
from campaign.engine.rules_bridge import Openings
from campaign.engine.settings import RunSettings
from campaign.goals import Goal
from campaign.rules.callbacks import callback_time, load_parser


class DetailsJudge:
    def __init__(self, settings: RunSettings, openings: Openings | None = None) -> None:
        self.settings = settings
        self.goal = Goal.parse(settings.goal)
        self.callback_var = settings.callback_var
        self.openings = openings
        if self.callback_var:
            load_parser()  # judged inside the details' transaction: be ready before

    @classmethod
    def for_settings(
        cls, settings: RunSettings, openings: Openings | None = None
    ) -> DetailsJudge | None:
        """A judge when the settings ask for one (a goal or a callback var), else None."""
        if not settings.goal and not settings.callback_var:
            return None
        return cls(settings, openings)

    def __call__(self, call: ConnectedCall) -> Decision | None:
        extracted = call.detail.vars_extracted or {}
        reached = self.goal.reached(extracted) if self.goal is not None else None
        callback_at, words = self._callback(call, extracted)
        decision = after_details(
            goal_reached=reached,
            callback_at=callback_at,
            placed_attempts=call.placed_attempts,
            settings=self.settings,
            ended_at=call.ended_at,
            callback_words=words,
        )
        if decision is not None and not decision.final and decision.next_attempt_at:
            moved = self._open(call, decision.next_attempt_at)
            if moved != decision.next_attempt_at:
                decision = Decision(
                    final=False,
                    next_attempt_at=moved,
                    reason=decision.reason,
                    detail=(decision.detail or "") + " (moved to the next calling opening)",
                )
        return decision

    def _callback(
        self, call: ConnectedCall, extracted: dict[str, object]
    ) -> tuple[datetime | None, str | None]:
        if not self.callback_var or self.callback_var not in extracted:
            return None, None
        asked = extracted[self.callback_var]
        zone = self._zone(call)
        at = callback_time(asked, call.ended_at, zone)
        if at is None:
            return None, None
        local = at.astimezone(ZoneInfo(zone)) if zone else at
        return at, f"asked {str(asked)!r}: {local.strftime('%a %d %b %H:%M %Z')}"

    def _zone(self, call: ConnectedCall) -> str | None:
        if self.openings is not None:
            found = self.openings.zone_of(call.to_number, call.timezone)
            if found:
                return found
        return call.timezone

    def _open(self, call: ConnectedCall, at: datetime) -> datetime:
        if self.openings is None:
            return at
        return self.openings.opening(call.to_number, call.timezone, at)
