"""What a list would cost, before it runs: from this database's past calls with the same agent.

    calls x answer rate x mean cost of a connected call

said by `run --dry-run` (and `validate`), or "no estimate yet" when the database has no
such calls with a cost; never a guess from nowhere.
"""

from __future__ import annotations

from pathlib import Path

from campaign.store.db import Database, open_db
from campaign.store.spend import PastCalls, past_calls
from campaign.store.url import database_url

NO_ESTIMATE = "Cost: no estimate yet (no past calls with this agent in this database)."


def cost_estimate(db: Database, agent_id: str | None, calls: int) -> PastCalls | None:
    with db.read_session() as session:
        past = past_calls(session, agent_id)
    return past if past is not None and past.costed else None


def describe_estimate(past: PastCalls | None, calls: int, agent_id: str | None) -> str:
    if past is None:
        return NO_ESTIMATE
    total = past.estimate(calls) or 0.0
    currency = f" {past.currency}" if past.currency else ""
    who = f"agent {agent_id}" if agent_id else "the numbers' agent"
    return (
        f"Cost: about {total:,.2f}{currency} for {calls} people ({past.answer_rate:.0%} "
        f"answered and a connected call cost {past.per_connected or 0:,.2f}{currency} on "
        f"average over {past.calls} past calls with {who} in this database)."
    )


def cost_estimate_report(db: str | None, agent_id: str | None, calls: int) -> str:
    """The dry run's cost line for `calls` people, without creating a database."""
    url = database_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return NO_ESTIMATE
    database = open_db(db)
    try:
        return describe_estimate(cost_estimate(database, agent_id, calls), calls, agent_id)
    finally:
        database.dispose()
