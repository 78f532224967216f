"""One exercise being graded: the forbidden-call scan and the module's first import
(`ExerciseRun.begin`), its checks (`run`, by any runner), then `finish`: the by-hand answers,
"not implemented", and the score. `mark_blocked` words failures whose cause is a broken
earlier exercise ("blocked by softmax: fix exercise 03 first").

The score of an exercise is ``points * earned / total`` over the check points that ran; a
check is all or nothing.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import Literal

from grader.grading.by_hand import answer_checks
from grader.grading.checks import StopExercise, run_check
from grader.grading.forbidden import forbidden_check
from grader.grading.runner import NOT_IMPLEMENTED, Runner
from grader.points import GRADING_PLACES, apportion, exact_sum
from grader.results import CheckResult, ExerciseResult
from grader.spec import ExerciseSpec

Mode = Literal["public", "hidden"]  # which checks run: all, or public + hand-worked only


class ExerciseRun:
    """One exercise being graded: `begin`, then every check by whichever runner `take`s it
    (one runner, or several workers at once: `grader.grading.scheduler`), then `finish`.

    `begin` scans for forbidden calls and imports the module; `finish` adds the by-hand
    answers, decides "not implemented", and scores. Check results keep the spec's order
    whoever ran them. Not thread-safe by itself: the scheduler serialises `take`.
    """

    def __init__(
        self,
        exercise: ExerciseSpec,
        module_path: Path | None,
        answers_path: Path | None,
        mode: Mode,
        seed: int,
        graded_elsewhere: frozenset[str] = frozenset(),
    ) -> None:
        self.exercise, self.module_path, self.answers_path = exercise, module_path, answers_path
        self.seed, self.graded_elsewhere = seed, graded_elsewhere
        self.checks = [c for c in exercise.checks if mode == "hidden" or c.visibility != "hidden"]
        self.results: list[CheckResult | None] = [None] * len(self.checks)
        self.kinds: list[tuple[str, str | None]] = []  # (function, error kind) of every call
        self.stopped: str | None = None  # why the module could not be imported
        self.head: list[CheckResult] = []  # the forbidden-call check
        self.untaken = {  # indexes of checks not yet taken: shown ones, hidden ones
            hidden: deque(
                i for i, c in enumerate(self.checks) if (c.visibility == "hidden") == hidden
            )
            for hidden in (False, True)
        }
        self.started = time.perf_counter()  # reset when a worker begins the exercise

    def begin(self, runner: Runner) -> None:
        """The forbidden-call scan, and the module imported once before any check."""
        self.started = time.perf_counter()
        if self.exercise.forbidden is not None and self.module_path is not None:
            found = forbidden_check(self.exercise, self.module_path, self.graded_elsewhere)
            self.head = [found] if found else []
        try:
            _import_or_stop(self.exercise, runner)
        except StopExercise as stop:
            self.stop(stop.message)

    def take(self, hidden: bool) -> int | None:
        """The index of the next hidden (or shown) check to run, or None when none is left."""
        if self.stopped is not None or not self.untaken[hidden]:
            return None
        return self.untaken[hidden].popleft()

    def has_untaken(self, hidden: bool) -> bool:
        """Whether a hidden (or shown) check is left to take."""
        return self.stopped is None and bool(self.untaken[hidden])

    def exhausted(self) -> bool:
        """True when every check has been taken, or the exercise has stopped."""
        return self.stopped is not None or not any(self.untaken.values())

    def run(self, index: int, runner: Runner) -> None:
        """Run check `index` on `runner`; an import failure stops the whole exercise."""
        try:
            self.results[index] = run_check(
                self.exercise, self.checks[index], runner, self.seed, self.kinds
            )
        except StopExercise as stop:
            self.stop(stop.message)

    def stop(self, message: str) -> None:
        """No further check runs; the exercise ends with status error and `message`."""
        if self.stopped is None:
            self.stopped = message

    def finish(self) -> ExerciseResult:
        """The exercise's result, once every check taken has run."""
        exercise = self.exercise
        result = ExerciseResult(
            exercise=exercise.name,
            title=exercise.title,
            module=exercise.module,
            status="graded",
            score=0.0,
            max_score=exercise.points,
        )
        if self.stopped is not None:
            result.status, result.message = "error", self.stopped
            result.duration_s = time.perf_counter() - self.started
            return result
        checks = self.head + [r for r in self.results if r is not None]
        questions = exercise.questions
        answers = answer_checks(questions, self.answers_path) if questions else []
        if self.kinds and all(k == NOT_IMPLEMENTED for _, k in self.kinds):
            raised = {fn for fn, _ in self.kinds}
            first = next(fn for fn in exercise.functions if fn in raised)
            result.status = "not_implemented"
            result.message = f"not implemented yet ({first} raises NotImplementedError)"
            answered = [a for a in answers if not a.message.startswith("not answered")]
            checks = answered if any(a.status != "error" for a in answered) else []
        else:
            checks.extend(answers)
        _score(exercise, result, checks)
        result.duration_s = time.perf_counter() - self.started
        return result


def _import_or_stop(exercise: ExerciseSpec, runner: Runner) -> None:
    """Import the module once before any check (workers only): a module that hangs, is
    killed or exits while importing stops its exercise at once, rather than costing one
    timeout per check."""
    inspect = getattr(runner, "inspect", None)
    if inspect is None:
        return
    timeout = max((c.timeout for c in exercise.checks), default=10.0)
    info = inspect(exercise.module, timeout=timeout)
    if info.error_kind in ("timeout", "killed", "exited", "protocol"):
        raise StopExercise(f"{exercise.module}.py could not be imported: {info.error}")


def mark_blocked(
    exercise: ExerciseSpec, checks: list[CheckResult], broken: dict[str, ExerciseSpec]
) -> None:
    """Say "blocked by softmax: fix exercise 03 first" on failures when a dependency is broken."""
    blockers = [broken[m] for m in exercise.requires if m in broken]
    if not blockers:
        return
    dep = blockers[0]
    for c in checks:
        if c.status != "pass" and c.kind not in ("forbidden", "answer"):
            c.details.insert(0, c.message)
            c.message = f"blocked by {dep.module}: fix exercise {dep.number} first"


def _score(exercise: ExerciseSpec, result: ExerciseResult, checks: list[CheckResult]) -> None:
    """Scale check points so they add up to the exercise's points, exactly.

    Each check's maximum is its weight × points / Σ weights, rounded to 6 decimals by the
    largest-remainder rule (`grader.points.apportion`), so the maxima add up to the points;
    a passed check earns its maximum, a partly passed one its share of it, and the
    exercise's score is the exact sum of what its checks earned.
    """
    total = sum(c.max_points for c in checks)
    scale = exercise.points / total if total else 0.0
    maxima = [c.max_points * scale for c in checks]
    if total:
        maxima = apportion(maxima, exercise.points, GRADING_PLACES)
    for c, maximum in zip(checks, maxima, strict=True):
        earned = c.points / c.max_points if c.max_points else 0.0
        c.points = maximum if earned >= 1.0 else min(maximum, round(earned * maximum, 6))
        c.max_points = maximum
    result.checks = checks
    if result.status == "graded":
        result.score = exact_sum([c.points for c in checks])


def not_graded(exercise: ExerciseSpec, status: str, message: str) -> ExerciseResult:
    """A zero result with one message and no checks (not submitted, nothing graded)."""
    return ExerciseResult(
        exercise=exercise.name,
        title=exercise.title,
        module=exercise.module,
        status=status,  # type: ignore[arg-type]
        score=0.0,
        max_score=exercise.points,
        message=message,
    )
