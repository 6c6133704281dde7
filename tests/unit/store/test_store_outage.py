"""The store down for now, not for good: which errors say so, the never-hang connection
options, and waiting it out before a run (`patiently`, on fake time)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from campaign.engine.crashpoints import parse_spec
from campaign.errors import StoreLocked, StoreUnavailable, StoreUnreachable
from campaign.store.db import PG_SERVER_OPTIONS, _pg_connect_args, open_db
from campaign.store.outage import is_server_gone, is_store_down, patiently, reachable


def _pg(text: str, cls: type[Exception] = psycopg.OperationalError) -> OperationalError:
    return OperationalError("SELECT 1", {}, cls(text))


REFUSED = (
    'connection failed: connection to server at "10.0.0.5", port 5432 failed: Connection refused'
)


@pytest.mark.parametrize(
    ("error", "gone"),
    [
        (_pg(REFUSED), True),
        (_pg("consuming input failed: server closed the connection unexpectedly"), True),
        (_pg("connection timeout expired", psycopg.errors.ConnectionTimeout), True),
        (_pg("failed to resolve host 'db.internal': [Errno -3] Temporary failure"), True),
        (_pg("connection failed: ... failed: FATAL:  the database system is starting up"), True),
        (_pg("connection failed: ... failed: FATAL:  the database system is shutting down"), True),
        (_pg("connection failed: ... failed: FATAL:  sorry, too many clients already"), True),
        # The server answered and refused for good: waiting would not help.
        (_pg('connection failed: ... failed: FATAL:  database "x" does not exist'), False),
        (_pg('connection failed: ... FATAL:  password authentication failed for user "a"'), False),
        (_pg('connection failed: ... failed: FATAL:  role "nobody" does not exist'), False),
        (_pg("syntax error", psycopg.errors.SyntaxError), False),
        (OperationalError("SELECT 1", {}, Exception("database is locked")), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_postgres_errors_mean_the_server_is_gone(error: Exception, gone: bool) -> None:
    assert is_server_gone(error) is gone


@pytest.mark.parametrize(
    ("error", "down"),
    [
        (StoreLocked("database c.db is locked by another program", fix="close it"), True),
        (OperationalError("INSERT", {}, Exception("database is locked")), True),
        (StoreUnreachable("cannot reach database x", fix="check it"), True),
        (StoreUnavailable("database c.db: the disk is full", fix="free space"), False),
        (_pg(REFUSED), True),
    ],
)
def test_down_for_now_is_a_lock_or_a_server_gone(error: Exception, down: bool) -> None:
    assert is_store_down(error) is down


def test_connections_have_timeouts_the_url_can_override() -> None:
    args = _pg_connect_args("postgresql+psycopg://u@db/c")
    assert args["connect_timeout"] == 5 and args["tcp_user_timeout"] == 10_000
    assert args["keepalives"] == 1 and args["options"] == PG_SERVER_OPTIONS
    given = _pg_connect_args("postgresql+psycopg://u@db/c?connect_timeout=30&options=-c%20x%3D1")
    assert "connect_timeout" not in given and "options" not in given
    assert given["keepalives_idle"] == 5


class _FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.naps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def test_a_step_waits_out_an_outage_then_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    fake = _FakeTime()
    failures = iter([_pg(REFUSED), _pg(REFUSED), _pg(REFUSED)])

    def step() -> str:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return "opened"

    with caplog.at_level(logging.WARNING, logger="campaign.store"):
        done = patiently(
            step, "db.internal/c", limit=600, sleep=fake.sleep, monotonic=fake.monotonic
        )
    assert done == "opened"
    assert fake.naps == [0.1, 0.2, 0.4]  # backing off
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines  # said once, and once when back
    assert "unreachable" in lines[0] and "waiting, retrying for up to 10m (--db-outage)" in lines[0]
    assert "answers again" in lines[1]


def test_past_the_limit_one_line_with_the_fix() -> None:
    fake = _FakeTime()

    def step() -> None:
        raise StoreLocked("database c.db is locked by another program", fix="close that program")

    with pytest.raises(StoreUnavailable) as caught:
        patiently(step, "c.db", limit=30, then="nothing was stored", sleep=fake.sleep,
                  monotonic=fake.monotonic)  # fmt: skip
    message = caught.value.message
    assert "c.db stayed locked by another program" in message and "over 30 s" in message
    assert "nothing was stored" in message
    assert message.endswith("close that program, then run the same command again")
    assert fake.now == pytest.approx(30)  # not a probe interval past it


def test_other_errors_are_not_waited_for() -> None:
    fake = _FakeTime()

    def step() -> None:
        raise StoreUnavailable("database c.db: the disk is full", fix="free space")

    with pytest.raises(StoreUnavailable, match="disk is full"):
        patiently(step, "c.db", limit=600, sleep=fake.sleep, monotonic=fake.monotonic)
    assert fake.naps == []


def test_crash_point_specs_kill_or_freeze() -> None:
    armed = parse_spec("after_intent:3, before_finish:1:stop")
    assert armed["after_intent"].left == 3 and armed["after_intent"].signal.name == "SIGKILL"
    assert armed["before_finish"].left == 1 and armed["before_finish"].signal.name == "SIGSTOP"
    assert parse_spec("") == {}


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that takes connections and never answers (a network black hole, as far as
    the client can tell)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield int(server.getsockname()[1])


def test_a_probe_into_a_black_hole_fails_in_seconds_not_hangs(black_hole: int) -> None:
    # The URL's own connect_timeout wins over the default (5 s); 2 s is libpq's least.
    db = open_db(
        f"postgresql+psycopg://u@127.0.0.1:{black_hole}/c?connect_timeout=2", migrate=False
    )
    try:
        started = time.monotonic()
        assert reachable(db) is False
        assert time.monotonic() - started < 10
    finally:
        db.dispose()


def test_opening_a_server_that_is_down_is_one_line_to_wait_on() -> None:
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreUnreachable) as caught:
        open_db(f"postgresql+psycopg://u@127.0.0.1:{port}/c")
    assert "cannot reach database postgresql+psycopg://u@127.0.0.1" in caught.value.message
    assert "Connection refused" in caught.value.message and "\n" not in caught.value.message
    assert is_store_down(caught.value)
