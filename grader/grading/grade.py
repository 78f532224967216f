"""`grade_submission`: grade a submission (folder, .zip or .ipynb) into a `SubmissionResult`.

Opens it (`grader.grading.opening`), grades the chosen exercises on sandboxed workers
(`grader.grading.pool`) and records the mode, seed, isolation level, versions and score. A
bad submission becomes a result; only instructor-side problems raise.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from grader import __version__
from grader.grading.exercise_run import Mode, not_graded
from grader.grading.opening import open_submission
from grader.grading.pool import grade_located
from grader.results import SubmissionResult
from grader.spec import ExerciseSpec, select
from grader.submission import SubmissionError


def versions() -> dict[str, str]:
    """The versions a result was produced with."""
    return {
        "gradeformer": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def isolation_label(isolation: Any) -> str:
    """ "bwrap", "unshare" or "rlimits" for an `Isolation` (or its value)."""
    value = getattr(isolation, "value", isolation)
    return str(value).lower()


def grade_submission(
    path: Path,
    exercises: list[ExerciseSpec],
    mode: Mode = "hidden",
    seed: int = 0,
    student: str | None = None,
    isolation: Any = None,
    only: list[str] | None = None,
    limits: Any = None,
    sibling_folders: bool = False,
    workers: int | Sequence[Any] = 1,
) -> SubmissionResult:
    """Grade the submission at `path` (folder, .zip or .ipynb); see docs/internals.md.

    `sibling_folders`: see `open_submission` (for a student's own `check` only);
    `workers`: how many sandboxed workers grade at once, or workers launched in advance
    (see `grade_located`; the caller closes those).

    Never raises for a bad submission; raises `SpecError` for a malformed exercise,
    `CaseError` when instructor code (cases.py, the reference) fails to build a case, and
    `LookupError` for an unknown name in `only`.
    """
    from grader.sandbox import detect_isolation

    start = time.perf_counter()
    chosen = select(exercises, only)
    result = SubmissionResult(
        submission=str(path),
        student=student,
        mode=mode,
        seed=seed,
        isolation="",  # known once the worker has started (None: the strongest that starts)
        score=0.0,
        max_score=round(sum(ex.points for ex in chosen), 6),
        versions=versions(),
        started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    try:
        with open_submission(path, exercises, sibling_folders) as located:
            result.exercises = grade_located(
                located, chosen, mode, seed, isolation, limits, workers
            )
    except SubmissionError as exc:
        result.error = str(exc)
        result.exercises = [not_graded(ex, "error", "nothing was graded") for ex in chosen]
    if mode == "public":
        for spec, res in zip(chosen, result.exercises, strict=True):
            res.hidden_not_run = sum(c.visibility == "hidden" for c in spec.checks)
    # cached by then: the worker's first start recorded the level it used
    result.isolation = isolation_label(isolation if isolation is not None else detect_isolation())
    result.score = round(sum(ex.score for ex in result.exercises), 6)
    result.duration_s = time.perf_counter() - start
    return result
