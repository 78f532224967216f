"""What every writer says about a check, in one place.

`redact(check)` is the only gate for hidden checks: a hidden check keeps its name, kind,
status, points, the value-free message grading gave it (see `HIDDEN_MESSAGE_PREFIXES`) and
the misconception it matched (name and hint: our words, never values); any other message,
its diagnostics, trace and the student's prints on it are dropped (they may contain hidden
inputs or values). Every writer renders checks through
`redact` (`feedback_lines` calls it first), so no format can leak what another one hides.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from grader.results import (
    HIDDEN_MESSAGE_PREFIXES,
    CheckResult,
    ExerciseResult,
    SubmissionResult,
)

HIDDEN_NOTE = "hidden check: its inputs, values and your output on it are not shown"

Role = Literal["message", "detail", "hint", "trace", "output"]


@dataclass(frozen=True)
class Line:
    """One line of feedback and what it is (writers style by role)."""

    role: Role
    text: str


def redact(check: CheckResult) -> CheckResult:
    """A copy of `check` that is safe to show: hidden checks keep only name, kind, points and
    the matched misconception's name and hint."""
    if check.visibility != "hidden":
        return check
    message = "" if check.passed else HIDDEN_NOTE
    if not check.passed and check.message.startswith(HIDDEN_MESSAGE_PREFIXES):
        message = check.message
    return dataclasses.replace(check, message=message, details=[], trace=[], output="")


def redact_submission(result: SubmissionResult) -> SubmissionResult:
    """A copy of `result` whose hidden checks are redacted (see `redact`)."""
    exercises = [
        dataclasses.replace(ex, checks=[redact(c) for c in ex.checks]) for ex in result.exercises
    ]
    return dataclasses.replace(result, exercises=exercises)


def feedback_lines(check: CheckResult, *, with_output: bool = True) -> list[Line]:
    """What to tell the student about `check` (redacted first), one line each.

    A passing check says nothing; a failing one gives its message, its diagnostics,
    "likely bug: <misconception>: <hint>", the hand-worked trace, then the captured output.
    """
    check = redact(check)
    if check.passed:
        return []
    lines = [Line("message", text) for text in check.message.splitlines()]
    lines += [Line("detail", d) for d in check.details]
    if check.misconception:
        hint = f": {check.hint}" if check.hint else ""
        lines.append(Line("hint", f"likely bug: {check.misconception}{hint}"))
    lines += [Line("trace", t) for t in check.trace]
    if with_output and check.output.strip():
        lines.append(Line("output", "your output:"))
        lines += [Line("output", f"| {o}") for o in output_excerpt(check.output)]
    return lines


OUTPUT_HEAD = OUTPUT_TAIL = 8  # lines of a student's output shown before and after a gap
OUTPUT_LINE_CHARS = 200


def output_excerpt(output: str) -> list[str]:
    """The student's output as lines, long ones cut, at most the first and last few lines
    with a note of how many were left out, so a flood of prints cannot bury the verdict."""
    lines = [
        ln if len(ln) <= OUTPUT_LINE_CHARS else ln[:OUTPUT_LINE_CHARS] + " …"
        for ln in output.rstrip("\n").splitlines()
    ]
    if len(lines) <= OUTPUT_HEAD + OUTPUT_TAIL + 1:
        return lines
    left_out = len(lines) - OUTPUT_HEAD - OUTPUT_TAIL
    return [*lines[:OUTPUT_HEAD], f"… {left_out} more lines …", *lines[-OUTPUT_TAIL:]]


def feedback_text(check: CheckResult, *, with_output: bool = True) -> str:
    """`feedback_lines` joined with newlines ("" for a passing check)."""
    return "\n".join(line.text for line in feedback_lines(check, with_output=with_output))


def exercise_label(ex: ExerciseResult) -> str:
    """ "03_softmax" → "03 softmax" (the folder name with its first "_" as a space)."""
    number, sep, rest = ex.exercise.partition("_")
    return f"{number} {rest}" if sep and number.isdigit() else ex.exercise


def exercise_number(ex: ExerciseResult) -> int | None:
    """The NN of an "NN_name" folder, or None when the folder has no number."""
    number = ex.exercise.partition("_")[0]
    return int(number) if number.isdigit() else None


def unrun_message(ex: ExerciseResult) -> str:
    """One line for an exercise whose checks did not run (not submitted / not implemented)."""
    default = {
        "not_submitted": f"not submitted ({ex.module}.py not found)",
        "not_implemented": "not implemented yet",
        "error": "could not be graded",
    }.get(ex.status, ex.status)
    return ex.message or default


def points(value: float) -> str:
    """Points as people write them: 10 → "10", 2.5 → "2.5", 10/11 → "0.91"."""
    return f"{round(value, 2):g}"


def score(value: float) -> str:
    """A score with one decimal, as in "6.0/10 points"."""
    return f"{value:.1f}"
