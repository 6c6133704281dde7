"""The `python -m campaign` command line: thin commands over the library.

Each command group lives in its own module and registers itself on `main` below.
Exit codes: 0 done, 1 fatal API/auth error, 2 usage or input error, 130 interrupted.
"""

from __future__ import annotations

import importlib

from campaign.cli._base import main

# One module per command group; importing a module registers its commands on `main`.
_COMMAND_MODULES = (
    "run",
    "status",
    "export",
    "validate",
    "simulate",
    "dnc",
    "control",
    "serve",
)

for _name in _COMMAND_MODULES:
    try:
        importlib.import_module(f"campaign.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command group not built yet
        if exc.name != f"campaign.cli.{_name}":
            raise

__all__ = ["main"]
