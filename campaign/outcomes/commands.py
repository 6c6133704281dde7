"""The commands a person is told to type next (resume, export), with the `--db` they gave.

The library words its messages without knowing how the user reached the database; the CLI
and the pages add the `--db` here, so a copied command reaches the same database. Stdlib
only: every command's error path imports it.
"""

from __future__ import annotations

import re
import shlex

_QUOTED_RESUME = re.compile(r"`python -m campaign resume ([^`]+)`")


def command(*words: str, db_argument: str | None = None) -> str:
    """`python -m campaign WORDS... [--db DB]`, quoted for a shell."""
    parts = ["python", "-m", "campaign", *words]
    if db_argument:
        parts += ["--db", db_argument]
    return shlex.join(parts)


def resume_command(name: str, db_argument: str | None = None) -> str:
    """The command that resumes campaign `name`, with the `--db` the user gave (if any)."""
    return command("resume", name, db_argument=db_argument)


def with_db_argument(message: str, db_argument: str | None) -> str:
    """`message` with each quoted `python -m campaign resume NAME` given `--db`."""
    if not db_argument:
        return message
    return _QUOTED_RESUME.sub(
        lambda found: f"`{resume_command(found.group(1), db_argument)}`", message
    )
