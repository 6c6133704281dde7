"""Helpers for contact-import tests: files written on the fly, the simulator's agents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from campaign.simulator.agents import APPOINTMENT_AGENT
from campaign.voicy.models import Agent

WriteFile = Callable[..., Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """write_file("a.csv", "text" or b"bytes", encoding="utf-8") → the path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write


@pytest.fixture
def appointment_agent() -> Agent:
    """The simulator's default agent: first_name (no default), appointment_date (default ""),
    clinic_name (default "our clinic")."""
    return Agent.from_json(APPOINTMENT_AGENT.to_json())
