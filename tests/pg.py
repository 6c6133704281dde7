"""A throwaway PostgreSQL cluster for tests: `pg_url` gives each test a fresh database.

The cluster (initdb + pg_ctl in a temp dir, on a free port, unix socket in that dir) starts
once per test process and stops when it exits. PostgreSQL refuses to run as root, so as root
the server runs as the `postgres` system user (via runuser). Without PostgreSQL binaries the
tests that use it are skipped with the command that installs them.

Use: `from tests.pg import pg_cluster, pg_url  # noqa: F401` in a conftest.py (or list
`tests.pg` in `pytest_plugins`), then take `pg_url` in a test marked `@pytest.mark.postgres`.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = "install PostgreSQL: apt-get install postgresql"
#: Server settings for speed: the tests kill runners, never the database server.
_SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=300 -c listen_addresses=127.0.0.1"
)


def find_bin_dir() -> Path | None:
    """Where initdb/pg_ctl live: $PG_BIN, the newest /usr/lib/postgresql/*/bin, or PATH."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgCluster:
    bin_dir: Path
    root: Path
    port: int
    as_postgres: bool

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, timeout=60)

    def start(self) -> None:
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start_server()

    def start_server(self) -> None:
        """Start the (initialised) server; after `crash`, it recovers from its WAL."""
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} {_SERVER_OPTIONS}",
            "start",
        )

    def crash(self) -> None:
        """Stop the server as a crash would (`pg_ctl -m immediate stop`): connections drop."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run(
                str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        name = f"test_{uuid.uuid4().hex[:12]}"
        self.execute(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_cluster: PgCluster | None = None


def cluster() -> PgCluster:
    """The process's cluster, started on first use (skips the test without PostgreSQL)."""
    global _cluster
    if _cluster is not None:
        return _cluster
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(INSTALL_HINT)
    as_postgres = os.geteuid() == 0
    # The postgres user must reach the directory: under /tmp, not a private $TMPDIR.
    root = Path(tempfile.mkdtemp(prefix="campaign-pg-", dir="/tmp" if as_postgres else None))
    if as_postgres:
        shutil.chown(root, user="postgres", group="postgres")
    started = PgCluster(bin_dir, root, _free_port(), as_postgres)
    try:
        started.start()
    except subprocess.CalledProcessError as exc:
        started.stop()
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr or exc.stdout}") from exc
    atexit.register(started.stop)
    _cluster = started
    return started


@pytest.fixture(scope="session")
def pg_cluster() -> PgCluster:
    return cluster()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = pg_cluster.create_database()
    yield pg_cluster.url(name)
    pg_cluster.drop_database(name)
