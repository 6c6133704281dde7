"""Building the calling rules a runner applies from its settings."""

from __future__ import annotations

from typing import Any

from campaign.clock import Clock
from campaign.engine.dispatch import DialRules, NoRules, RoundRobinCallerId
from campaign.engine.settings import RunSettings
from campaign.store.db import Database


def build_rules(
    db: Database, settings: RunSettings, clock: Clock
) -> tuple[DialRules, RoundRobinCallerId, dict[str, Any]]:
    return NoRules(), RoundRobinCallerId(settings.from_numbers), {}
