"""The exercise spec as data: the dataclasses `exercise.yaml` is loaded into, and `SpecError`.

Every problem in a spec is a `SpecError` naming the file, the key path and what was expected,
e.g. ``exercises/03_softmax/exercise.yaml: checks[2].rtol must be a number, got "1e-6x"``.
The format is documented in docs/exercise-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VISIBILITIES = ("public", "hidden", "hand-worked")
COMPARATORS = ("allclose", "exact", "raises", "property")
QUESTION_COMPARATORS = ("numeric", "exact", "shape")
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9
DEFAULT_TIMEOUT = 10.0
EXERCISE_FILE = "exercise.yaml"


class SpecError(Exception):
    """A malformed exercise spec: `path: key_path must be <expected>, got <got>`."""

    def __init__(self, path: Path | str, key_path: str, expected: str, got: Any = None) -> None:
        self.path = str(path)
        self.key_path = key_path
        self.expected = expected
        self.got = got
        where = f"{self.path}: {key_path}" if key_path else self.path
        got_text = "" if got is None else f", got {_show(got)}"
        super().__init__(f"{where} {expected}{got_text}")


class InstructorCodeError(SpecError):
    """Instructor code (cases.py, misconceptions.py) failed to import:
    ``exercises/03_softmax/cases.py, line 12: SyntaxError: invalid syntax``."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        super().__init__(f"{path}, line {line}:" if line else f"{path}:", "", problem)
        self.path = str(path)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value + '"'
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Call:
    """One call of a contract function: `fn(**kwargs)`."""

    fn: str
    kwargs: dict[str, Any]


@dataclass
class CheckSpec:
    """One named check of an exercise (see docs/exercise-format.md)."""

    name: str
    visibility: str
    compare: str = "allclose"
    call: str | None = None
    args: dict[str, Any] | None = None
    cases: str | None = None
    expect: Any = None
    has_expect: bool = False
    trace: list[str] = field(default_factory=list)
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    points: float = 1.0
    timeout: float = DEFAULT_TIMEOUT
    seed: int = 0
    describe: str = ""
    property: str | None = None
    oracle: str | None = None
    raises: str | None = None


@dataclass
class MisconceptionSpec:
    """A known bug: contract function -> buggy function in misconceptions.py."""

    name: str
    hint: str
    replaces: dict[str, str]


@dataclass
class QuestionSpec:
    """A by-hand question answered in the student's answers.yaml."""

    id: str
    question: str
    answer: Any
    compare: str = "numeric"
    tol: float = 1e-3
    points: float = 1.0
    explain: str = ""


@dataclass
class ForbiddenSpec:
    """Calls the student module must not use, and the points of the check that says so."""

    names: list[str]
    points: float = 1.0


@dataclass
class ExerciseSpec:
    """One exercise folder, validated."""

    folder: Path
    title: str
    module: str
    points: float
    functions: list[str]
    checks: list[CheckSpec]
    requires: list[str] = field(default_factory=list)
    forbidden: ForbiddenSpec | None = None
    misconceptions: list[MisconceptionSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The folder name, e.g. "03_softmax"."""
        return self.folder.name

    @property
    def number(self) -> str:
        """The leading number of the folder name ("03"), or the name when there is none."""
        return self.name.split("_", 1)[0]

    def matches(self, name: str) -> bool:
        """True when `name` is this exercise's folder name, module name or number."""
        return name in (self.name, self.module, self.number)

    def check(self, name: str) -> CheckSpec:
        """The check called `name`."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)
