"""The gradebook CSVs: numbers for a spreadsheet or an LMS import.

`gradebook.csv`: one row per student: `student`, one column per exercise (its score),
`total`, `max_score`, `percent` (as in the JSON: `round(100 · total / max_score, 6)`), and
`error`: the submission-level error (a refused zip, a grading crash), empty when there is none,
so a submission that could not be graded is told apart from one that scored nothing.
`checks.csv`: one row per student, one column per check (`03_softmax: <check name>`),
cells `pass`, `fail`, `error`, or empty when the student has no result for that check.
Numbers are written exactly as Python prints the JSON's floats, so they parse back equal.
"""

from __future__ import annotations

import csv
from pathlib import Path

from grader.report.load import Student
from grader.report.stats import check_columns, exercise_columns


def write_gradebook(students: list[Student], path: Path) -> None:
    """Write `gradebook.csv` for `students` to `path`."""
    exercises = exercise_columns(students)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["student", *exercises, "total", "max_score", "percent", "error"])
        for student in students:
            result = student.result
            scores = {ex.exercise: ex.score for ex in result.exercises}
            out.writerow(
                [
                    student.id,
                    *(_number(scores.get(name)) for name in exercises),
                    _number(result.score),
                    _number(result.max_score),
                    _number(round(result.percent, 6)),
                    result.error or "",
                ]
            )


def write_checks(students: list[Student], path: Path) -> None:
    """Write `checks.csv` (student × check, pass/fail/error) for `students` to `path`."""
    columns = check_columns(students)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["student", *(f"{exercise}: {check}" for exercise, check in columns)])
        for student in students:
            status = {
                (ex.exercise, c.name): c.status
                for ex in student.result.exercises
                for c in ex.checks
            }
            out.writerow([student.id, *(status.get(key, "") for key in columns)])


def _number(value: float | None) -> str:
    return "" if value is None else repr(float(value))
