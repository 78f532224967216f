"""Render the class report and the per-student pages (HTML and Markdown) with jinja2.

Templates live in `grader/templates/`; every page is self-contained (inline CSS and SVG,
no external URL). Student pages go through `grader.writers.feedback`, so hidden checks show
only their name, kind, status and points.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from grader import __version__
from grader.points import shown_points
from grader.report import plots, stats
from grader.report.grades import GradeRow, Grades
from grader.report.load import LoadProblem, Student
from grader.report.similarity import SimilarPair
from grader.results import CheckResult, ExerciseResult
from grader.writers.feedback import Line, exercise_label, feedback_lines, unrun_message

SYMBOL = {"pass": "✓", "fail": "✗", "error": "✗"}


@dataclass(frozen=True)
class CheckView:
    """What a student page shows about one check."""

    name: str
    kind: str
    status: str
    symbol: str
    hidden: bool
    points: float
    max_points: float
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class ExerciseView:
    """What a student page shows about one exercise."""

    label: str
    result: ExerciseResult
    unrun: str
    checks: list[CheckView]


@functools.lru_cache(maxsize=2)
def _environment(autoescape: bool) -> jinja2.Environment:
    """The template environment (cached: compiling the templates dominates small pages)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("grader", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def page_names(students: list[Student]) -> dict[str, str]:
    """student id → a safe, unique file stem for their pages ("ana maría" → "ana_maría")."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for student in students:
        stem = re.sub(r"[^\w.-]", "_", student.id).lstrip(".") or "student"
        unique, n = stem, 1
        while unique.lower() in used:
            n += 1
            unique = f"{stem}-{n}"
        used.add(unique.lower())
        names[student.id] = unique
    return names


def render_index(
    students: list[Student],
    problems: list[LoadProblem],
    *,
    results_dir: Path,
    pages: dict[str, str],
    similarity: list[SimilarPair] | None,
    threshold: float,
    grades: Grades | None = None,
) -> str:
    """The class report `index.html`."""
    percents = [s.result.percent for s in students]
    mean, median = stats.mean_median(percents)
    rows = stats.exercise_stats(students)
    columns = stats.check_columns(students)
    groups: dict[str, int] = {}
    for exercise, _ in columns:
        groups[exercise] = groups.get(exercise, 0) + 1
    hrefs = {sid: f"students/{quote(name)}.html" for sid, name in pages.items()}
    context: dict[str, Any] = {
        "title": "gradeformer class report",
        "students": students,
        "problems": problems,
        "results_dir": str(results_dir),
        "seeds": sorted({s.result.seed for s in students}),
        "mean": mean,
        "median": median,
        "histogram": plots.score_histogram(percents),
        "bars": plots.exercise_bars(
            [r.exercise for r in rows], [r.mean_percent for r in rows], [r.pass_rate for r in rows]
        ),
        "install_hint": plots.INSTALL_HINT,
        "exercises": rows,
        "heat_groups": list(groups.items()),
        "heat_rows": [_heat_row(s, columns, hrefs[s.id]) for s in students],
        "misconceptions": stats.misconception_counts(students),
        "slowest": stats.slowest(students),
        "errors": stats.error_rows(students),
        "hrefs": hrefs,
        "similarity": similarity,
        "threshold": threshold,
        "version": __version__,
        "grades": grades,
        "adjusted": [r for r in grades.rows if r.notes()] if grades else [],
    }
    return _environment(True).get_template("index.html.j2").render(context)


def render_student(
    student: Student, *, markdown: bool = False, grade: GradeRow | None = None
) -> str:
    """One student's feedback page: HTML, or Markdown for pasting into an LMS comment.

    `grade` (their gradebook row) adds the adjustments and late penalty, with reasons."""
    context = {
        "student": student,
        "grade": grade if grade is not None and grade.notes() else None,
        "result": student.result,
        "exercises": [_exercise_view(ex) for ex in student.result.exercises],
    }
    template = "student.md.j2" if markdown else "student.html.j2"
    return _environment(not markdown).get_template(template).render(context)


def _heat_row(student: Student, columns: list[tuple[str, str]], href: str) -> dict[str, Any]:
    status = {(ex.exercise, c.name): c.status for ex in student.result.exercises for c in ex.checks}
    cells = [{"column": f"{e}: {c}", "status": status.get((e, c))} for e, c in columns]
    return {"student": student.id, "href": href, "percent": student.result.percent, "cells": cells}


def _exercise_view(ex: ExerciseResult) -> ExerciseView:
    """The exercise's checks, their points rounded to 2 decimals so that they still add up."""
    unrun = "" if ex.status == "graded" else unrun_message(ex)
    earned = shown_points([c.points for c in ex.checks])
    maxima = shown_points([c.max_points for c in ex.checks])
    views = [_check_view(*row) for row in zip(ex.checks, earned, maxima, strict=True)]
    return ExerciseView(exercise_label(ex), ex, unrun, views)


def _check_view(check: CheckResult, points: float, max_points: float) -> CheckView:
    return CheckView(
        name=check.name,
        kind=check.kind,
        status=check.status,
        symbol=SYMBOL[check.status],
        hidden=check.visibility == "hidden",
        points=points,
        max_points=max_points,
        lines=feedback_lines(check),
    )
