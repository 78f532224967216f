"""The gradebook CSVs: numbers for a spreadsheet or an LMS import.

Both are UTF-8 with a byte-order mark, so Excel shows "Chloé Wójcik" rather than mojibake.

`gradebook.csv`: one row per student (`grader.report.grades`: roster order, then submissions
not in the roster), with columns
- `student`: the result's id (for a missing student, their roster login, else email or id);
- with `--roster`: `name`, `login`, `id`, `sis_id`, `email`, `section` from the roster;
- `status`: `graded`, `missing` (in the roster, no submission: 0 points) or `not in roster`;
- one column per exercise: its score, with that exercise's adjustments;
- `graded` (the result's score), `adjustment` (Σ adjustments), `late_penalty` (points),
  `total` = graded + adjustment − late_penalty (never below 0), `max_score`, `percent`
  (`round(100 · total / max_score, 6)`);
- with `--deadline`: `submitted_at` (UTC, ISO 8601) and `late_by` ("2 days");
- `notes`: each adjustment with its reason, and the late penalty;
- `error`: the submission-level error (a refused zip, a grading crash), empty when there is
  none, so a submission that could not be graded is told apart from one that scored nothing.
`checks.csv`: one row per student, one column per check (`03_softmax: <check name>`),
cells `pass`, `fail`, `error`, or empty when the student has no result for that check.
Numbers are written exactly as Python prints the JSON's floats, so they parse back equal.
"""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

from grader.report.grades import GradeRow, Grades
from grader.report.lms import write_csv
from grader.report.load import Student
from grader.report.stats import check_columns

ROSTER_COLUMNS = ("name", "login", "id", "sis_id", "email", "section")
SCORE_COLUMNS = ("graded", "adjustment", "late_penalty", "total", "max_score", "percent")


def write_gradebook(grades: Grades, path: Path, *, late: bool = False) -> None:
    """Write `gradebook.csv` for `grades` to `path` (`late`: with the late-policy columns)."""
    header = ["student", *(ROSTER_COLUMNS if grades.roster else ()), "status", *grades.exercises]
    header += [*SCORE_COLUMNS, *(("submitted_at", "late_by") if late else ()), "notes", "error"]
    lines = [header]
    for row in grades.rows:
        e = row.entry
        who = [e.name, e.login, e.id, e.sis_id, e.email, e.section] if e else [""] * 6
        scores = [row.graded, row.adjustment, row.late_penalty, row.total, row.max_score]
        line = [row.student, *(who if grades.roster else ()), row.status]
        line += [_number(row.exercises.get(name)) for name in grades.exercises]
        line += [*(_number(v) for v in scores), _number(row.percent)]
        line += _late_cells(row) if late else []
        lines.append([*line, row.notes(), row.error])
    write_csv(path, lines)


def _late_cells(row: GradeRow) -> list[str]:
    """`submitted_at` in UTC and `late_by` ("2 days"), empty when unknown or on time."""
    if row.late is None:
        return ["", ""]
    when = row.late.submitted_at
    stamp = when.astimezone(timezone.utc).isoformat(timespec="seconds") if when else ""
    return [stamp, row.late.late_by()]


def write_checks(students: list[Student], path: Path) -> None:
    """Write `checks.csv` (student × check, pass/fail/error) for `students` to `path`."""
    columns = check_columns(students)
    lines = [["student", *(f"{exercise}: {check}" for exercise, check in columns)]]
    for student in students:
        status = {
            (ex.exercise, c.name): c.status for ex in student.result.exercises for c in ex.checks
        }
        lines.append([student.id, *(status.get(key, "") for key in columns)])
    write_csv(path, lines)


def _number(value: float | None) -> str:
    return "" if value is None else repr(float(value))
