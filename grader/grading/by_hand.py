"""By-hand questions: the student's answers.yaml judged against an exercise's questions,
one check line per question (and a zero-point line per key that is no question's id)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import numpy as np

from grader.results import CheckResult
from grader.spec import QuestionSpec
from grader.yamlfile import YamlError, load_yaml

ANSWER_SLACK = 1e-12  # |0.88 - 0.881| is 0.0010000000000000009: "within 0.001" all the same


def answer_checks(questions: list[QuestionSpec], answers_path: Path | None) -> list[CheckResult]:
    """One check per question, judged against `answers_path` (None: no answers.yaml was
    found), then the unknown keys; an unreadable file makes every question an error."""
    checks = []
    answers: dict[str, Any] = {}
    problem = ""
    if answers_path is None:
        problem = "no answers.yaml found beside the module"
    else:
        try:
            loaded = load_yaml(answers_path) or {}
        except (YamlError, OSError) as exc:
            problem = "answers.yaml could not be read: " + " ".join(str(exc).split())
        else:
            if isinstance(loaded, dict):
                answers = loaded
            else:
                problem = "answers.yaml must map each question id to an answer"
    for q in questions:
        res = CheckResult(
            name=f"answers.yaml: {q.id}",
            visibility="public",
            kind="answer",
            status="fail",
            points=0.0,
            max_points=q.points,
        )
        if problem:
            res.status, res.message = "error", problem
        elif answers.get(q.id) is None:
            res.message = f"not answered yet ({q.question})"
        else:
            ok, res.message = _judge_answer(q, answers[q.id])
            if ok:
                res.status, res.points, res.message = "pass", q.points, ""
            elif q.explain:
                res.trace = [q.explain]  # the working, once the student has tried
        checks.append(res)
    return checks + _unknown_answers(questions, answers)


def _unknown_answers(questions: list[QuestionSpec], answers: dict[str, Any]) -> list[CheckResult]:
    """A failed line worth no points for each answers.yaml key that is no question's id."""
    ids = [q.id for q in questions]
    lines = []
    for key in map(str, answers):
        if key in ids:
            continue
        close = difflib.get_close_matches(key, ids, n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        lines.append(
            CheckResult(
                name=f"answers.yaml: {key}",
                visibility="public",
                kind="answer",
                status="fail",
                points=0.0,
                max_points=0.0,
                message=f"unknown question {key!r}{guess}",
            )
        )
    return lines


def _judge_answer(q: QuestionSpec, given: Any) -> tuple[bool, str]:
    if q.compare == "exact" or isinstance(q.answer, str):
        ok = str(given).strip() == str(q.answer).strip()
        return ok, f"{q.question}: your answer {given!r} is not right"
    try:
        got = np.asarray(given, dtype=np.float64)
    except (TypeError, ValueError):
        return False, f"{q.question}: expected a number or a list of numbers, got {given!r}"
    want = np.asarray(q.answer, dtype=np.float64)
    if q.compare == "shape":
        return got.shape == want.shape and bool(np.all(got == want)), (
            f"{q.question}: your shape {given!r} is not right"
        )
    if got.shape != want.shape:
        return False, f"{q.question}: expected {want.size} number(s) in shape {want.shape}"
    ok = bool(np.all(np.abs(got - want) <= q.tol + ANSWER_SLACK))
    return ok, f"{q.question}: your answer {given!r} is not within {q.tol:g} of the right value"
