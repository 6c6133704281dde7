"""The root click group and the error handling every command shares."""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import Any

import click

from campaign.errors import CampaignError
from campaign.localtime import localize_stamps
from campaign.outcomes.commands import with_db_argument

#: Exit code of an unexpected error (a bug): one line, the traceback with --debug.
INTERNAL_ERROR = 3
_DB_ARGUMENT = "campaign.db_argument"
#: Each command and the module of `campaign.cli` that defines it, imported when the command
#: runs (or for `--help`): `status` loads no HTTP client, simulator or engine. A unit test
#: holds this table equal to the commands the modules register.
COMMAND_MODULES = {
    "run": "run",
    "resume": "run",
    "status": "status",
    "list": "status",
    "export": "export",
    "report": "export",
    "validate": "validate",
    "simulate": "simulate",
    "dnc": "dnc",
    "pause": "control",
    "cancel": "control",
    "serve": "serve",
}
#: The API's errors module: a command that never imported it cannot have raised its errors.
_VOICY_ERRORS = "campaign.voicy.errors"


def remember_db_argument(db_argument: str | None) -> None:
    """The `--db` a command works on, repeated in every resume command it prints (errors
    included), so the printed command reaches the same database."""
    click.get_current_context().meta[_DB_ARGUMENT] = db_argument


def say(message: str) -> str:
    """A library message for the user: its resume commands with the command's `--db`, its
    instants in the user's time zone."""
    db_argument = click.get_current_context().meta.get(_DB_ARGUMENT)
    return localize_stamps(with_db_argument(message, db_argument))


class CampaignGroup(click.Group):
    """Turns library errors into one clear line and the documented exit code; loads a
    command's module when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(f"campaign.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            try:
                return super().invoke(ctx)
            except BaseExceptionGroup as group:
                # Task groups wrap errors; a lone user-facing error is shown as itself.
                leaf = _single_leaf(group)
                if leaf is None:
                    raise
                raise leaf from None
        except CampaignError as exc:
            if debug:
                raise
            message = localize_stamps(with_db_argument(exc.message, ctx.meta.get(_DB_ARGUMENT)))
            click.echo(f"Error: {message}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors, --help, Ctrl-C at a prompt: click words them itself
        except BrokenPipeError:
            # `export -o - | head`: the reader left; nothing more to say, and Python must
            # not fail again flushing stdout at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:
            if debug:
                raise
            voicy = _voicy_errors()
            if voicy is not None and isinstance(exc, voicy.AuthError):
                click.echo(
                    f"Error: the Voicy API refused the key ({exc.message}). "
                    "Set VOICY_API_KEY to a valid key (voicy_sk_...).",
                    err=True,
                )
                sys.exit(1)
            if voicy is not None and isinstance(exc, voicy.VoicyError):
                click.echo(f"Error: Voicy API: {exc}", err=True)
                sys.exit(1)
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {exc}. This is a bug in campaign: "
                "run the command again with --debug for the traceback and report it.",
                err=True,
            )
            sys.exit(INTERNAL_ERROR)


@click.group(cls=CampaignGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="campaign")
def main(debug: bool) -> None:
    """Phone a list of people with a Voicy AI agent, never twice by accident.

    Start with `campaign run contacts.csv --simulate` to see a campaign on the built-in
    simulator, then set VOICY_API_KEY and drop --simulate for real calls.
    """


def _voicy_errors() -> ModuleType | None:
    return sys.modules.get(_VOICY_ERRORS)


def _single_leaf(group: BaseExceptionGroup[Any]) -> BaseException | None:
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for inner in exc.exceptions:
                walk(inner)
        else:
            leaves.append(exc)

    walk(group)
    interesting = [e for e in leaves if not isinstance(e, SystemExit)]
    if len(interesting) != 1:
        return None
    voicy = _voicy_errors()
    shown: tuple[type[BaseException], ...] = (CampaignError, KeyboardInterrupt)
    if voicy is not None:
        shown += (voicy.VoicyError,)
    return interesting[0] if isinstance(interesting[0], shown) else None
