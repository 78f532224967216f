"""Class statistics the report shows: per-exercise means and pass rates, common
misconceptions, slow and errored submissions.

Definitions (all over the students whose results loaded):
- mean score of an exercise = Σ score / n_students, a student without that exercise counts 0;
- pass rate of an exercise = (students with every check of it passed) / n_students;
- a misconception's count = the number of students with at least one check diagnosed as it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from grader.report.load import Student


@dataclass(frozen=True)
class ExerciseStats:
    """One row of the per-exercise table."""

    exercise: str
    title: str
    max_score: float
    mean_score: float
    mean_percent: float
    pass_rate: float  # fraction of students with every check passed
    submitted: int  # students whose module was found
    not_implemented: int
    errors: int


@dataclass(frozen=True)
class ErrorRow:
    """A student whose run went wrong somewhere, and what happened."""

    student: str
    where: str  # "submission", an exercise, or "exercise: check"
    message: str


def exercise_columns(students: list[Student]) -> list[str]:
    """Every exercise folder name that occurs in any result, sorted."""
    return sorted({ex.exercise for s in students for ex in s.result.exercises})


def check_columns(students: list[Student]) -> list[tuple[str, str]]:
    """Every (exercise, check name) that occurs, exercises sorted, checks in spec order."""
    columns: dict[tuple[str, str], None] = {}
    for exercise in exercise_columns(students):
        for s in students:
            ex = s.result.exercise(exercise)
            for check in ex.checks if ex else []:
                columns.setdefault((exercise, check.name), None)
    return list(columns)


def exercise_stats(students: list[Student]) -> list[ExerciseStats]:
    """The per-exercise table, one row per exercise in folder order."""
    n = len(students)
    rows = []
    for name in exercise_columns(students):
        found = [ex for s in students if (ex := s.result.exercise(name)) is not None]
        max_score = max(ex.max_score for ex in found)
        total = sum(ex.score for ex in found)
        passed = sum(ex.status == "graded" and ex.passed == len(ex.checks) > 0 for ex in found)
        rows.append(
            ExerciseStats(
                exercise=name,
                title=found[0].title,
                max_score=max_score,
                mean_score=total / n,
                mean_percent=100.0 * total / (n * max_score) if max_score else 0.0,
                pass_rate=passed / n,
                submitted=sum(ex.status != "not_submitted" for ex in found),
                not_implemented=sum(ex.status == "not_implemented" for ex in found),
                errors=sum(ex.status == "error" for ex in found),
            )
        )
    return rows


def misconception_counts(students: list[Student]) -> dict[str, list[tuple[str, int]]]:
    """exercise → [(misconception, number of students)], most frequent first."""
    counts: dict[str, Counter[str]] = {}
    for s in students:
        for ex in s.result.exercises:
            names = {c.misconception for c in ex.checks if c.misconception}
            counts.setdefault(ex.exercise, Counter()).update(names)
    return {ex: c.most_common() for ex, c in sorted(counts.items()) if c}


def slowest(students: list[Student], n: int = 10) -> list[Student]:
    """The `n` submissions that took the longest wall-clock time, slowest first."""
    return sorted(students, key=lambda s: (-s.result.duration_s, s.id))[:n]


def error_rows(students: list[Student]) -> list[ErrorRow]:
    """Every submission-level error, exercise error and errored check (timeouts, crashes).

    Checks of one student that errored with the same message are one row ("3 checks: ...").
    """
    rows = []
    for s in students:
        if s.result.error:
            rows.append(ErrorRow(s.id, "submission", s.result.error))
        by_message: dict[str, list[str]] = {}
        for ex in s.result.exercises:
            if ex.status == "error":
                rows.append(ErrorRow(s.id, ex.exercise, ex.message))
            for c in ex.checks:
                if c.status == "error":
                    by_message.setdefault(c.message, []).append(f"{ex.exercise}: {c.name}")
        for message, where in by_message.items():
            more = ", …" if len(where) > 3 else ""
            label = (
                where[0]
                if len(where) == 1
                else f"{len(where)} checks: {', '.join(where[:3])}{more}"
            )
            rows.append(ErrorRow(s.id, label, message))
    return rows


def mean_median(values: list[float]) -> tuple[float, float]:
    """(mean, median) of `values`; (0, 0) for none."""
    if not values:
        return 0.0, 0.0
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return sum(values) / len(values), median
