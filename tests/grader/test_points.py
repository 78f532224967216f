"""Points add up exactly (#17.7): in every writer, for every exercise, the checks' points sum to
the exercise's points and the exercises' to the maximum, as the numbers are written.

Sums are taken in decimal over the written text (`Decimal("3.333334")`), never in floats, so
"adds up" means what a person adding the column by hand would get.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from grader.api import CheckReport
from grader.grading.exercise_run import _score
from grader.points import apportion, shown_points
from grader.report.html import _exercise_view
from grader.results import CheckResult, ExerciseResult, SubmissionResult
from grader.spec import load_exercises
from grader.writers import write

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = load_exercises(ROOT / "exercises")


def dsum(values: object) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal(0))  # type: ignore[attr-defined]


def test_largest_remainder_by_hand() -> None:
    # 10 over 3: 3.333.. each; floors 3.33 × 3 = 9.99, one cent left, to the first (ties)
    assert apportion([10 / 3] * 3, 10, 2) == [3.34, 3.33, 3.33]
    # 120 over 21 checks: 5.7142857..; rounding each gives 21 × 5.714286 = 120.000006
    naive = [round(120 / 21, 6)] * 21
    assert dsum(naive) == Decimal("120.000006")
    shares = apportion([120 / 21] * 21, 120, 6)
    assert dsum(shares) == 120
    assert sorted(set(shares)) == [5.714285, 5.714286]  # 6 × 5.714285 + 15 × 5.714286 = 120
    assert shares.count(5.714286) == 15
    assert apportion([1.0, 2.0], 3, 6) == [1.0, 2.0]  # nothing to share out
    assert shown_points([0.333333, 0.333333, 0.333334]) == [0.33, 0.33, 0.34]
    with pytest.raises(ValueError):
        apportion([1.0, 1.0], 5, 2)


def _graded(spec: object, pattern: int) -> ExerciseResult:
    """`spec`'s checks with their spec weights, passed, failed or a third passed in turn."""
    weights = [spec.forbidden.points] if spec.forbidden else []  # type: ignore[attr-defined]
    weights += [c.points for c in spec.checks] + [q.points for q in spec.questions]  # type: ignore[attr-defined]
    checks = []
    for i, weight in enumerate(weights):
        kind = (i + pattern) % 3
        status = "pass" if kind == 0 else "fail"
        earned = weight if kind == 0 else (weight / 3 if kind == 1 else 0.0)
        checks.append(CheckResult(f"check {i}", "hidden", "allclose", status, earned, weight))  # type: ignore[arg-type]
    result = ExerciseResult(spec.name, spec.title, spec.module, "graded", 0.0, spec.points)  # type: ignore[attr-defined]
    _score(spec, result, checks)  # type: ignore[arg-type]
    return result


@pytest.fixture(params=[0, 1], ids=["mixed", "mixed-shifted"])
def result(request: pytest.FixtureRequest) -> SubmissionResult:
    exercises = [_graded(spec, request.param) for spec in EXERCISES]
    return SubmissionResult(
        "s", "s", "hidden", 1, "bwrap",
        float(dsum(ex.score for ex in exercises)),
        float(dsum(ex.max_score for ex in exercises)),
        exercises,
    )  # fmt: skip


def test_the_suite_needs_it() -> None:
    """Rounding each check alone (as before) loses the total on some exercise of the suite."""
    lost = []
    for spec in EXERCISES:
        weights = [spec.forbidden.points] if spec.forbidden else []
        weights += [c.points for c in spec.checks] + [q.points for q in spec.questions]
        naive = [round(w * spec.points / sum(weights), 6) for w in weights]
        if dsum(naive) != Decimal(str(spec.points)):
            lost.append(spec.name)
    assert lost, "no exercise loses points to naive rounding: this test proves nothing"


def test_json_adds_up(result: SubmissionResult) -> None:
    data = json.loads(_written(result, "json"))
    for ex in data["exercises"]:
        assert dsum(c["max_points"] for c in ex["checks"]) == Decimal(str(ex["max_score"]))
        assert dsum(c["points"] for c in ex["checks"]) == Decimal(str(ex["score"]))
    assert dsum(ex["max_score"] for ex in data["exercises"]) == Decimal(str(data["max_score"]))
    assert dsum(ex["score"] for ex in data["exercises"]) == Decimal(str(data["score"]))


def test_gradescope_adds_up(result: SubmissionResult) -> None:
    data = json.loads(_written(result, "gradescope"))
    by_module: dict[str, list[dict]] = {}
    for test in data["tests"]:
        by_module.setdefault(test["tags"][0], []).append(test)
    for ex in result.exercises:
        tests = by_module[ex.module]
        assert dsum(t["max_score"] for t in tests) == Decimal(str(ex.max_score)), ex.exercise
        assert dsum(t["score"] for t in tests) == Decimal(str(ex.score)), ex.exercise
    assert dsum(t["max_score"] for t in data["tests"]) == Decimal(str(result.max_score))
    assert dsum(t["score"] for t in data["tests"]) == Decimal(str(data["score"]))


def test_junit_adds_up(result: SubmissionResult) -> None:
    root = ET.fromstring(_written(result, "junit").split("\n", 1)[1])
    for suite in root.iter("testsuite"):
        own = {p.get("name"): p.get("value") for p in suite.find("properties")}  # type: ignore[union-attr]
        cases = [
            {p.get("name"): p.get("value") for p in case.find("properties")}  # type: ignore[union-attr]
            for case in suite.iter("testcase")
        ]
        assert dsum(c["max_points"] for c in cases) == Decimal(own["max_score"])  # type: ignore[arg-type]
        assert dsum(c["points"] for c in cases) == Decimal(own["score"])  # type: ignore[arg-type]


def test_pages_and_the_notebook_table_add_up_at_two_decimals(result: SubmissionResult) -> None:
    for ex in result.exercises:
        view = _exercise_view(ex)
        assert dsum(c.max_points for c in view.checks) == round(Decimal(str(ex.max_score)), 2)
        assert dsum(c.points for c in view.checks) == round(Decimal(str(ex.score)), 2)
    table = CheckReport(**result.__dict__)._repr_html_()
    rows = re.findall(r"<td>([\d.]+)/([\d.]+)</td></tr>", table)
    assert dsum(out_of for _, out_of in rows) == Decimal(str(result.max_score))


def _written(result: SubmissionResult, fmt: str) -> str:
    stream = io.StringIO()
    write(result, fmt, stream, timings=False)
    return stream.getvalue()
