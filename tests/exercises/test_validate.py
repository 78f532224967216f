"""`gradeformer validate` over the real exercises: the check suites prove themselves.

Each exercise: its solution scores 100% in the worker, its stub 0 with "not implemented"
and nothing else, every misconception loses points, fails a hidden check and is named as
itself. Warnings (non-discriminating checks) do not fail the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.spec import load_exercises
from grader.validate import ExerciseValidation, validate

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
SOLUTIONS = ROOT / "solutions"
NAMES = sorted(p.name for p in EXERCISES.iterdir() if (p / "exercise.yaml").is_file())


@pytest.fixture(scope="module")
def reports() -> dict[str, ExerciseValidation]:
    exercises = load_exercises(EXERCISES)
    return {r.exercise: r for r in validate(exercises, EXERCISES, SOLUTIONS)}


def test_there_are_exercises() -> None:
    assert len(NAMES) >= 1


@pytest.mark.parametrize("name", NAMES)
def test_exercise_suite_is_sound(name: str, reports: dict[str, ExerciseValidation]) -> None:
    report = reports[name]
    assert report.problems == []
    assert report.solution_percent == 100.0
    assert report.stub_status == "not_implemented"
    assert "not implemented yet" in report.stub_message
    for mis in report.misconceptions:
        assert mis.percent < 100.0 and mis.hidden_failed and mis.named_on


def test_an_exercise_validated_alone_finds_the_modules_it_requires() -> None:
    """10_transformer's solution imports attention, layernorm and ffn: validating it alone
    must still locate them (it failed with "No module named 'attention'" once)."""
    every = load_exercises(EXERCISES)
    chosen = [ex for ex in every if ex.name == "10_transformer"]
    assert chosen and chosen[0].requires  # the premise: it depends on earlier modules
    (report,) = validate(chosen, EXERCISES, SOLUTIONS, every_exercise=every)
    assert report.problems == []
    assert report.solution_percent == 100.0
