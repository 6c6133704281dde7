"""The command line imports a command's module only when the command runs."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from campaign.cli import main
from campaign.cli._base import COMMAND_MODULES


def test_the_table_names_every_command_and_its_module() -> None:
    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"campaign.cli.{module}")
    registered = {name: command.callback.__module__ for name, command in main.commands.items()}
    assert registered == {
        name: f"campaign.cli.{module}" for name, module in COMMAND_MODULES.items()
    }
    context = click.Context(main)
    assert main.list_commands(context) == sorted(COMMAND_MODULES)


def test_status_starts_without_the_http_client_or_the_engine() -> None:
    """`status --help` in a fresh interpreter: its module loaded, not the others'."""
    probe = (
        "import sys\n"
        "from campaign.cli import main\n"
        "try:\n"
        "    main(['status', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('httpx', 'campaign.engine', 'campaign.simulator', 'campaign.cli.run',\n"
        "         'pandas', 'campaign.voicy.client')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def test_api_errors_are_still_one_line_and_exit_1() -> None:
    """The group tells the API's errors apart without importing the client up front."""
    from click.testing import CliRunner

    from campaign.cli._base import CampaignGroup
    from campaign.voicy.errors import AuthError, ServerError

    group = CampaignGroup("probe")
    raised = {
        "key": AuthError("bad key", status_code=401),
        "api": ServerError("down", status_code=503),
        "bug": ValueError("oops"),
    }
    for name, error in raised.items():

        def fail(error: Exception = error) -> None:
            raise error

        group.command(name)(fail)
    runner = CliRunner()
    key, api, bug = (runner.invoke(group, [name]) for name in raised)
    assert (key.exit_code, api.exit_code, bug.exit_code) == (1, 1, 3)
    assert "refused the key (bad key)" in key.output and "VOICY_API_KEY" in key.output
    assert "Error: Voicy API: HTTP 503: down" in api.output
    assert "unexpected ValueError" in bug.output


def test_the_recent_calls_line_without_a_database_loads_no_store(tmp_path: Path) -> None:
    """`validate` in a folder with no database yet: its last line without SQLAlchemy, and
    the API's answer types without httpx."""
    probe = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from campaign.campaigns.recent import recent_calls_report\n"
        "import campaign.voicy.models, campaign.voicy.errors, campaign.store.url\n"
        f"print(recent_calls_report({str(tmp_path / 'none.db')!r}, ['+12125550100'], "
        "datetime.now(UTC)))\n"
        "heavy = ('sqlalchemy', 'httpx', 'openpyxl')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    said, loaded = done.stdout.strip().splitlines()[-2:]
    assert said.startswith("No database yet")
    assert loaded == "[]", done.stdout
    assert not (tmp_path / "none.db").exists()


def test_the_lazy_package_names_still_resolve() -> None:
    from campaign import store, voicy
    from campaign.store.db import Database
    from campaign.voicy.client import VoicyClient

    assert voicy.VoicyClient is VoicyClient and store.Database is Database
    assert store.database_url("x.db").endswith("x.db")
    with pytest.raises(AttributeError):
        _ = voicy.NoSuchName


def test_validate_without_a_key_or_a_database_loads_no_store_and_no_http(
    tmp_path: Path,
) -> None:
    """A plain `validate` checks the list, the calendar and the agent lookup (no key: said)
    without SQLAlchemy or httpx, a fifth of its start on a big list."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("name,phone\nAna,212-555-0100\n", encoding="utf-8")
    probe = (
        "import sys\n"
        "from campaign.cli import main\n"
        "try:\n"
        f"    main(['validate', {str(contacts)!r}, '--db', {str(tmp_path / 'none.db')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'httpx', 'campaign.voicy.client', 'campaign.engine.rules_bridge')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("VOICY_API_KEY", "CAMPAIGN_DB")}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60,
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert "VOICY_API_KEY is not set" in done.stdout, done.stdout
    assert "Countries: 1 (US 1)" in done.stdout, done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
