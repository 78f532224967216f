"""Gradebooks an LMS imports (`gradeformer report --lms canvas|moodle|csv`).

Each is one CSV, UTF-8 with a byte-order mark (Excel needs it to show "Chloé Wójcik";
Moodle's CSV reader strips it), one row per student in the roster — missing students get 0 —
with the final total of `grader.report.grades` (adjustments and late penalty applied).
Submissions not in the roster have no LMS identity and are left out (the report lists them).
Without a roster every graded student is written, with their folder name as the login.

- `canvas.csv`: Canvas's gradebook import (Grades → Import): the header `Student`, `ID`,
  `SIS User ID`, `SIS Login ID`, `Section`, then the assignment column, then a `Points
  Possible` row with the maximum under the assignment. Canvas matches a row by ID, SIS
  User ID or SIS Login ID; a column named as an existing assignment (`Name (123)`, as in
  Canvas's export) updates it, any other name creates a new assignment.
- `moodle.csv`: Moodle's "Import grades from CSV": `Full name`, `Email address`, `ID
  number`, `Username`, the assignment column and `Feedback` (the adjustments' reasons).
  In "Identify user by" map one of the first four to the same Moodle field; map the
  assignment column to the grade item, and `Feedback` to its feedback if you want it.
- `grades.csv`: a plain table for anything else: `login`, `name`, `id`, `sis_id`, `email`,
  `section`, `status`, `grade`, `max_score`, `percent`, `notes`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from grader.report.grades import UNKNOWN, GradeRow, Grades
from grader.report.roster import RosterEntry

CANVAS_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_HEADER = ("Full name", "Email address", "ID number", "Username")
PLAIN_HEADER = ("login", "name", "id", "sis_id", "email", "section", "status")
FILES = {"canvas": "canvas.csv", "moodle": "moodle.csv", "csv": "grades.csv"}
DEFAULT_ASSIGNMENT = "gradeformer"


def write_lms(
    lms: str, grades: Grades, out_dir: Path, assignment: str = DEFAULT_ASSIGNMENT
) -> Path:
    """Write the `lms` gradebook ("canvas", "moodle" or "csv") into `out_dir`; its path."""
    path = out_dir / FILES[lms]
    rows = [r for r in grades.rows if r.status != UNKNOWN]
    maximum = max((r.max_score for r in rows), default=0.0)
    writer: Callable[[list[GradeRow], str, float], list[list[str]]] = WRITERS[lms]
    write_csv(path, writer(rows, assignment, maximum))
    return path


def write_csv(path: Path, lines: list[list[str]]) -> None:
    """`lines` as a CSV at `path`: UTF-8 with a byte-order mark, CRLF line ends (RFC 4180)."""
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f, lineterminator="\r\n").writerows(lines)


def number(value: float | None) -> str:
    """A number as the JSON has it (`repr`), empty for none; whole numbers without ".0"."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _canvas(rows: list[GradeRow], assignment: str, maximum: float) -> list[list[str]]:
    lines = [[*CANVAS_HEADER, assignment], ["Points Possible", "", "", "", "", number(maximum)]]
    for r in rows:
        e = _entry(r)
        lines.append([e.name or r.student, e.id, e.sis_id, e.login, e.section, number(r.total)])
    return lines


def _moodle(rows: list[GradeRow], assignment: str, maximum: float) -> list[list[str]]:
    lines = [[*MOODLE_HEADER, assignment, "Feedback"]]
    for r in rows:
        e = _entry(r)
        lines.append([e.name, e.email, e.sis_id, e.login, number(r.total), r.notes()])
    return lines


def _plain(rows: list[GradeRow], assignment: str, maximum: float) -> list[list[str]]:
    lines = [[*PLAIN_HEADER, "grade", "max_score", "percent", "notes"]]
    for r in rows:
        e = _entry(r)
        identity = [e.login, e.name, e.id, e.sis_id, e.email, e.section, r.status]
        scores = [number(r.total), number(r.max_score), number(r.percent)]
        lines.append([*identity, *scores, r.notes()])
    return lines


def _entry(row: GradeRow) -> RosterEntry:
    """The row's roster entry; without a roster, the folder name as the login."""
    return row.entry or RosterEntry(login=row.student)


WRITERS = {"canvas": _canvas, "moodle": _moodle, "csv": _plain}
