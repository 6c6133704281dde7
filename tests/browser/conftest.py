"""Browser tests: Playwright (pytest-playwright) driving the system Chromium.

Playwright's own browser download is not reachable here, so the Debian package `chromium`
is launched instead; without it these tests skip and say how to install it. One dashboard
(`python -m campaign serve`, a real process) serves a session database holding a finished
campaign, a hostile one and a 130-row one; runner tests add their campaigns to it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from campaign.store.db import Database, open_db
from tests.browser.support import ROOT, Hostile, hostile_campaign, many_contacts
from tests.outcomes_factory import finished_campaign

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
HERE = Path(__file__).resolve().parent


_NO_PLAYWRIGHT = importlib.util.find_spec("pytest_playwright") is None
#: Under pytest-xdist the browser tests run in a process of their own (tests/test_browser_suite.py):
#: pytest-playwright's session keeps an asyncio loop running in its process's main thread, and
#: a worker that ran them could not start the anyio tests it is given next.
_IN_XDIST_WORKER = bool(os.environ.get("PYTEST_XDIST_WORKER"))
#: Without pytest-playwright the modules cannot even be imported: leave them out, and say so.
collect_ignore_glob = ["test_*.py"] if _NO_PLAYWRIGHT or _IN_XDIST_WORKER else []


def pytest_report_header(config: pytest.Config) -> str | None:
    if _NO_PLAYWRIGHT:
        return "browser tests left out: pip install pytest-playwright, apt-get install chromium"
    return None


def _why_skip() -> str | None:
    if importlib.util.find_spec("pytest_playwright") is None:
        return "browser tests need pytest-playwright: pip install pytest-playwright"
    if not CHROMIUM.exists():
        return (
            f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium "
            "(Playwright's own browser download is not used)"
        )
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark (or skip) the browser tests and run them last: pytest-playwright's session keeps
    an asyncio loop running in the main thread, which the anyio tests could not start under."""
    reason = _why_skip()
    browser = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
    for item in browser:
        item.add_marker(pytest.mark.browser)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
    if browser:
        chosen = set(browser)
        items[:] = [item for item in items if item not in chosen] + browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def web_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web") / "campaign.db"


@pytest.fixture(scope="session")
def web_db(web_db_path: Path) -> Iterator[Database]:
    database = open_db(web_db_path)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def hostile(web_db: Database) -> Hostile:
    return hostile_campaign(web_db)


@pytest.fixture(scope="session")
def seeded(web_db: Database, hostile: Hostile) -> dict[str, int]:
    """Campaign ids by name: a finished one, a 130-row one (and the hostile one)."""
    return {
        "spring-recall": finished_campaign(web_db).campaign_id,
        "many": many_contacts(web_db, "many", 130),
        hostile.name: hostile.campaign_id,
    }


def start_server(*args: str, cwd: Path = ROOT) -> tuple[str, subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "campaign", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"(http://\S+)", line)
    if not found:
        process.kill()
        raise AssertionError(f"serve printed {line!r}")
    return found.group(1), process


def stop_server(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def server(web_db_path: Path, seeded: dict[str, int]) -> Iterator[str]:
    """The dashboard's base URL (`http://127.0.0.1:PORT`). Served from the database's folder
    as `--db campaign.db`, as a user would: the pages (and the README's picture) show that,
    not a temporary path."""
    url, process = start_server("--db", web_db_path.name, cwd=web_db_path.parent)
    yield url.rstrip("/")
    stop_server(process)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
