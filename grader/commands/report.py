"""`gradeformer report RESULTS_DIR --out REPORT_DIR`: gradebook, class report, student pages."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands.grade import InputError
from grader.report import build_report
from grader.report.similarity import DEFAULT_THRESHOLD


@click.command(name="report")
@click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("report"),
    show_default=True,
    help="Folder for gradebook.csv, checks.csv, index.html and students/.",
)
@click.option(
    "--submissions",
    "submissions_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The graded submissions (student folders or zips): compare their code for similarity.",
)
@click.option(
    "--exercises",
    "exercises_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Exercise folders whose stubs are left out of the similarity comparison "
    "[default: ./exercises when it exists].",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Flag pairs of submissions at least this alike (0..1).",
)
def command(
    results_dir: Path,
    out_dir: Path,
    submissions_dir: Path | None,
    exercises_dir: Path | None,
    threshold: float,
) -> None:
    """Write the gradebook, the class report and one feedback page per student.

    RESULTS_DIR holds one <student>.json per student (from `gradeformer grade DIR --out`).
    A results file that cannot be read is reported and skipped. Similarity flags never
    change a grade.
    """
    if not any(results_dir.glob("*.json")):
        raise InputError(
            f"no results in {results_dir}: expected <student>.json files from "
            f"`gradeformer grade CLASS --out {results_dir}`"
        )
    if exercises_dir is None and Path("exercises").is_dir():
        exercises_dir = Path("exercises")
    summary = build_report(
        results_dir,
        out_dir,
        submissions_dir=submissions_dir,
        exercises_dir=exercises_dir,
        threshold=threshold,
    )
    for problem in summary.problems:
        click.echo(f"skipped {problem.path}: {problem.reason}", err=True)
    line = f"{summary.students} students · report in {out_dir / 'index.html'}"
    line += f" · gradebook in {out_dir / 'gradebook.csv'}"
    if summary.similar is not None:
        line += f" · {len(summary.similar)} similar pairs flagged"
    click.echo(line)
