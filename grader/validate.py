"""`gradeformer validate`: prove an exercise's check suite.

For every exercise:

- the solution (``solutions/NN_name/``) scores 100% on every check, run in the worker;
- the stub (the exercise folder itself) scores 0 with status ``not_implemented`` and no
  per-check feedback, run in the worker;
- every misconception loses points, fails at least one hidden check, and is named as itself
  on at least one failed check. Misconceptions are instructor code: their functions (the
  reference standing in for the rest) run in this process through the same checks;
- a check that no misconception fails is "not discriminating": a warning, not a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.grading import InProcessRunner, grade_exercise, grade_submission
from grader.misconceptions import misconception_functions
from grader.results import ExerciseResult
from grader.spec import ExerciseSpec


@dataclass
class MisconceptionReport:
    """How one misconception fared on its exercise's checks."""

    name: str
    percent: float
    failed: list[str]  # every check it fails
    hidden_failed: list[str]
    named_on: list[str]
    lost_nothing: bool

    @property
    def problems(self) -> list[str]:
        out = []
        if self.lost_nothing:
            out.append(f"misconception {self.name!r} loses no points")
        if not self.hidden_failed:
            out.append(f"misconception {self.name!r} is caught by no hidden check")
        if not self.named_on:
            out.append(f"misconception {self.name!r} is never named as itself")
        return out


@dataclass
class ExerciseValidation:
    """Everything validate found about one exercise."""

    exercise: str
    solution_percent: float | None  # None: no solution found
    stub_status: str
    stub_message: str
    misconceptions: list[MisconceptionReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


FULL_MARKS_SLACK = 1e-6  # points are scaled and rounded to 6 decimals


def _percent(ex: ExerciseResult) -> float:
    return 100.0 * ex.score / ex.max_score if ex.max_score else 100.0


def _full_marks(ex: ExerciseResult) -> bool:
    return ex.score >= ex.max_score - FULL_MARKS_SLACK


def misconception_report(exercise: ExerciseSpec, index: int, seed: int) -> MisconceptionReport:
    """Grade misconception `index` of `exercise` as if a student had submitted it."""
    mis = exercise.misconceptions[index]
    runner = InProcessRunner(misconception_functions(exercise, mis))
    result = grade_exercise(exercise, runner, None, None, "hidden", seed)
    failed = [c for c in result.checks if not c.passed]
    return MisconceptionReport(
        name=mis.name,
        percent=_percent(result),
        failed=[c.name for c in failed],
        hidden_failed=[c.name for c in failed if c.visibility == "hidden"],
        named_on=[c.name for c in failed if c.misconception == mis.name],
        lost_nothing=_full_marks(result),
    )


def validate(
    exercises: list[ExerciseSpec],
    exercises_dir: Path,
    solutions_dir: Path,
    seed: int = 0,
    every_exercise: list[ExerciseSpec] | None = None,
) -> list[ExerciseValidation]:
    """Validate `exercises`; see the module docstring for what is required.

    `every_exercise` (default: `exercises`) is what the submissions are searched for, so
    the modules a validated exercise `requires` are found even when it is validated alone.
    """
    searched = every_exercise or exercises
    only = [ex.name for ex in exercises]
    solved = grade_submission(solutions_dir, searched, "hidden", seed, only=only)
    stubs = grade_submission(exercises_dir, searched, "hidden", seed, only=only)
    reports = []
    for exercise in exercises:
        sol = solved.exercise(exercise.name)
        stub = stubs.exercise(exercise.name)
        assert sol is not None and stub is not None
        report = ExerciseValidation(
            exercise=exercise.name,
            solution_percent=None if sol.status == "not_submitted" else _percent(sol),
            stub_status=stub.status,
            stub_message=stub.message,
        )
        if report.solution_percent is None:
            report.problems.append(f"no solution {exercise.module}.py under {solutions_dir}")
        elif sol.status != "graded" or not _full_marks(sol):
            failing = [c for c in sol.checks if not c.passed]
            why = "; ".join(f"{c.name}: {c.message}" for c in failing[:3]) or sol.message
            report.problems.append(f"solution scores {report.solution_percent:.1f}%: {why}")
        if stub.status != "not_implemented" or stub.score != 0 or stub.checks:
            report.problems.append(
                f"stub is {stub.status} with {stub.score:g} points and "
                f"{len(stub.checks)} check lines (expected not_implemented, 0, none)"
            )
        failed_by_some: set[str] = set()
        for i in range(len(exercise.misconceptions)):
            mr = misconception_report(exercise, i, seed)
            report.misconceptions.append(mr)
            report.problems.extend(mr.problems)
            failed_by_some.update(mr.failed)
        if exercise.misconceptions:
            for check in exercise.checks:
                if check.name not in failed_by_some:
                    report.warnings.append(f"not discriminating: {check.name}")
        reports.append(report)
    return reports
