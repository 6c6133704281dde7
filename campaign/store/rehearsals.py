"""Where rehearsals (`--simulate`) are stored, and the rule that keeps them from real campaigns.

A rehearsal calls the built-in simulator on a compressed clock: its calls are stamped hours
or days ahead of the wall clock, and its "opt-outs" are made up by the simulator. Stored beside
real campaigns they would count for the real rules that read the database's history (the
cross-campaign `--min-gap`, the per-day cap, the same-list guard, the do-not-call list), so a
real campaign would wait for calls nobody made, or skip people who never opted out. Hence:

- `--simulate` without `--db` (run, resume, serve) stores in `./rehearsal.db`
  (`REHEARSAL_DB`), never in `./campaign.db` nor `$CAMPAIGN_DB`, which name the real store;
- a database holds rehearsals or real campaigns, never both: `ensure_apart()` refuses a
  rehearsal in a database that holds real campaigns (or a do-not-call list of its own), and
  a real campaign in a database that holds rehearsals, each with the fix.

A campaign is a rehearsal when its stored settings say `simulate` (set once, at creation;
`resume` cannot turn it off).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.models import Campaign, Suppression

#: Where `--simulate` stores its campaigns when no `--db` is given.
REHEARSAL_DB = "rehearsal.db"
_NAMES_SHOWN = 3


@dataclass(frozen=True)
class Contents:
    """What kind of campaigns a database holds."""

    rehearsals: list[str] = field(default_factory=list)  # names, newest first
    real: list[str] = field(default_factory=list)
    suppressions: int = 0

    @property
    def holds_real(self) -> bool:
        # A do-not-call list in a database without rehearsals was put there for real calls.
        return bool(self.real) or (self.suppressions > 0 and not self.rehearsals)


def is_rehearsal(settings: dict[str, object] | None) -> bool:
    return bool((settings or {}).get("simulate"))


def rehearsal_db_argument(given: str | None) -> str:
    """The `--db` a rehearsal uses: the one given, else `REHEARSAL_DB`."""
    return given or REHEARSAL_DB


def contents(db: Database) -> Contents:
    with db.read_session() as session:
        rows = session.execute(
            select(Campaign.name, Campaign.settings).order_by(Campaign.id.desc())
        ).all()
        suppressions = int(session.scalar(select(func.count()).select_from(Suppression)) or 0)
    rehearsals = [str(name) for name, settings in rows if is_rehearsal(settings)]
    real = [str(name) for name, settings in rows if not is_rehearsal(settings)]
    return Contents(rehearsals=rehearsals, real=real, suppressions=suppressions)


def ensure_apart(db: Database, *, simulate: bool) -> None:
    """Refuse (InputError, with the fix) to mix rehearsals and real campaigns in `db`."""
    found = contents(db)
    where = db.display_name()
    if simulate and found.holds_real:
        what = (
            f"real campaigns ({_names(found.real)})"
            if found.real
            else f"a do-not-call list of {found.suppressions} numbers"
        )
        raise InputError(
            f"{where} holds {what}; a rehearsal (--simulate) is never stored beside them, so "
            "that its simulated calls and opt-outs cannot count for their min-gap, daily cap, "
            f"same-list guard or do-not-call list: leave out --db (rehearsals go to "
            f"./{REHEARSAL_DB}) or give them a file of their own"
        )
    if not simulate and found.rehearsals:
        fix = "give real campaigns another database with --db NEW.db"
        plain_file = db.dialect == "sqlite" and Path(where).name != REHEARSAL_DB
        if plain_file and not found.real:
            fix += f", or set this one aside as the rehearsals' (mv {where} {REHEARSAL_DB})"
        raise InputError(
            f"{where} holds rehearsals (--simulate: {_names(found.rehearsals)}); real calls "
            "never share a database with simulated ones, whose calls and opt-outs would "
            f"count for their min-gap, daily cap, same-list guard and do-not-call list: {fix}"
        )


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown
