"""The results model: plain dataclasses that every writer reads.

A `SubmissionResult` holds one `ExerciseResult` per exercise, each holding one
`CheckResult` per check (by-hand answers and forbidden-call scans are checks too).
`to_dict()` / `from_dict()` round-trip through JSON; the JSON schema version is
`SCHEMA_VERSION` and is documented in docs/results-schema.md.

Determinism: everything except the `timing` fields is a pure function of the submission,
the exercise specs and the seed. `to_dict(timings=False)` leaves the timing fields out, so
two runs give byte-identical JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = 1

Visibility = Literal["public", "hidden", "hand-worked"]
CheckStatus = Literal["pass", "fail", "error"]
# graded: checks ran; not_submitted: module not found; not_implemented: every function
# raised NotImplementedError; error: the module could not be imported / the worker died.
ExerciseStatus = Literal["graded", "not_submitted", "not_implemented", "error"]

TIMING_FIELDS = frozenset({"duration_s", "started_at"})

# The message of a failed hidden check (`grader.grading.checks`) starts with one of these and
# is value-free by construction: the input's description, then "wrong values", "wrong shape",
# "softmax raised ValueError", "softmax: timed out after 10 s"... Writers show such a message
# and nothing else of a hidden check.
HIDDEN_MESSAGE_PREFIXES = ("failed on a hidden input", "error on a hidden input")


@dataclass
class CheckResult:
    """The outcome of one check on one exercise."""

    name: str
    visibility: Visibility
    kind: str  # allclose | exact | raises | property | forbidden | answer
    status: CheckStatus
    points: float
    max_points: float
    message: str = ""  # one line: what happened
    details: list[str] = field(default_factory=list)  # diagnostics, one line each
    misconception: str | None = None  # name of the matched misconception
    hint: str | None = None  # that misconception's hint
    trace: list[str] = field(default_factory=list)  # hand-worked arithmetic, step by step
    output: str = ""  # the student's captured stdout/stderr (capped; empty for hidden)
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass
class ExerciseResult:
    """All checks of one exercise for one submission."""

    exercise: str  # folder name, e.g. "03_softmax"
    title: str
    module: str  # e.g. "softmax"
    status: ExerciseStatus
    score: float
    max_score: float
    message: str = ""  # e.g. "not implemented yet (softmax raises NotImplementedError)"
    checks: list[CheckResult] = field(default_factory=list)
    hidden_not_run: int = 0  # hidden checks left for grading (a `check` runs public ones only)
    duration_s: float = 0.0

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks)


@dataclass
class SubmissionResult:
    """Everything gradeformer found out about one submission."""

    submission: str  # the path or name as given
    student: str | None
    mode: Literal["public", "hidden"]  # which checks ran: public + hand-worked, or all
    seed: int
    isolation: str  # "bwrap" | "unshare" | "rlimits" | "none (trusted)"
    score: float
    max_score: float
    exercises: list[ExerciseResult] = field(default_factory=list)
    error: str | None = None  # a submission-level problem (bad zip, ...); nothing graded
    versions: dict[str, str] = field(default_factory=dict)  # gradeformer, python, numpy
    submission_sha256: str = ""  # `grader.submission.fingerprint` of what was graded
    started_at: str = ""  # ISO 8601, UTC
    duration_s: float = 0.0
    schema_version: int = SCHEMA_VERSION

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def exercise(self, name: str) -> ExerciseResult | None:
        """The result of exercise `name` (folder name like "03_softmax" or module "softmax")."""
        for ex in self.exercises:
            if name in (ex.exercise, ex.module):
                return ex
        return None

    def to_dict(self, timings: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; with `timings=False` every timing field is left out."""
        data = dataclasses.asdict(self)
        data["percent"] = round(self.percent, 6)
        return _drop_timings(data) if not timings else data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Rebuild a result from `to_dict()` output (missing timing fields default to 0)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        top = {k: v for k, v in data.items() if k in fields and k != "exercises"}
        exercises = []
        for ex in data.get("exercises", []):
            ex_fields = {f.name for f in dataclasses.fields(ExerciseResult)}
            ex_kwargs = {k: v for k, v in ex.items() if k in ex_fields and k != "checks"}
            check_fields = {f.name for f in dataclasses.fields(CheckResult)}
            checks = [
                CheckResult(**{k: v for k, v in c.items() if k in check_fields})
                for c in ex.get("checks", [])
            ]
            exercises.append(ExerciseResult(**ex_kwargs, checks=checks))
        return cls(**top, exercises=exercises)


def _drop_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_timings(v) for k, v in value.items() if k not in TIMING_FIELDS}
    if isinstance(value, list):
        return [_drop_timings(v) for v in value]
    return value
