"""The final grades: results joined to the roster, with adjustments and the late policy applied.

One `GradeRow` per student: every roster entry in roster order (those with no submission
as `missing`, 0 points), then the submissions not in the roster (`not in roster`); without
a roster, every submission (`graded`). For each row, with every sum exact to 6 decimals:

    exercise column = the exercise's score + that exercise's adjustments
    graded          = the result's score
    adjustment      = Σ of the student's adjustments (exercise and whole grade)
    late_penalty    = fraction late × (graded + adjustment)         (see `grader.report.late`)
    total           = max(0, graded + adjustment − late_penalty)
    percent         = round(100 · total / max_score, 6)

`max_score` is the result's; a missing student gets the class's (the largest of the results).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.points import exact_sum
from grader.report.adjustments import Adjustment
from grader.report.late import Lateness, LatePolicy, lateness
from grader.report.load import Student
from grader.report.roster import RosterEntry, match, normalise
from grader.report.similarity import find_submission

GRADED, MISSING, UNKNOWN = "graded", "missing", "not in roster"


@dataclass(frozen=True)
class GradeRow:
    """One student's line in the gradebook and the LMS exports."""

    student: str  # the result's id; for a missing student, their login (else email, id, name)
    entry: RosterEntry | None
    status: str  # graded | missing | not in roster
    exercises: dict[str, float]  # folder → score with its adjustments
    graded: float
    adjustments: list[Adjustment]
    late: Lateness | None
    late_penalty: float
    total: float
    max_score: float
    error: str = ""

    @property
    def adjustment(self) -> float:
        """Σ of this student's adjustments."""
        return exact_sum([a.points for a in self.adjustments])

    @property
    def percent(self) -> float:
        return round(100.0 * self.total / self.max_score, 6) if self.max_score else 0.0

    def notes(self) -> str:
        """Adjustments with their reasons, and the late penalty, for a person to read."""
        notes = [a.describe() for a in self.adjustments]
        if self.late is not None and self.late.units:
            late = self.late
            notes.append(f"late by {late.late_by()}: -{late.fraction:.0%} (-{self.late_penalty:g})")
        return "; ".join(notes)


@dataclass(frozen=True)
class Grades:
    """Every student's row, and what the join found."""

    rows: list[GradeRow]
    exercises: list[str]
    roster: bool  # a roster was given
    missing: list[str] = field(default_factory=list)  # roster students with no submission
    unknown: list[str] = field(default_factory=list)  # submissions not in the roster
    unmatched: list[Adjustment] = field(default_factory=list)  # adjustments of nobody known

    def warnings(self) -> list[str]:
        """One line per thing the instructor should look at: missing, unknown, unmatched."""
        lines = []
        if self.missing:
            lines.append(
                f"{len(self.missing)} in the roster with no submission (missing, 0 points): "
                + ", ".join(self.missing)
            )
        if self.unknown:
            lines.append(
                f"{len(self.unknown)} submission(s) not in the roster (graded, left out of "
                "the LMS files): " + ", ".join(self.unknown)
            )
        for a in self.unmatched:
            lines.append(f"adjustment not applied: no student {a.student!r} ({a.describe()})")
        return lines


def build_grades(
    students: list[Student],
    *,
    roster: list[RosterEntry] | None = None,
    adjustments: Sequence[Adjustment] = (),
    policy: LatePolicy | None = None,
    submissions_dir: Path | None = None,
) -> Grades:
    """The gradebook's rows for `students` (see the module docstring)."""
    joined = match(roster, {s.id: names_of(s) for s in students}) if roster is not None else None
    missing = joined.missing if joined else []
    claimed, unmatched = _claim(adjustments, students, missing)
    rows = []
    for s in students:
        entry = joined.entries.get(s.id) if joined else None
        status = UNKNOWN if joined and entry is None else GRADED
        late = _lateness(s, policy, submissions_dir) if policy is not None else None
        rows.append(_row(s.id, entry, status, s, claimed.get(s.id, []), late, s.result.max_score))
    if roster is not None:
        class_max = max((s.result.max_score for s in students), default=0.0)
        rows += [
            _row(_label(e), e, MISSING, None, claimed.get(_label(e), []), None, class_max)
            for e in missing
        ]
        order = {id(e): i for i, e in enumerate(roster)}
        rows.sort(key=lambda r: order[id(r.entry)] if r.entry else len(order))  # stable
    return Grades(
        rows,
        sorted({ex.exercise for s in students for ex in s.result.exercises}),
        roster is not None,
        missing=[_label(e) for e in missing],
        unknown=joined.unknown if joined else [],
        unmatched=unmatched,
    )


def _claim(
    adjustments: Sequence[Adjustment], students: list[Student], missing: list[RosterEntry]
) -> tuple[dict[str, list[Adjustment]], list[Adjustment]]:
    """Each row's adjustments (exercise modules turned into folders), and those of nobody."""
    modules = {ex.module: ex.exercise for s in students for ex in s.result.exercises}
    owners = {normalise(s.id): s.id for s in students}
    for entry in missing:
        for key in entry.keys():
            owners.setdefault(key, _label(entry))
    claimed: dict[str, list[Adjustment]] = {}
    unmatched = []
    for a in adjustments:
        owner = owners.get(normalise(a.student))
        if owner is None:
            unmatched.append(a)
            continue
        folder = modules.get(a.exercise, a.exercise)
        claimed.setdefault(owner, []).append(Adjustment(owner, folder, a.points, a.reason, a.added))
    return claimed, unmatched


def names_of(student: Student) -> list[str]:
    """The names a student goes by: their id, then the LMS's id and name for them, if known."""
    lms = _field(student, "lms")
    names = [student.id]
    if isinstance(lms, dict):
        names += [str(lms[k]) for k in ("id", "name") if lms.get(k)]
    return names


def _row(
    student: str,
    entry: RosterEntry | None,
    status: str,
    source: Student | None,
    adjustments: list[Adjustment],
    late: Lateness | None,
    max_score: float,
) -> GradeRow:
    result = source.result if source else None
    scores = {ex.exercise: ex.score for ex in result.exercises} if result else {}
    for a in adjustments:
        if a.exercise:
            scores[a.exercise] = exact_sum([scores.get(a.exercise, 0.0), a.points])
    graded = result.score if result else 0.0
    before = exact_sum([graded, *(a.points for a in adjustments)])
    penalty = round(late.fraction * max(before, 0.0), 6) if late else 0.0
    total = max(0.0, exact_sum([before, -penalty]))
    error = (result.error or "") if result else ""
    return GradeRow(
        student, entry, status, scores, graded, adjustments, late, penalty, total, max_score, error
    )


def _label(entry: RosterEntry) -> str:
    return entry.login or entry.email or entry.id or entry.sis_id or entry.name


def _lateness(student: Student, policy: LatePolicy, submissions_dir: Path | None) -> Lateness:
    """From the result's time or LMS flag, else its files' times: the student's folder or zip,
    or the files an LMS download named (`lms.files`)."""
    lms = _field(student, "lms")
    lms = lms if isinstance(lms, dict) else {}
    recorded = _field(student, "submitted_at")
    files: list[Path] = []
    if submissions_dir is not None:
        found = find_submission(submissions_dir, student.id)
        files = [found] if found else [submissions_dir / str(f) for f in lms.get("files") or []]
    return lateness(
        policy,
        recorded=recorded if isinstance(recorded, str) else None,
        late_flag=bool(lms.get("late")),
        files=files,
    )


def _field(student: Student, name: str) -> Any:
    """A result field the results model may or may not have yet (an LMS download's)."""
    return getattr(student.result, name, None) or student.extra.get(name)
