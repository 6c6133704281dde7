"""The API key from the environment, without loading the HTTP client (a command that only
might look an agent up can tell it has no key first)."""

from __future__ import annotations

import os

from campaign.errors import InputError

#: The environment variable that holds the Voicy API key.
ENV_VAR = "VOICY_API_KEY"
MISSING_KEY = (
    f"{ENV_VAR} is not set: set it to your Voicy API key (voicy_sk_...), "
    "or use --simulate to try without one"
)


def api_key_from_env() -> str:
    """VOICY_API_KEY, stripped; an InputError that says how to set it when it is not."""
    api_key = os.environ.get(ENV_VAR, "").strip()
    if not api_key:
        raise InputError(MISSING_KEY)
    return api_key
