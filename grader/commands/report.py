"""`gradeformer report RESULTS_DIR --out REPORT_DIR`: gradebook, class report, student pages."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands.grade import InputError
from grader.report import build_report
from grader.report.adjustments import AdjustmentError
from grader.report.late import LateError, LatePolicy, parse_policy
from grader.report.lms import DEFAULT_ASSIGNMENT, FILES
from grader.report.roster import RosterEntry, RosterError, read_roster
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
@click.option(
    "--roster",
    "roster_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of enrolled students (login/folder, name, id, SIS id, email, section): "
    "joins results to students, lists missing ones and submissions not in it.",
)
@click.option(
    "--lms",
    type=click.Choice(sorted(FILES)),
    multiple=True,
    help="Also write the gradebook in this LMS's import format: canvas.csv, moodle.csv "
    "or grades.csv (repeat for several).",
)
@click.option(
    "--assignment",
    default=DEFAULT_ASSIGNMENT,
    show_default=True,
    help="The assignment column's name in the LMS file (Canvas: 'Name (id)' updates that one).",
)
@click.option("--deadline", help="Submission deadline, ISO 8601 (2026-03-01T23:59[+01:00]).")
@click.option(
    "--late-penalty",
    help="Late rule with --deadline: RATE%/UNIT[,max=CAP%], e.g. 10%/day,max=50%.",
)
def command(
    results_dir: Path,
    out_dir: Path,
    submissions_dir: Path | None,
    exercises_dir: Path | None,
    threshold: float,
    roster_path: Path | None,
    lms: tuple[str, ...],
    assignment: str,
    deadline: str | None,
    late_penalty: str | None,
) -> None:
    """Write the gradebook, the class report and one feedback page per student.

    RESULTS_DIR holds one <student>.json per student (from `gradeformer grade DIR --out`)
    and the instructor's adjustments.csv (`gradeformer adjust`). A results file that cannot
    be read is reported and skipped. Similarity flags never change a grade. Late submissions
    are dated by their LMS record, else by their files' times (give --submissions).
    """
    if not any(results_dir.glob("*.json")):
        raise InputError(
            f"no results in {results_dir}: expected <student>.json files from "
            f"`gradeformer grade CLASS --out {results_dir}`"
        )
    if exercises_dir is None and Path("exercises").is_dir():
        exercises_dir = Path("exercises")
    roster, policy = _roster_and_policy(roster_path, deadline, late_penalty)
    try:
        summary = build_report(
            results_dir,
            out_dir,
            submissions_dir=submissions_dir,
            exercises_dir=exercises_dir,
            threshold=threshold,
            roster=roster,
            policy=policy,
            lms=lms,
            assignment=assignment,
        )
    except AdjustmentError as exc:
        raise InputError(str(exc)) from None
    for problem in summary.problems:
        click.echo(f"skipped {problem.path}: {problem.reason}", err=True)
    for warning in summary.grades.warnings() if summary.grades else []:
        click.echo(warning, err=True)
    line = f"{summary.students} students · report in {out_dir / 'index.html'}"
    line += f" · gradebook in {out_dir / 'gradebook.csv'}"
    line += "".join(f" · {path.name} in {path.parent}" for path in summary.lms_files)
    if summary.similar is not None:
        line += f" · {len(summary.similar)} similar pairs flagged"
    click.echo(line)


def _roster_and_policy(
    roster_path: Path | None, deadline: str | None, late_penalty: str | None
) -> tuple[list[RosterEntry] | None, LatePolicy | None]:
    """The parsed --roster and --deadline/--late-penalty, or a one-line input error."""
    if (deadline is None) != (late_penalty is None):
        raise InputError("--deadline and --late-penalty go together: give both or neither")
    try:
        roster = read_roster(roster_path) if roster_path else None
        policy = parse_policy(deadline, late_penalty) if deadline and late_penalty else None
    except (RosterError, LateError) as exc:
        raise InputError(str(exc)) from None
    return roster, policy
