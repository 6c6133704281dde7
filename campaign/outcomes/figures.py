"""The numbers of a campaign report, computed from the stored rows (no rendering here).

Counts are per person: duplicate input rows are left out of reach and breakdowns (they are the
same person as their primary row) but appear in the outcome breakdown as `duplicate`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pandas as pd
import phonenumbers

from campaign.calls.vocab import CONNECTED_OUTCOMES
from campaign.clock import Clock, SystemClock
from campaign.outcomes.frames import CampaignInfo, CampaignRows, read_campaign_rows
from campaign.outcomes.goal_rates import GoalRates, goal_rates
from campaign.outcomes.results import DUPLICATE, PENDING, variable_text
from campaign.outcomes.source import DatabaseLike, reading
from campaign.outcomes.status import Stop, campaign_status
from campaign.rules.zones import contact_timezones

#: The stored outcomes of people reached.
CONNECTED_VALUES = [outcome.value for outcome in CONNECTED_OUTCOMES]

#: Bucket sizes for "calls over time", smallest first; the first giving <= 48 bars wins.
_BUCKETS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400)
_MAX_BARS = 48
_NO_ZONES = pd.Series(dtype=object)
_TOP_VALUES = 5
_VALUE_WIDTH = 40


@dataclass(frozen=True)
class GroupRow:
    """Contacts of one country or time zone."""

    key: str
    contacts: int
    dialed: int
    connected: int

    @property
    def reach_rate(self) -> float | None:
        return self.connected / self.dialed if self.dialed else None


@dataclass(frozen=True)
class VariableValues:
    """The most frequent values one extracted variable took (one per contact)."""

    name: str
    answered: int  # contacts with a value
    distinct: int
    top: list[tuple[str, int]]


@dataclass(frozen=True)
class TimeSeries:
    """Calls per time bucket, split by call category."""

    bucket_s: int
    starts: list[datetime]
    series: dict[str, list[int]]


@dataclass(frozen=True)
class Figures:
    campaign: CampaignInfo
    state: str
    generated_at: datetime
    contacts: int  # input rows
    people: int  # valid, non-duplicate rows
    dialed: int  # people with at least one placed call
    connected: int
    outcomes: dict[str, int]
    attempts_distribution: dict[int, int]  # placed calls per dialed person -> people
    calls: int  # placed calls
    talk_times_s: list[float]  # connected calls
    calls_by_hour: dict[str, list[int]]  # category -> 24 counts, recipient-local hour
    calls_over_time: TimeSeries
    by_country: list[GroupRow]
    by_timezone: list[GroupRow]
    top_values: list[VariableValues]
    cost: dict[str, float] = field(default_factory=dict)  # currency -> total
    costed_calls: int = 0
    #: Why the last run ended (none while running).
    stop: Stop | None = None
    #: Contacts not final yet that wait, by `WaitReason` value.
    waiting: dict[str, int] = field(default_factory=dict)
    #: With a --goal: its rates overall, by attempt, by local hour, by from-number.
    goal: GoalRates | None = None

    @property
    def reach_rate(self) -> float | None:
        return self.connected / self.dialed if self.dialed else None

    @property
    def talk_mean_s(self) -> float | None:
        return sum(self.talk_times_s) / len(self.talk_times_s) if self.talk_times_s else None

    @property
    def talk_median_s(self) -> float | None:
        return float(pd.Series(self.talk_times_s).median()) if self.talk_times_s else None


def compute_figures(
    rows: CampaignRows,
    *,
    state: str,
    now: datetime,
    stop: Stop | None = None,
    waiting: dict[str, int] | None = None,
) -> Figures:
    contacts = rows.contacts
    calls = rows.attempts
    people = contacts[contacts["import_status"] != DUPLICATE]
    outcome = contacts["outcome"].fillna(PENDING)
    dialed = people[people["attempts"] > 0]
    connected_calls = calls[calls["category"] == "connected"]
    talk = connected_calls["duration_ms"].dropna() / 1000.0
    costs = calls.dropna(subset=["cost"])
    located = _locations(people)
    return Figures(
        campaign=rows.campaign,
        state=state,
        generated_at=now,
        contacts=len(contacts),
        people=int((people["import_status"] == "valid").sum()),
        dialed=len(dialed),
        connected=int(people["outcome"].isin(CONNECTED_VALUES).sum()),
        outcomes={str(k): int(v) for k, v in outcome.value_counts().items()},
        attempts_distribution=dict(sorted(Counter(int(n) for n in dialed["attempts"]).items())),
        calls=len(calls),
        talk_times_s=[float(x) for x in talk],
        calls_by_hour=_calls_by_hour(calls, located),
        calls_over_time=_calls_over_time(calls),
        by_country=_groups(located, "country"),
        by_timezone=_groups(located, "zone_label"),
        top_values=_top_values(people, calls),
        cost={
            str(currency): round(float(total), 4)
            for currency, total in costs.groupby(costs["currency"].fillna("?"))["cost"]
            .sum()
            .items()
        },
        costed_calls=len(costs),
        stop=stop,
        waiting=dict(waiting or {}),
        goal=goal_rates(rows, located.set_index("id")["zone"] if not located.empty else _NO_ZONES),
    )


def _category(calls: pd.DataFrame) -> pd.Series:
    category = calls["category"].fillna("unknown")
    return category.where(category.isin(["connected", "failed"]), "other")


def _call_times(calls: pd.DataFrame) -> pd.Series:
    return calls["started_at"].fillna(calls["requested_at"])


@cache
def _zones(to_number: str, timezone: str | None) -> tuple[str, ...]:
    return tuple(contact_timezones(to_number, timezone))


@cache
def _country(to_number: str) -> str:
    try:
        number = phonenumbers.parse(to_number, None)
    except phonenumbers.NumberParseException:
        return "?"
    return phonenumbers.region_code_for_number(number) or "?"


def _locations(people: pd.DataFrame) -> pd.DataFrame:
    """Per person with a number: country, the zone used for local hours, and a zone label."""
    reachable = people[people["to_number"].notna()]
    zones = [
        _zones(str(number), zone if isinstance(zone, str) and zone else None)
        for number, zone in zip(reachable["to_number"], reachable["timezone"], strict=True)
    ]
    countries = [
        region if isinstance(region, str) and region else _country(str(number))
        for number, region in zip(reachable["to_number"], reachable["region"], strict=True)
    ]
    return pd.DataFrame(
        {
            "id": reachable["id"].to_numpy(),
            "country": countries,
            "zone": [found[0] if found else "UTC" for found in zones],
            "zone_label": [_zone_label(found) for found in zones],
            "dialed": (reachable["attempts"] > 0).to_numpy(),
            "connected": reachable["outcome"].isin(CONNECTED_VALUES).to_numpy(),
        }
    )


def _zone_label(zones: tuple[str, ...]) -> str:
    if not zones:
        return "unknown"
    return zones[0] if len(zones) == 1 else f"{zones[0]} (+{len(zones) - 1} more)"


def _groups(located: pd.DataFrame, key: str) -> list[GroupRow]:
    if located.empty:
        return []
    grouped = located.groupby(key).agg(
        contacts=("id", "size"), dialed=("dialed", "sum"), connected=("connected", "sum")
    )
    grouped = grouped.sort_values(["contacts", "dialed"], ascending=False)
    return [
        GroupRow(
            key=str(name),
            contacts=int(row.contacts),
            dialed=int(row.dialed),
            connected=int(row.connected),
        )
        for name, row in grouped.iterrows()
    ]


def _calls_by_hour(calls: pd.DataFrame, located: pd.DataFrame) -> dict[str, list[int]]:
    series = {name: [0] * 24 for name in ("connected", "failed", "other")}
    if calls.empty:
        return series
    zone_of = located.set_index("id")["zone"] if not located.empty else pd.Series(dtype=object)
    zones = calls["contact_id"].map(zone_of).fillna("UTC")
    times = _call_times(calls)
    category = _category(calls)
    for zone, index in zones.groupby(zones).groups.items():
        hours = times.loc[index].dropna().dt.tz_convert(str(zone)).dt.hour
        pairs = Counter(zip(category.loc[hours.index], hours, strict=True))
        for (name, hour), count in pairs.items():
            series[str(name)][int(hour)] += count
    return series


def _calls_over_time(calls: pd.DataFrame) -> TimeSeries:
    times = _call_times(calls).dropna()
    if times.empty:
        return TimeSeries(bucket_s=3600, starts=[], series={})
    span = (times.max() - times.min()).total_seconds()
    bucket = next((b for b in _BUCKETS if span / b <= _MAX_BARS), _BUCKETS[-1])
    floored = times.dt.floor(timedelta(seconds=bucket))
    table = pd.crosstab(floored, _category(calls).loc[times.index])
    full = pd.date_range(floored.min(), floored.max(), freq=timedelta(seconds=bucket))
    table = table.reindex(full, fill_value=0)
    order = [name for name in ("connected", "failed", "other") if name in table.columns]
    return TimeSeries(
        bucket_s=bucket,
        starts=[ts.to_pydatetime() for ts in table.index],
        series={name: [int(v) for v in table[name]] for name in order},
    )


def _top_values(people: pd.DataFrame, calls: pd.DataFrame) -> list[VariableValues]:
    """Each extracted variable's top values, from every person's last placed call."""
    last = calls.sort_values(["contact_id", "number"]).drop_duplicates("contact_id", keep="last")
    last = last[last["contact_id"].isin(people["id"])]
    values: dict[str, Counter[str]] = {}
    for extracted in last["vars_extracted"]:
        if not isinstance(extracted, dict):
            continue
        for name, value in extracted.items():
            if value is None or value == "":
                continue
            values.setdefault(str(name), Counter())[_value_label(value)] += 1
    return [
        VariableValues(
            name=name,
            answered=sum(counter.values()),
            distinct=len(counter),
            top=counter.most_common(_TOP_VALUES),
        )
        for name, counter in sorted(values.items())
    ]


def _value_label(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, bool) else str(variable_text(value))
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def report_figures(
    db: DatabaseLike, name: str | None = None, *, clock: Clock | None = None
) -> Figures:
    """Read campaign `name` (default: the newest) and compute its report figures."""
    clock = clock or SystemClock()
    with reading(db) as database:
        rows = read_campaign_rows(database, name)
        status = campaign_status(database, rows.campaign.name, clock=clock)
    waiting = {w.reason: w.count for w in status.waiting}
    return compute_figures(
        rows, state=status.state, now=clock.now(), stop=status.stop, waiting=waiting
    )
