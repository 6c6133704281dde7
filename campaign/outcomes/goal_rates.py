"""Goal rates for the report: overall, by attempt number, by hour of the recipient's day and
by from-number; as numbers (`GoalRates`) and charts (`campaign.outcomes.charts.goal_rate_chart`).

A call reaches the goal when its own extracted vars do (`campaign.goals.Goal`); the rates are
of connected calls, so "the second call" and "17:00" compare like with like. Overall is of
people: those whose outcome is `goal_reached` among everyone reached at least once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from campaign.calls.vocab import Outcome
from campaign.goals import Goal
from campaign.outcomes.frames import CampaignRows


@dataclass(frozen=True)
class RateRow:
    key: str
    calls: int  # connected calls
    reached: int  # of them, reaching the goal

    @property
    def rate(self) -> float | None:
        return self.reached / self.calls if self.calls else None


@dataclass(frozen=True)
class GoalRates:
    goal: str  # in words: `confirmed is true`
    people_reached: int  # people connected at least once
    people_goal: int
    by_attempt: list[RateRow]
    by_hour: list[RateRow]  # "00".."23", recipient-local, hours with calls only
    by_from: list[RateRow]

    @property
    def rate(self) -> float | None:
        return self.people_goal / self.people_reached if self.people_reached else None


def goal_rates(rows: CampaignRows, zone_of: pd.Series) -> GoalRates | None:
    """None without a --goal. `zone_of` maps a contact id to the zone of its local hours."""
    goal = Goal.parse(rows.campaign.settings.get("goal"))
    if goal is None:
        return None
    calls = rows.attempts
    connected = calls[calls["category"] == "connected"] if not calls.empty else calls
    reached = (
        connected["vars_extracted"].map(lambda v: goal.reached(v if isinstance(v, dict) else None))
        if not connected.empty
        else pd.Series(dtype=bool)
    )
    contacts = rows.contacts
    people_goal = int((contacts["outcome"] == Outcome.GOAL_REACHED.value).sum())
    people_reached = max(int(connected["contact_id"].nunique()), people_goal)
    return GoalRates(
        goal=goal.describe(),
        people_reached=people_reached,
        people_goal=people_goal,
        by_attempt=_rates(_column(connected, "number"), reached),
        by_hour=_rates(_local_hours(connected, zone_of), reached),
        by_from=_rates(_column(connected, "from_number"), reached),
    )


def _column(connected: pd.DataFrame, name: str) -> pd.Series | None:
    return None if connected.empty else connected[name].astype(str)


def _rates(keys: pd.Series | None, reached: pd.Series) -> list[RateRow]:
    if keys is None or keys.empty:
        return []
    table = pd.DataFrame({"key": keys, "reached": reached.loc[keys.index].astype(bool)})
    grouped = table.groupby("key")["reached"].agg(["size", "sum"])
    order = sorted(grouped.index, key=lambda k: (len(k), k) if k.isdigit() else (99, k))
    return [
        RateRow(str(key), int(grouped.loc[key, "size"]), int(grouped.loc[key, "sum"]))
        for key in order
    ]


def _local_hours(connected: pd.DataFrame, zone_of: pd.Series) -> pd.Series | None:
    if connected.empty:
        return None
    times = connected["started_at"].fillna(connected["requested_at"])
    zones = connected["contact_id"].map(zone_of).fillna("UTC")
    hours = pd.Series(index=connected.index, dtype=object)
    for zone, index in zones.groupby(zones).groups.items():
        local = times.loc[index].dropna().dt.tz_convert(str(zone)).dt.hour
        hours.loc[local.index] = [f"{int(h):02d}" for h in local]
    return hours.dropna()
