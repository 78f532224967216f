"""Grade a submission: run each exercise's checks in sandboxed workers and turn them into
results (docs/internals.md).

`grade_submission` is the entry point. Per exercise:

1. the module is missing -> status ``not_submitted``; it does not import -> ``error``;
2. a forbidden-call scan on the module's AST (a check of its own, with line numbers);
3. every check: build the case (parent), call the student's functions (worker), compare
   (parent), and on a failure name the matching misconception;
4. the by-hand questions against the student's answers.yaml;
5. when every call raised NotImplementedError the exercise is ``not_implemented`` with one
   line of feedback and no per-check noise.

The modules, from the top down:

- `grade`: `grade_submission`, a submission into a `SubmissionResult`;
- `opening`: the submission as located modules (a temporary folder for a zip or notebook);
- `pool`: `grade_located`, the sandboxed workers, one thread each, and "blocked by" notes
  (`grade_exercise`: one exercise on one runner);
- `scheduler`: which worker runs which exercise's start or check next;
- `exercise_run`: one exercise, begun, checked and finished (answers, scoring);
- `checks`: one check, its case, calls, verdict and wording (value-free when hidden);
- `by_hand`: the answers.yaml lines; `forbidden`: the forbidden-call scan (`reach`: which
  definitions some names reach);
- `runner`: the `Runner` and `Outcome` protocols, and `InProcessRunner` for trusted code.
"""

from __future__ import annotations

from grader.grading.exercise_run import Mode
from grader.grading.forbidden import forbidden_uses
from grader.grading.grade import grade_submission
from grader.grading.pool import grade_exercise
from grader.grading.runner import InProcessRunner, Outcome, Runner

__all__ = [
    "InProcessRunner",
    "Mode",
    "Outcome",
    "Runner",
    "forbidden_uses",
    "grade_exercise",
    "grade_submission",
]
