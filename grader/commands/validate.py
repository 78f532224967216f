"""`gradeformer validate`: prove the check suite (solutions 100%, stubs 0, bugs caught)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from grader.commands.grade import InputError, exercises_or_fail, instructor_errors
from grader.spec import find_exercises_root, select
from grader.validate import ExerciseValidation, validate

EXIT_HELP = "Exit codes: 0 the suite is sound; 1 a problem was found; 2 usage or input error."


@click.command(name="validate", epilog=EXIT_HELP)
@click.option("--exercises", "exercises_dir", type=click.Path(path_type=Path))
@click.option(
    "--solutions",
    "solutions_dir",
    type=click.Path(path_type=Path),
    help="Solutions folder (default: solutions/ beside the exercises folder).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.argument("names", nargs=-1)
def command(
    exercises_dir: Path | None, solutions_dir: Path | None, seed: int, names: tuple[str, ...]
) -> None:
    """Check every exercise's suite: each solution scores 100%, each stub 0 with "not
    implemented", each misconception loses points, fails a hidden check and is named as
    itself. Checks no misconception fails are listed as warnings."""
    try:
        root = find_exercises_root(exercises_dir)
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None
    every_exercise = exercises_or_fail(root, names)
    exercises = select(every_exercise, list(names))
    solutions = solutions_dir or root.parent / "solutions"
    if not solutions.is_dir():
        raise InputError(f"no solutions at {solutions}; pass --solutions DIR")
    with instructor_errors():
        reports = validate(exercises, root, solutions, seed, every_exercise)
    console = Console(width=None if sys.stdout.isatty() else 160)  # CI logs get whole rows
    for report in reports:
        console.print(_table(report))
        for line in report.problems:
            console.print(f"  ✗ {line}", style="red", markup=False)
        for line in report.warnings:
            console.print(f"  ! {line}", style="yellow", markup=False)
    bad = [r.exercise for r in reports if not r.ok]
    summary = f"{len(reports) - len(bad)}/{len(reports)} exercises valid"
    console.print(summary + (": problems in " + ", ".join(bad) if bad else ""), markup=False)
    sys.exit(1 if bad else 0)


def _table(report: ExerciseValidation) -> Table:
    mark = "✓" if report.ok else "✗"
    table = Table(title=f"{mark} {report.exercise}", title_justify="left")
    table.add_column("what")
    table.add_column("result")
    table.add_column("detail")
    sol = report.solution_percent
    table.add_row("solution", "missing" if sol is None else f"{sol:.1f}%", "")
    table.add_row("stub", report.stub_status, report.stub_message)
    for m in report.misconceptions:
        caught = f"{len(m.hidden_failed)} hidden" if m.hidden_failed else "no hidden check"
        named = "named" if m.named_on else "never named"
        table.add_row(f"bug: {m.name}", f"{m.percent:.1f}%", f"{caught} · {named}")
    return table
