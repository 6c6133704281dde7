"""Errors the library raises for the user to fix, each with the exit code the CLI uses.

    CampaignError (exit 2 unless said otherwise)
    ├── InputError        a list, file or option the user must fix       exit 2
    │   └── PhoneColumnUnknown  no (or several) phone columns: `columns` lists the
    │                     list's columns, for a page that lets the user pick one
    ├── CampaignNotFound  no such campaign in the database                exit 2
    ├── CampaignBusy      another live runner holds the campaign          exit 2
    ├── FatalAPIError     the API refuses the whole campaign (401, every
    │                     from-number refused with 422)                  exit 1
    └── StoreUnavailable  the database cannot be written (disk full, file
        │                 read-only, unreachable or locked past --db-outage) exit 1
        ├── StoreLocked   another program holds the SQLite file's write lock (a backup
        │                 tool, a viewer): a run waits it out, retrying, up to --db-outage
        └── StoreUnreachable  the database server could not be reached when opening it:
                          `run`/`resume` wait it out, retrying, up to --db-outage

Voicy API errors have their own tree in `campaign.voicy.errors`.
"""

from __future__ import annotations


class CampaignError(Exception):
    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(CampaignError):
    """Bad input: the message says what is wrong and how to fix it."""


class PhoneColumnUnknown(InputError):
    """The phone column could not be told: `problem` says why (without the CLI's fix),
    `columns` are the list's columns and `candidates` the ones that could be it."""

    def __init__(
        self, message: str, problem: str, columns: list[str], candidates: list[str]
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.columns = columns
        self.candidates = candidates


class CampaignNotFound(CampaignError):
    pass


class CampaignBusy(CampaignError):
    pass


class FatalAPIError(CampaignError):
    exit_code = 1


class StoreUnavailable(CampaignError):
    """The store refused a write for a reason outside the program: disk full, a read-only
    file, a lock another program holds. Nothing unwritten was dialed; the message names the
    path and the fix (and, once a run knows its campaign, the resume command)."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str = "") -> None:
        super().__init__(f"{message}; {fix}" if fix else message)
        self.problem = message
        self.fix = fix

    def with_resume(self, name: str) -> StoreUnavailable:
        """The same error, its fix followed by the resume command of campaign `name`."""
        then = f"then resume with `python -m campaign resume {name}`"
        return StoreUnavailable(self.problem, fix=f"{self.fix}, {then}" if self.fix else then)


class StoreLocked(StoreUnavailable):
    """Another program holds the SQLite file's write lock (a backup tool, a viewer). A run
    waits it out like a database server outage (`campaign.engine.db_outage`); what gives up
    says so with this message and its fix."""


class StoreUnreachable(StoreUnavailable):
    """The database server could not be reached when the store was opened (down, restarting,
    a network blip). `run` and `resume` wait it out (`campaign.store.outage.patiently`)."""
