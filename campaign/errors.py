"""Errors the library raises for the user to fix, each with the exit code the CLI uses.

    CampaignError (exit 2 unless said otherwise)
    ├── InputError        a list, file or option the user must fix       exit 2
    ├── CampaignNotFound  no such campaign in the database                exit 2
    ├── CampaignBusy      another live runner holds the campaign          exit 2
    └── FatalAPIError     the API refuses the whole campaign (401, every
                          from-number refused with 422)                  exit 1

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


class CampaignNotFound(CampaignError):
    pass


class CampaignBusy(CampaignError):
    pass


class FatalAPIError(CampaignError):
    exit_code = 1
