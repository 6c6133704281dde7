"""Writing an output file whole or not at all (a crash never leaves half an export)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from campaign.errors import InputError


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to `path`; moved into place when the block succeeds."""
    folder = path.expanduser().resolve().parent
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: folder {folder} does not exist; create it first")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise InputError(
            f"cannot write {path}: {exc.strerror or exc} in folder {folder}; choose another folder"
        ) from exc
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # mkstemp makes it private; outputs are ordinary files
        os.replace(temporary, path)
    except PermissionError as exc:
        raise InputError(
            f"cannot write {path}: permission denied (is it open in Excel? close it and retry)"
        ) from exc
    except IsADirectoryError as exc:
        raise InputError(f"cannot write {path}: it is a folder; give a file name") from exc
    except OSError as exc:
        raise InputError(
            f"cannot write {path}: {exc.strerror or exc}; choose another file or folder"
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)
