"""The README's table of `run` options is `run --help`: every option in it, nothing else.

Import options are listed in the sentence under the table; options marked "(`run` only)"
are not on `resume`, every other one is.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from campaign.cli import main

README = Path(__file__).resolve().parents[3] / "README.md"
_OPTION = re.compile(r"--[a-z][a-z0-9-]*")


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(title)
    end = text.index("\n#", start + len(title))
    return text[start:end]


def _table_rows() -> list[str]:
    return [
        line for line in _section("### Options of `run`").splitlines() if line.startswith("| `")
    ]


def _options(command: str) -> set[str]:
    found = main.get_command(click.Context(main), command)
    assert found is not None
    return {
        opt
        for param in found.params
        if isinstance(param, click.Option)
        for opt in (*param.opts, *param.secondary_opts)
        if opt.startswith("--") and opt != "--help"
    }


def _documented() -> tuple[set[str], set[str]]:
    """(options in the table, those marked `run` only)."""
    table: set[str] = set()
    run_only: set[str] = set()
    for row in _table_rows():
        first_cell, meaning = row.split(" | ")[0], row.rsplit(" | ", 1)[-1]
        names = set(_OPTION.findall(first_cell))
        table |= names
        if "(`run` only)" in meaning:
            run_only |= names
    return table, run_only


def _import_options() -> set[str]:
    sentence = _section("### Options of `run`").split("Import options", 1)[1].split(". ", 1)[0]
    return set(_OPTION.findall(sentence))


def test_every_run_option_is_in_the_readme_and_every_readme_option_exists() -> None:
    table, _ = _documented()
    run = _options("run")
    documented = table | _import_options()
    assert sorted(run - documented) == [], "missing from the README's table"
    assert sorted(documented - run) == [], "in the README but not an option of run"


def test_the_table_says_which_options_resume_takes() -> None:
    table, run_only = _documented()
    assert _options("resume") == table - run_only


def test_the_table_is_read_at_all() -> None:
    table, run_only = _documented()
    assert {"--from", "--window", "--days", "--new", "--again", "--base-url"} <= table
    assert {"--name", "--dnc", "--dry-run"} <= run_only
