"""The SQLite file's disk fills up mid-campaign: the runner stops dialing at once with one
line naming the path, the fix and the resume command; `resume` after the fix (started while
another program holds the file's lock: it waits and retries) loses nothing and dials nobody
twice. Real processes, a real size-limited filesystem (tmpfs, as root).
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from campaign.errors import StoreUnavailable
from campaign.store.db import open_db
from tests.factories import wait_for
from tests.integration.test_engine_crash import (
    RUN_OPTIONS,
    Setup,
    assert_complete_and_never_twice,
    campaign_cmd,
    query,
    setup,  # noqa: F401
)

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs (skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(disk: Path) -> Path:
    """Every free byte of `disk` taken. Unbuffered: a buffered file left holding the bytes
    the full disk refused would raise again when closed (the test failed so, at random)."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
    return filler


def test_a_full_disk_stops_the_run_cleanly_and_resume_finishes_it(
    setup: Setup,  # noqa: F811
    small_disk: Path,
) -> None:
    setup.db = small_disk / "campaign.db"
    proc = subprocess.Popen(
        campaign_cmd("run", str(setup.contacts), *RUN_OPTIONS, "--db", str(setup.db)),
        env=setup.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(
        lambda: (
            setup.db.exists()
            and query(setup.db, "SELECT count(*) FROM attempts WHERE state = 'ended'")[0][0] > 0
        )
    )
    filler = _fill(small_disk)
    out, err = proc.communicate(timeout=60)
    dialed_when_full = sum(setup.world.dial_counts.values())
    assert proc.returncode == 1, out + err
    message = [line for line in err.splitlines() if line.strip()]
    assert len(message) == 1, err
    assert str(setup.db) in message[0] and "full" in message[0]
    assert "campaign resume" in message[0]
    filler.unlink()
    # Another program (a backup tool, a viewer) holds the file's write lock as `resume`
    # starts: it waits, saying so, and retries; nobody is dialed meanwhile.
    other = sqlite3.connect(setup.db, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    said = setup.db.parent / "resume.err"
    with said.open("w") as err_file:
        resumed = subprocess.Popen(
            campaign_cmd("resume", "--db", str(setup.db)),
            env=setup.env,
            stdout=subprocess.PIPE,
            stderr=err_file,
            text=True,
        )
    try:
        wait_for(lambda: "locked by another program" in said.read_text())
        assert "waiting, retrying" in said.read_text()
        assert resumed.poll() is None
        assert sum(setup.world.dial_counts.values()) == dialed_when_full
    finally:
        other.rollback()
        other.close()
    out, _ = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, out + said.read_text()
    assert "answers again" in said.read_text()
    assert_complete_and_never_twice(setup)


def test_a_read_only_filesystem_is_one_clear_error_and_writes_go_on_after(
    small_disk: Path,
) -> None:
    path = small_disk / "campaign.db"
    db = open_db(path)
    with db.session() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    db.dispose()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        db = open_db(path, migrate=False)
        with pytest.raises(StoreUnavailable) as caught, db.session() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
        db.dispose()
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    message = caught.value.with_resume("spring").message
    assert str(path) in message and "read-only" in message and "remount" in message
    db = open_db(path, migrate=False)
    with db.session() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
    db.dispose()
