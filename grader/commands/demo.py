"""`gradeformer demo DIR`: write a synthetic class to grade and report on."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands.grade import InputError, exercises_or_fail
from grader.spec.finding import SOURCE_EXERCISES

SOURCE_SOLUTIONS = SOURCE_EXERCISES.parent / "solutions"


@click.command(name="demo")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--students", type=click.IntRange(1), default=30, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same class.")
@click.option("--exercises", "exercises_dir", type=click.Path(path_type=Path))
@click.option(
    "--solutions",
    "solutions_dir",
    type=click.Path(path_type=Path),
    help="The solutions folder (default: solutions/ of the source checkout).",
)
def command(
    dest: Path,
    students: int,
    seed: int,
    exercises_dir: Path | None,
    solutions_dir: Path | None,
) -> None:
    """Create a synthetic class in DEST (a new or empty folder): students built from the
    solutions, the stubs and the known misconceptions, some exercises missing, one syntax
    error, one infinite loop, two .zip hand-ins."""
    from grader.demo import make_demo_class

    exercises = exercises_or_fail(exercises_dir)
    try:
        roster = make_demo_class(dest, exercises, solutions_dir or SOURCE_SOLUTIONS, students, seed)
    except (FileExistsError, FileNotFoundError) as exc:
        raise InputError(str(exc)) from None
    click.echo(f"{len(roster)} students in {dest}")
    click.echo(f"next: gradeformer grade {dest} --out results && gradeformer report results")
