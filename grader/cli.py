"""The `gradeformer` command line: parses options and delegates; no grading logic lives here.

Each command is a small click function in its own module under `grader/commands/`.

Exit codes (every command):
  0  done (for `check`: every check passed)
  1  done, but the result falls short (`check` with a failing check, `grade --fail-under`,
     `validate` with a problem)
  2  usage or input error (bad option, missing submission, malformed exercise spec)
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from grader import __version__, commands

EXIT_CODES_HELP = (
    "Exit codes: 0 done (check: all passed); 1 graded with failures "
    "(check, grade --fail-under, validate); 2 usage or input error."
)


@click.group(
    help="Build a transformer from scratch, one hand-checkable step at a time, "
    "and get graded on it.\n\n" + EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="gradeformer")
def cli() -> None:
    """Root command group."""


def _register_commands() -> None:
    """Add every `click.Command` named `command` found in `grader.commands.*`."""
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            cli.add_command(command)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="gradeformer")
