"""The browser tests in a process of their own when the suite runs under pytest-xdist.

pytest-playwright's session keeps an asyncio loop running in its process's main thread; an
xdist worker that ran the browser tests could not start the anyio tests it is given next. So
under xdist the workers leave `tests/browser` out (its conftest) and this one test runs it
with plain pytest, failing with that run's report. Run without xdist (`pytest -n0`, or
`pytest -n0 tests/browser`) the browser tests are collected directly and this one skips.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(900)
@pytest.mark.skipif(
    not os.environ.get("PYTEST_XDIST_WORKER"),
    reason="not under xdist: the browser tests are collected themselves",
)
def test_the_browser_tests_pass_in_a_process_of_their_own() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTEST_XDIST"))}
    command = [sys.executable, "-m", "pytest", "-n0", "-p", "no:cacheprovider", "-q", "-ra"]
    result = subprocess.run(
        [*command, "tests/browser"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=880,
        check=False,
    )
    report = result.stdout[-12000:] + result.stderr[-3000:]
    assert result.returncode == 0, report
    assert " passed" in result.stdout, report  # it ran them: not an empty collection
