"""Opening the store: a SQLite path or a SQLAlchemy URL, migrated to the latest schema.

SQLite runs in WAL mode (readers never block the runner), with a short busy timeout (a
lock held longer is waited out by retries: `campaign.store.outage`) and `synchronous=FULL`
so an intent committed before a dial survives a power cut, not only a `kill -9`.
Transactions are short and never held across an HTTP request.

PostgreSQL connections never hang on a network black hole: a connect timeout, TCP
keepalives and a TCP user timeout on the client (a lost server is an error in seconds), and
server-side keepalives (a lost runner's session, and its locks, go in seconds, not hours).
Each is a default a `?key=value` in the URL overrides.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from campaign.errors import InputError, StoreUnreachable
from campaign.store.unavailable import BUSY_WAIT, is_server_gone, store_problem
from campaign.store.url import database_url

#: How long an open waits for another process creating the same database's schema.
_MIGRATION_WAIT = 15.0
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"
#: libpq options (seconds, ms for tcp_user_timeout): a dead server is an error within ~10 s.
PG_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}
#: The server's keepalives on this client's sessions (seconds): a vanished runner's
#: transaction, and the rows it locked, are let go within ~20 s.
PG_SERVER_OPTIONS = (
    "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=3 -c tcp_keepalives_count=3"
)


#: Page size of a new SQLite store (an existing file keeps its own). A contact row is
#: ~350 bytes of JSON and text: 16 KiB pages hold ~45 where 4 KiB held ~11, so a big list
#: goes in with fewer page splits and a shallower table (400k rows imported and stored in
#: 4.30-4.45 s instead of 4.84-4.85 s, the commit and index build ~0.1 s shorter; see
#: docs/scale.md).
SQLITE_PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Only a file with no table yet takes it (before WAL fixes the page size); else a no-op.
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    # Another program holding the file (a backup, a viewer) is waited for this long.
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_WAIT * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@dataclass
class Database:
    """An open, migrated store. `session()` gives a short transaction."""

    url: str
    engine: Engine

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on error.

        A write the store refuses for a reason outside the program (disk full, read-only,
        locked too long) raises `StoreUnavailable`, naming the path and the fix."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except DBAPIError as exc:
            problem = store_problem(exc, self.display_name(), self.dialect == "sqlite")
            if problem is None:
                raise
            raise problem from exc

    def read_session(self) -> Session:
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()

    def display_name(self) -> str:
        return display_name(self.url)


def display_name(url_text: str) -> str:
    """The store at `url_text` as messages show it: a path, or the URL without password."""
    url = make_url(url_text)
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def _pg_connect_args(url_text: str) -> dict[str, Any]:
    """The never-hang defaults (`PG_CONNECT_ARGS`) the URL does not set itself."""
    given = make_url(url_text).query
    args = {key: value for key, value in PG_CONNECT_ARGS.items() if key not in given}
    if "options" not in given:
        args["options"] = PG_SERVER_OPTIONS
    return args


def open_db(db: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> Database:
    """Open (and create, and migrate) the store at `db` (path or URL; default $CAMPAIGN_DB)."""
    url = database_url(db)
    backend = make_url(url).get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        database = make_url(url).database
        if database and database != ":memory:":
            parent = Path(database).expanduser().resolve().parent
            if not parent.exists():
                raise InputError(
                    f"--db {database}: folder {parent} does not exist; create it first"
                )
        kwargs["connect_args"] = {"timeout": BUSY_WAIT, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        if backend == "postgresql":
            kwargs["connect_args"] = _pg_connect_args(url)
    try:
        engine = create_engine(url, **kwargs)
    except ModuleNotFoundError as exc:
        raise InputError(
            f"the driver for {backend} is not installed ({exc.name}); "
            "install it with: pip install 'campaign[postgres]'"
        ) from exc
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    database_obj = Database(url=url, engine=engine)
    if migrate:
        try:
            migrate_to_latest(database_obj)
        except OperationalError as exc:
            if is_server_gone(exc):  # down for now: run/resume wait it out (store.outage)
                reason = str(exc.orig).strip().splitlines()[0]
                raise StoreUnreachable(
                    f"cannot reach database {database_obj.display_name()} ({reason})",
                    fix="check that the server is up and reachable, then run the command again",
                ) from exc
            raise InputError(
                f"cannot open database {database_obj.display_name()}: {exc.orig}"
            ) from exc
    return database_obj


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    if not MIGRATIONS_DIR.is_dir():
        raise InputError(
            f"schema migrations not found at {MIGRATIONS_DIR}; install campaign from its "
            "source tree (pip install -e .)"
        )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_alembic_config(None)).get_current_head())


#: The newest migration's revision. A store already there opens without loading alembic
#: (a tenth of a second of every short command, `status` among them); a test holds this
#: equal to alembic's head, so a new migration must move it.
SCHEMA_HEAD = "0005"


def _stored_revision(database: Database) -> str | None:
    """The store's revision by one plain query (None: no schema yet, or no answer)."""
    try:
        with database.engine.connect() as connection:
            row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    except DBAPIError:
        return None
    return None if row is None else str(row[0])


def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate_to_latest(database: Database) -> None:
    """Apply every migration not yet applied; cheap when the schema is current. A new
    SQLite file gets the current schema at once (`create_current`)."""
    if _stored_revision(database) == SCHEMA_HEAD:
        return
    if database.dialect == "sqlite":
        try:
            if create_current(database):
                return
        except (OperationalError, sqlite3.OperationalError):
            pass  # the file held by another process past the busy wait: the path below waits
    from alembic import command

    head = head_revision()
    if current_revision(database) == head:
        return
    try:
        with database.engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
    except OperationalError:
        # Another process is creating the schema (SQLite runs each DDL on its own): wait.
        deadline = time.monotonic() + _MIGRATION_WAIT
        while current_revision(database) != head:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


#: The table alembic keeps its revision in, as alembic itself creates it.
_VERSION_TABLE = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
)


def create_current(database: Database) -> bool:
    """An empty SQLite store given the models' schema and stamped SCHEMA_HEAD, in one
    transaction; False when it is not empty (the migrations take it from where it is).
    What a new store's first command (and every test) would otherwise spend loading
    alembic and replaying each migration, ~0.15 s. The migrations stay the history of every
    store made before: the drift tests (tests/unit/store/test_migrations.py) hold the
    schema they build equal to the models'.

    `BEGIN IMMEDIATE` takes the write lock first, so the DDL is all or nothing (sqlite3
    would otherwise run each statement on its own) and a second process creating the same
    store waits, then finds the tables there."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    from campaign.store.models import Base

    dialect = database.engine.dialect
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            tables = cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            if tables.fetchone()[0]:
                cursor.execute("ROLLBACK")
                return False
            for table in Base.metadata.sorted_tables:
                cursor.execute(str(CreateTable(table).compile(dialect=dialect)))
                for index in table.indexes:
                    cursor.execute(str(CreateIndex(index).compile(dialect=dialect)))
            cursor.execute(_VERSION_TABLE)
            cursor.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (SCHEMA_HEAD,))
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
    finally:
        raw.close()
    return True


def table_names(database: Database) -> list[str]:
    return sorted(inspect(database.engine).get_table_names())
