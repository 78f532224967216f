"""`gradeformer list`: the exercises, their points and what each needs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from grader.commands.grade import exercises_or_fail


@click.command(name="list")
@click.option(
    "--exercises",
    "exercises_dir",
    type=click.Path(path_type=Path),
    help="Exercises folder (default: ./exercises, else the one shipped with gradeformer).",
)
def command(exercises_dir: Path | None) -> None:
    """List the exercises: module, points, functions to write, checks and prerequisites.

    Exit codes: 0 done; 2 usage or input error (no exercises, malformed spec).
    """
    exercises = exercises_or_fail(exercises_dir)
    table = Table(title="gradeformer exercises", title_justify="left")
    for col in ("#", "module", "title", "points", "functions", "checks", "needs"):
        table.add_column(col, justify="right" if col == "points" else "left")
    for ex in exercises:
        kinds = [c.visibility for c in ex.checks]
        checks = " ".join(
            f"{kinds.count(v)} {v}" for v in ("public", "hand-worked", "hidden") if v in kinds
        )
        if ex.questions:
            checks += f" · {len(ex.questions)} by hand"
        table.add_row(
            ex.number,
            ex.module,
            ex.title,
            f"{ex.points:g}",
            ", ".join(ex.functions),
            checks,
            ", ".join(ex.requires) or "-",
        )
    tty = sys.stdout.isatty()
    Console(width=None if tty else 200).print(table)  # a pipe gets whole lines
