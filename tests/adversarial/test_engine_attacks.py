"""The attacks graded end to end by `grade_submission` on exercise 03 (softmax).

The fast attacks only (the slow ones, timeouts and memory, are driven against the
`Worker` in test_attacks.py). Each submission implements `softmax` maliciously and
nothing else: it must score zero (property checks also require the answer key's values,
so all-zero or uniform outputs earn nothing), and hidden checks show no student output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.grading import grade_submission
from grader.spec import ExerciseSpec, load_exercises

SUBMISSIONS = Path(__file__).parent / "submissions"
EXERCISES = Path(__file__).resolve().parents[2] / "exercises"
NEVER_RETURN_A_VALUE = [
    "eq_always_true",
    "ndarray_subclass",
    "object_array",
    "lying_float",
    "read_secrets",
    "sys_exit_zero",
]
RETURN_WRONG_VALUES = [
    "monkeypatch_numpy",
    "frame_hunting",
    "fake_result_output",
    "kill_parent",
    "open_socket",
    "delete_parent",
]


@pytest.fixture(scope="module")
def softmax_exercise() -> ExerciseSpec:
    return next(ex for ex in load_exercises(EXERCISES) if ex.module == "softmax")


@pytest.mark.parametrize("attack", NEVER_RETURN_A_VALUE + RETURN_WRONG_VALUES)
def test_an_attack_earns_nothing_from_value_checks(
    attack: str, softmax_exercise: ExerciseSpec
) -> None:
    result = grade_submission(SUBMISSIONS / attack, [softmax_exercise], mode="hidden", seed=0)
    assert result.error is None
    (exercise,) = result.exercises
    assert exercise.status == "graded"
    assert [c.name for c in exercise.checks if c.passed] == []
    assert exercise.score == 0
    hidden = [c for c in exercise.checks if c.visibility == "hidden"]
    assert hidden and all(c.output == "" for c in hidden)
    assert "PASSED softmax 10/10" not in json.dumps(
        [c.message for c in exercise.checks] + [d for c in hidden for d in c.details]
    )
