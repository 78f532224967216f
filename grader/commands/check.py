"""`gradeformer check [EXERCISE...]`: a student's public checks, with feedback."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from grader import writers
from grader.commands.grade import (
    FormatChoice,
    InputError,
    exercises_or_fail,
    instructor_errors,
    launch_workers,
    submission_workers,
)

if TYPE_CHECKING:
    from grader.results import SubmissionResult

EXIT_HELP = (
    "Exit codes: 0 every check passed; 1 some check failed or an exercise is not done; "
    "2 usage or input error."
)


@click.command(name="check", epilog=EXIT_HELP)
@click.argument("exercises", nargs=-1)
@click.option(
    "--path",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Your work: a folder (searched for the modules), a .zip or an .ipynb.",
)
@click.option(
    "--exercises",
    "exercises_dir",
    type=click.Path(path_type=Path),
    help="Exercises folder (default: ./exercises, an exercise.yaml here or above, the kit).",
)
@click.option("--format", "fmt", type=FormatChoice(), default="terminal", hidden=True)
def command(exercises: tuple[str, ...], path: Path, exercises_dir: Path | None, fmt: str) -> None:
    """Run the public and hand-worked checks of EXERCISE (module or folder name; all by
    default) on your code, and your by-hand answers in answers.yaml."""
    if not path.exists():
        raise InputError(f"no work at {path} (no such file or folder)")
    names = list(exercises)
    workers = launch_workers(1 if len(names) == 1 else submission_workers(None), None)
    # imported once the workers are launched: they boot while numpy and the grader load
    from grader.api import CheckReport
    from grader.grading import grade_submission

    try:
        all_exercises = exercises_or_fail(exercises_dir, names)
        with instructor_errors():
            graded = grade_submission(
                path, all_exercises, "public", 0, only=names or None, sibling_folders=True,
                workers=workers,
            )  # fmt: skip
    finally:
        for worker in workers:
            worker.close()
    result = CheckReport.of(graded if names else _only_submitted(graded))
    if result.error:  # nothing was graded: one line on stderr, exit 2
        raise InputError(result.error)
    writers.write(result, fmt, sys.stdout)
    sys.exit(0 if result.all_passed else 1)


def _only_submitted(result: SubmissionResult) -> SubmissionResult:
    """With no exercise named, the exercises whose module was found (all when none was)."""
    found = [ex for ex in result.exercises if ex.status != "not_submitted"]
    if not found or len(found) == len(result.exercises):
        return result
    return dataclasses.replace(
        result,
        exercises=found,
        score=round(sum(ex.score for ex in found), 6),
        max_score=round(sum(ex.max_score for ex in found), 6),
    )
