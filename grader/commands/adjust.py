"""`gradeformer adjust RESULTS STUDENT --points ±N --reason "..."`: an instructor's override."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands.grade import InputError
from grader.report.adjustments import Adjustment, AdjustmentError, add_adjustment, resolve
from grader.report.load import load_results


@click.command(name="adjust")
@click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("student")
@click.option(
    "--exercise", default="", help="An exercise folder or module (default: the whole grade)."
)
@click.option("--points", type=float, required=True, help="Points to add (2) or take (-1.5).")
@click.option("--reason", required=True, help="Why: shown in the gradebook, report and LMS files.")
def command(results_dir: Path, student: str, exercise: str, points: float, reason: str) -> None:
    """Record a manual adjustment of STUDENT's grade in RESULTS_DIR/adjustments.csv.

    Regrading (`grade --force`) keeps it; `gradeformer report` applies it to the gradebook,
    the report and the LMS files and shows its reason. The file can also be edited by hand
    (columns student, exercise, points, reason, added).
    """
    if not reason.strip():
        raise InputError("--reason is empty: say why, it is shown with the grade")
    students, _ = load_results(results_dir)
    known = {s.id: [(ex.exercise, ex.module) for ex in s.result.exercises] for s in students}
    try:
        folder = resolve(known, student, exercise)
        path = add_adjustment(results_dir, Adjustment(student, folder, points, reason.strip()))
    except AdjustmentError as exc:
        raise InputError(str(exc)) from None
    where = f" on {folder}" if folder else ""
    click.echo(f"{student}: {points:+g}{where} ({reason.strip()}) recorded in {path}")
    click.echo(f"next: gradeformer report {results_dir}")
