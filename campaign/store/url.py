"""Where the store is: `--db` (a path or a SQLAlchemy URL) as a URL, and whether it exists.

Kept apart from `db.py` so that a command that may not need the store at all (`validate` in a
folder with no database yet) learns that without loading SQLAlchemy (a quarter of a second).
"""

from __future__ import annotations

import os
from pathlib import Path

from campaign.errors import InputError

DEFAULT_DB = "campaign.db"
_SQLITE = "sqlite:///"


def database_url(db: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL for `--db`: a path becomes a SQLite URL; a URL is kept."""
    text = str(db) if db is not None else os.environ.get("CAMPAIGN_DB") or DEFAULT_DB
    if "://" in text:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(text)
        except ArgumentError as exc:
            raise InputError(f"--db {text!r} is not a database URL or path: {exc}") from exc
        return text
    path = Path(text).expanduser()
    if path.is_dir():
        raise InputError(
            f"--db {text} is a directory; give a file path such as {path / DEFAULT_DB}"
        )
    return f"{_SQLITE}{path}"


def sqlite_file_missing(url: str) -> bool:
    """Whether `url` is a SQLite file that does not exist yet (nothing was ever stored)."""
    return url.startswith(_SQLITE) and not Path(url.removeprefix(_SQLITE)).exists()
