"""Exercism test-runner `results.json`, interface version 3.

Spec: https://exercism.org/docs/building/tooling/test-runners/interface . Status is
"pass" when every check passed, "error" when nothing could run (a submission-level error,
or every exercise errored), else "fail". One test per check in exercise order, each with
`task_id` = the exercise number ("03_softmax" → 3); an exercise whose checks did not run is
one test. `output` (the student's prints) is capped at 500 characters and never present for
hidden checks.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from grader.results import CheckResult, ExerciseResult, SubmissionResult
from grader.writers.feedback import (
    exercise_label,
    exercise_number,
    feedback_text,
    redact,
    unrun_message,
)

VERSION = 3
OUTPUT_LIMIT = 500
TRUNCATED = "Output was truncated. Please limit to 500 chars"


def write(result: SubmissionResult, stream: TextIO, *, timings: bool = True) -> None:
    """Write the Exercism v3 results.json for `result` (the format has no timings)."""
    json.dump(to_exercism(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def to_exercism(result: SubmissionResult) -> dict[str, Any]:
    """The results.json object (a dict ready for `json.dump`)."""
    tests: list[dict[str, Any]] = []
    for position, ex in enumerate(result.exercises, start=1):
        number = exercise_number(ex)
        task_id = number if number is not None else position
        if ex.checks and ex.status == "graded":
            tests += [_check_test(ex, c, task_id) for c in ex.checks]
        else:
            tests.append(_unrun_test(ex, task_id))
    errors = [ex for ex in result.exercises if ex.status == "error"]
    if result.error or (result.exercises and len(errors) == len(result.exercises)):
        message = result.error or "\n".join(f"{exercise_label(e)}: {e.message}" for e in errors)
        return {"version": VERSION, "status": "error", "message": message, "tests": tests}
    ok = bool(tests) and all(t["status"] == "pass" for t in tests)
    return {"version": VERSION, "status": "pass" if ok else "fail", "message": None, "tests": tests}


def cap_output(text: str) -> str:
    """`text` if it fits in 500 characters, else its start and the spec's truncation note."""
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[: OUTPUT_LIMIT - len(TRUNCATED) - 1] + "\n" + TRUNCATED


def _check_test(ex: ExerciseResult, check: CheckResult, task_id: int) -> dict[str, Any]:
    shown = redact(check)
    test: dict[str, Any] = {
        "name": f"{exercise_label(ex)}: {check.name}",
        "status": check.status,
        "message": feedback_text(shown, with_output=False) or None,
        "task_id": task_id,
        "test_code": f"# {check.visibility} {check.kind} check of {ex.module}.py\n"
        f"gradeformer check {ex.module}",
    }
    if shown.output:
        test["output"] = cap_output(shown.output)
    return test


def _unrun_test(ex: ExerciseResult, task_id: int) -> dict[str, Any]:
    return {
        "name": exercise_label(ex),
        "status": "error" if ex.status == "error" else "fail",
        "message": unrun_message(ex),
        "task_id": task_id,
        "test_code": f"gradeformer check {ex.module}",
    }
