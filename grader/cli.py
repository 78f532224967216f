"""The `gradeformer` command line: parses options and delegates; no grading logic lives here.

Each command is a small click function named `command` in its own module
`grader/commands/<command name>.py`, imported only when that command runs.

Exit codes (every command):
  0  done (for `check`: every check passed)
  1  done, but the result falls short (`check` with a failing check, `grade --fail-under`,
     `validate` with a problem)
  2  usage or input error (bad option, missing submission, malformed exercise spec)
  143  stopped by SIGTERM (workers stopped, their temporary folders removed)
"""

from __future__ import annotations

import importlib
import pkgutil
import signal

import click

from grader import __version__, commands
from grader.threads import use_one_blas_thread

EXIT_CODES_HELP = (
    "Exit codes: 0 done (check: all passed); 1 graded with failures "
    "(check, grade --fail-under, validate); 2 usage or input error."
)


class CommandsGroup(click.Group):
    """A group whose sub-commands live in `grader.commands.<name>` and load only when used,
    so `gradeformer check` does not pay for importing the report or the batch machinery."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(info.name for info in pkgutil.iter_modules(commands.__path__))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.list_commands(ctx):
            return None
        module = importlib.import_module(f"{commands.__name__}.{cmd_name}")
        command = getattr(module, "command", None)
        return command if isinstance(command, click.Command) else None


@click.group(
    cls=CommandsGroup,
    help="Build a transformer from scratch, one hand-checkable step at a time, "
    "and get graded on it.\n\n" + EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="gradeformer")
def cli() -> None:
    """Root command group."""


def main() -> None:
    """Console-script entry point."""
    use_one_blas_thread()
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="gradeformer")


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends the command as an error would, so workers and their folders are removed."""
    raise SystemExit(128 + signum)
