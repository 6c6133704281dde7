"""Which database errors mean "the store cannot be written now" (not a bug), and their fix.

SQLite says so in the error's text: a full disk (`database or disk is full`, and the I/O
error some filesystems give instead), a file or folder the process may not write
(`readonly database`), a lock another program kept past the busy timeout (`database is
locked`: a backup tool, a viewer). Each becomes a `StoreUnavailable` naming the path and
the fix; anything else stays what it was.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import DBAPIError

from campaign.errors import StoreUnavailable

#: How long a write waits for a lock another program holds before saying so (seconds).
BUSY_WAIT = 120.0


def store_problem(exc: DBAPIError, where: str, sqlite: bool) -> StoreUnavailable | None:
    """The user-facing error for `exc` raised on the store at `where`, or None (a bug)."""
    if not sqlite:
        return None
    text = str(exc.orig).lower()
    folder = Path(where).expanduser().resolve().parent
    if "disk is full" in text:
        return StoreUnavailable(
            f"database {where}: the disk is full, nothing more can be written (no call is "
            "dialed without its record)",
            fix=f"free space on the disk of {folder} (or move the file elsewhere)",
        )
    if "disk i/o error" in text:
        return StoreUnavailable(
            f"database {where}: the disk refused a write (full, failing, or turned read-only)",
            fix=f"check the disk of {folder} (free space, `dmesg`, mount options)",
        )
    if "readonly database" in text or "read-only" in text or "unable to open" in text:
        return StoreUnavailable(
            f"database {where} cannot be written: the file, its folder or its filesystem is "
            "read-only (or the folder is gone)",
            fix=f"make {where} and {folder} writable (chmod u+w, or remount read-write)",
        )
    if "database is locked" in text:
        return StoreUnavailable(
            f"database {where} is locked by another program for over {BUSY_WAIT:g} s "
            "(a backup tool or a database viewer?)",
            fix="close that program",
        )
    return None
