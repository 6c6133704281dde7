"""The linters and the type checker, as tests: the README's one test command runs them.

`ruff check` (with SLF001: no reaching into another object's private attributes),
`ruff format --check` and `mypy` (strict on the package, see pyproject.toml), each on the
whole repository exactly as a developer runs them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def _ruff() -> str:
    found = shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    return found


def test_ruff_check() -> None:
    result = _run(_ruff(), "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = _run(_ruff(), "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(900)
def test_mypy() -> None:
    result = _run(sys.executable, "-m", "mypy", timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
