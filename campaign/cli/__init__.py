"""The `python -m campaign` command line: thin commands over the library.

Each command group lives in its own module and registers itself on `main`; a module is
imported when one of its commands is run (`campaign.cli._base.COMMAND_MODULES`), so a
command starts with only what it uses.
Exit codes: 0 done, 1 fatal API/auth error, 2 usage or input error, 130 interrupted.
"""

from __future__ import annotations

from campaign.cli._base import main

__all__ = ["main"]
