"""Gradescope autograder `results.json`.

Spec: https://gradescope-autograders.readthedocs.io/en/latest/specs/ . One test per check,
named "03 softmax › <check>" and numbered "<exercise>.<check>" ("3.2"); an exercise whose
checks did not run (not submitted, not implemented, error) is one failed test worth its
points. Hidden checks get visibility "after_published": shown only once the instructor
publishes grades ("hidden" would also hide the student's total score), and their output
never holds values (see `feedback.redact`). The top level has no `max_score` key in the
spec, so the total and the percentage go in `extra_data`.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from grader.results import CheckResult, ExerciseResult, SubmissionResult
from grader.writers.feedback import (
    exercise_label,
    exercise_number,
    feedback_text,
    points,
    score,
    unrun_message,
)

VISIBILITY = {"public": "visible", "hand-worked": "visible", "hidden": "after_published"}


def write(result: SubmissionResult, stream: TextIO, *, timings: bool = True) -> None:
    """Write the Gradescope results.json for `result`."""
    json.dump(to_gradescope(result, timings=timings), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def to_gradescope(result: SubmissionResult, *, timings: bool = True) -> dict[str, Any]:
    """The results.json object (a dict ready for `json.dump`)."""
    tests: list[dict[str, Any]] = []
    for position, ex in enumerate(result.exercises, start=1):
        number = exercise_number(ex)
        prefix = str(number if number is not None else position)
        if ex.checks and ex.status == "graded":
            tests += [_check_test(ex, c, f"{prefix}.{i}") for i, c in enumerate(ex.checks, 1)]
        else:
            tests.append(_unrun_test(ex, prefix))
    data: dict[str, Any] = {
        "score": round(result.score, 6),
        "output": _summary(result),
        "output_format": "text",
        "test_output_format": "text",
        "stdout_visibility": "hidden",
        "extra_data": {
            "max_score": result.max_score,
            "percent": round(result.percent, 6),
            "seed": result.seed,
            "isolation": result.isolation,
            "schema_version": result.schema_version,
        },
        "tests": tests,
    }
    if timings:
        data["execution_time"] = round(result.duration_s, 3)
    return data


def _check_test(ex: ExerciseResult, check: CheckResult, number: str) -> dict[str, Any]:
    name = check.name if check.visibility != "hidden" else f"{check.name} (hidden, {check.kind})"
    return {
        "name": f"{exercise_label(ex)} › {name}",
        "number": number,
        "score": round(check.points, 6),
        "max_score": check.max_points,
        "status": "passed" if check.passed else "failed",
        "output": feedback_text(check) or "passed",
        "visibility": VISIBILITY[check.visibility],
        "tags": [ex.module, check.visibility, check.kind],
    }


def _unrun_test(ex: ExerciseResult, number: str) -> dict[str, Any]:
    return {
        "name": exercise_label(ex),
        "number": number,
        "score": round(ex.score, 6),
        "max_score": ex.max_score,
        "status": "failed",
        "output": unrun_message(ex),
        "visibility": "visible",
        "tags": [ex.module, ex.status],
    }


def _summary(result: SubmissionResult) -> str:
    lines = [f"Error: {result.error}"] if result.error else []
    for ex in result.exercises:
        status = f"{score(ex.score)}/{points(ex.max_score)} points"
        if ex.status != "graded":
            status += f" · {unrun_message(ex)}"
        lines.append(f"{exercise_label(ex)}: {status}")
    lines.append(
        f"total: {score(result.score)}/{points(result.max_score)} points "
        f"({result.percent:.1f}%) · isolation: {result.isolation}"
    )
    return "\n".join(lines)
