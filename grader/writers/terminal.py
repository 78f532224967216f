"""Human feedback for a terminal (rich): colour on a tty, plain text everywhere else.

```
03 softmax                                         isolation: bwrap
  ✓ rows sum to 1 (4×7 logits)
  ✗ large logits stay finite (logits of ±1e4)
      your softmax returned nan at [0, 1] (and 3 more of 14 elements)
      likely bug: no max subtraction: exp(10000) overflows to inf ...
  answers.yaml: 2/2 by-hand answers correct
softmax: 3/4 checks, 4.0/10 points · 0.4 s
  · 07 bpe: not implemented yet (train_bpe raises NotImplementedError)
total: 4.0/20 points (20.0%) · 0 of 2 exercises complete · 1.2 s
```

Student text is never parsed as rich markup: every line is a `rich.text.Text`. The lines
are collected and printed at once (one rich render, not one per line).
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.text import Text

from grader.results import CheckResult, ExerciseResult, SubmissionResult
from grader.writers.feedback import (
    exercise_label,
    feedback_lines,
    points,
    score,
    unrun_message,
)

HEADER_WIDTH = 50  # the column where "isolation: ..." starts
SYMBOL = {"pass": ("✓", "green"), "fail": ("✗", "red"), "error": ("✗", "red bold")}
ROLE_STYLE = {
    "message": "",
    "detail": "",
    "hint": "yellow",
    "trace": "cyan",
    "output": "dim",
}
Lines = list[Text]  # the output, collected line by line


def write(result: SubmissionResult, stream: TextIO, *, timings: bool = True) -> None:
    """Render `result` for a person; colour only when `stream` is a terminal."""
    tty = bool(getattr(stream, "isatty", lambda: False)())
    console = Console(
        file=stream,
        force_terminal=tty,
        color_system="auto" if tty else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )
    if result.error:  # nothing was graded: one line, not one per exercise
        console.print(Text(f"Error: {result.error}", style="red bold"))
        return
    lines: Lines = []
    for ex in result.exercises:
        _exercise(lines, ex, result.isolation, timings)
    lines.append(_total(result, timings))
    console.print(Text("\n").join(lines))


def _exercise(lines: Lines, ex: ExerciseResult, isolation: str, timings: bool) -> None:
    if ex.status in ("not_submitted", "not_implemented"):
        lines.append(Text(f"  · {exercise_label(ex)}: {unrun_message(ex)}", style="dim"))
        return
    label = exercise_label(ex)
    header = Text(label.ljust(HEADER_WIDTH - 1) + " ", style="bold")
    header.append(f"isolation: {isolation}", style="dim")
    lines.append(header)
    if ex.status == "error":
        lines.append(Text(f"  ✗ {unrun_message(ex)}", style="red bold"))
    said: list[str] = []  # the feedback of the previous failing check
    for check in ex.checks:
        if check.kind != "answer":
            said = _check(lines, check, said)
    answers = [c for c in ex.checks if c.kind == "answer"]
    if answers:
        _answers(lines, answers)
    if ex.hidden_not_run:
        n = ex.hidden_not_run
        lines.append(
            Text(f"  + {n} hidden check{'s' * (n != 1)} run at grading, not here", style="dim")
        )
    lines.append(_summary(ex, timings))


def _check(lines: Lines, check: CheckResult, said: list[str] | None = None) -> list[str]:
    """Print one check; feedback identical to the previous check's (`said`) is not repeated
    (a missing function or a crash at every call would otherwise fill the screen)."""
    symbol, style = SYMBOL[check.status]
    line = Text(f"  {symbol} ", style=style)
    hidden = check.visibility == "hidden"
    line.append(f"hidden: {check.name} ({check.kind})" if hidden else check.name)
    lines.append(line)
    feedback = feedback_lines(check)
    texts = [fb.text for fb in feedback if fb.role != "trace"]
    if texts and texts == said:
        lines.append(Text("      (the same as above)", style="dim"))
        feedback = [fb for fb in feedback if fb.role == "trace"]
    for fb in feedback:
        lines.append(Text(f"      {fb.text}", style=ROLE_STYLE[fb.role]))
    return texts


def _answers(lines: Lines, answers: list[CheckResult]) -> None:
    """By-hand answers: wrong ones one by one, except that answers failing for the same
    reason (e.g. no answers.yaml at all) share one line; then "answers.yaml: k/n correct"."""
    failing = [c for c in answers if not c.passed]
    reasons = Counter(c.message for c in failing)
    for check in failing:
        if reasons[check.message] == 1:
            _check(lines, check)
    for message, n in reasons.items():
        if n > 1:
            lines.append(Text(f"  ✗ {n} by-hand answers: {message}", style=SYMBOL["fail"][1]))
    correct = len(answers) - len(failing)
    lines.append(Text(f"  answers.yaml: {correct}/{len(answers)} by-hand answers correct"))


def _summary(ex: ExerciseResult, timings: bool) -> Text:
    text = (
        f"{ex.module}: {ex.passed}/{len(ex.checks)} checks, "
        f"{score(ex.score)}/{points(ex.max_score)} points"
    )
    if timings:
        text += f" · {ex.duration_s:.1f} s"
    return Text(text, style="bold green" if ex.score >= ex.max_score > 0 else "bold")


def _total(result: SubmissionResult, timings: bool) -> Text:
    complete = sum(
        ex.status == "graded" and ex.passed == len(ex.checks) > 0 for ex in result.exercises
    )
    who = f"{result.student} · " if result.student else ""
    text = (
        f"{who}total: {score(result.score)}/{points(result.max_score)} points "
        f"({result.percent:.1f}%) · {complete} of {len(result.exercises)} exercises complete"
    )
    if timings:
        text += f" · {result.duration_s:.1f} s"
    return Text(text, style="bold")
