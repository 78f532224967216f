"""Read a results directory: one `<student>.json` per student (`SubmissionResult.to_dict()`).

A file that is not valid JSON, or whose content is not a results object, is reported as a
`LoadProblem` and skipped; it never stops the report.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.results import CheckResult, ExerciseResult, SubmissionResult

CHECK_STATUSES = {"pass", "fail", "error"}
EXERCISE_STATUSES = {"graded", "not_submitted", "not_implemented", "error"}


@dataclass(frozen=True)
class Student:
    """One student's result, the id the report uses for them, and the result's other fields.

    `extra` holds what the results model does not (an LMS download's `lms` record: its id for
    the student, the late flag; a `submitted_at` time), for the roster and the late policy.
    """

    id: str
    result: SubmissionResult
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadProblem:
    """A results file that was skipped, and why."""

    path: Path
    reason: str


class BadResult(ValueError):
    """A results file whose content does not match the results model."""


def load_results(results_dir: Path) -> tuple[list[Student], list[LoadProblem]]:
    """Every readable result in `results_dir`, sorted by student id, and the skipped files.

    The student id is the result's `student` field, else the file name without `.json`.
    Hidden files (a batch's temporary `.name.json.tmp`) are ignored.
    """
    students: list[Student] = []
    problems: list[LoadProblem] = []
    for path in sorted(results_dir.glob("*.json")):
        if path.name.startswith("."):
            continue
        try:
            result, extra = _read(path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, BadResult) as exc:
            problems.append(LoadProblem(path, f"{type(exc).__name__}: {exc}"))
            continue
        students.append(Student(result.student or path.stem, result, extra))
    seen: set[str] = set()
    unique = []
    for student in sorted(students, key=lambda s: s.id):
        if student.id in seen:
            problems.append(LoadProblem(results_dir, f"duplicate student id {student.id!r}"))
            continue
        seen.add(student.id)
        unique.append(student)
    return unique, problems


def _read(path: Path) -> tuple[SubmissionResult, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise BadResult(f"expected a JSON object, got {type(data).__name__}")
    try:
        result = SubmissionResult.from_dict(data)
    except (TypeError, AttributeError) as exc:
        raise BadResult(f"not a gradeformer result ({exc})") from None
    _validate(result)
    known = {f.name for f in dataclasses.fields(SubmissionResult)}
    return result, {k: v for k, v in data.items() if k not in known}


def _validate(result: SubmissionResult) -> None:
    """Raise `BadResult` unless every field the report reads has the right type."""
    _number(result.score, "score")
    _number(result.max_score, "max_score")
    _number(result.duration_s, "duration_s")
    if not isinstance(result.exercises, list):
        raise BadResult("exercises: expected a list")
    for i, ex in enumerate(result.exercises):
        where = f"exercises[{i}]"
        if not isinstance(ex, ExerciseResult) or ex.status not in EXERCISE_STATUSES:
            raise BadResult(f"{where}.status: expected one of {sorted(EXERCISE_STATUSES)}")
        _number(ex.score, f"{where}.score")
        _number(ex.max_score, f"{where}.max_score")
        for j, check in enumerate(ex.checks):
            _check(check, f"{where}.checks[{j}]")


def _check(check: CheckResult, where: str) -> None:
    if check.status not in CHECK_STATUSES:
        raise BadResult(f"{where}.status: expected pass, fail or error, got {check.status!r}")
    _number(check.points, f"{where}.points")
    _number(check.max_points, f"{where}.max_points")
    for name in ("details", "trace"):
        value = getattr(check, name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadResult(f"{where}.{name}: expected a list of strings")


def _number(value: object, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadResult(f"{where}: expected a number, got {value!r}")
