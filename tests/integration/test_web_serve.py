"""`python -m campaign serve` as people start it: loopback without a token, any other address
with one (generated and printed), clear errors for a busy port or a missing database."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from click.testing import CliRunner

from campaign.cli import main
from campaign.store.db import Database
from tests.browser.support import ROOT
from tests.outcomes_factory import finished_campaign


@contextmanager
def serving(*args: str, cwd: Path = ROOT) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "campaign", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"(http://\S+)", line)
        assert found, f"serve printed {line!r}"
        yield found.group(1), process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


def local(url: str) -> str:
    """The printed address, reached through loopback (the printed host may be a name)."""
    return re.sub(r"^http://[^/]+:", "http://127.0.0.1:", url)


def test_loopback_needs_no_token(db: Database, db_path: Path) -> None:
    finished_campaign(db)
    with serving("--db", str(db_path)) as (url, _):
        assert "token" not in url and url.startswith("http://127.0.0.1:")
        page = httpx.get(url + "campaigns/1", timeout=10)
        assert page.status_code == 200 and "spring-recall" in page.text
        rebound = httpx.get(url, headers={"host": "evil.example"}, timeout=10)
        assert rebound.status_code == 421


def test_any_other_address_needs_the_printed_token(db: Database, db_path: Path) -> None:
    finished_campaign(db)
    with serving("--db", str(db_path), "--host", "0.0.0.0") as (url, process):
        token = re.search(r"\?token=([\w-]+)$", url)
        assert token, url
        base = local(url).split("?")[0]
        for path in ("", "campaigns/1", "campaigns/1/live", "static/app.js"):
            assert httpx.get(base + path, timeout=10).status_code == 401, path
        with httpx.Client(timeout=10, follow_redirects=True) as browser:
            page = browser.get(local(url))
            assert page.status_code == 200 and "spring-recall" in page.text
            assert str(page.url) == base  # the token left the address bar for a cookie
            assert browser.get(base + "campaigns/1/live").status_code == 200
        bearer = httpx.get(base + "live", headers={"authorization": f"Bearer {token.group(1)}"})
        assert bearer.status_code == 200
    assert process.returncode == 0
    assert process.stdout is not None and "Dashboard stopped." in process.stdout.read()


def test_a_busy_port_and_a_missing_database_say_the_fix(db: Database, db_path: Path) -> None:
    finished_campaign(db)
    runner = CliRunner()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = runner.invoke(main, ["serve", "--db", str(db_path), "--port", str(port)])
    assert busy.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use; pass another one" in busy.output
    nowhere = db_path.parent / "no-such-folder" / "new.db"
    missing = runner.invoke(main, ["serve", "--db", str(nowhere)])
    assert missing.exit_code == 2 and "does not exist; create it first" in missing.output
    short = runner.invoke(main, ["serve", "--db", str(db_path), "--token", "abc"])
    assert short.exit_code == 2 and "too short" in short.output


def test_serving_a_new_database_shows_the_empty_state_with_new_campaign(tmp_path: Path) -> None:
    """`serve --db NEW.db`, or `serve` in a fresh folder: the page a first campaign starts from."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for args, created in ((["--db", "first.db"], fresh / "first.db"), ([], fresh / "campaign.db")):
        with serving(*args, cwd=fresh) as (url, process):
            page = httpx.get(url, timeout=10)
            assert page.status_code == 200
            assert "No campaigns in this database yet" in page.text
            assert '<a class="button primary" href="/new">New campaign</a>' in page.text
            assert httpx.get(url + "new", timeout=10).status_code == 200
        assert created.is_file()
        assert process.stdout is not None and "new and empty" in process.stdout.read()
    rehearsing = fresh / "rehearsals"
    rehearsing.mkdir()
    with serving("--simulate", cwd=rehearsing) as (url, _):
        assert "New campaign" in httpx.get(url, timeout=10).text
    assert (rehearsing / "rehearsal.db").is_file() and not (rehearsing / "campaign.db").exists()
