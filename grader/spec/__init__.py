"""Exercise specs: `exercise.yaml` loaded and validated into dataclasses.

Exercise authors and instructors import from here (``from grader.spec import Call``,
``load_exercises``; docs/exercise-format.md, docs/instructors.md). The modules:

- `model`: the dataclasses (`ExerciseSpec`, `CheckSpec`, `Call`, ...) and `SpecError`;
- `loading`: `load_exercise` / `load_exercises`, each key checked, with its key path on error;
- `finding`: `find_exercises_root` (where the exercises are) and `select` (which are named).
"""

from __future__ import annotations

from grader.spec.finding import find_exercises_root, select
from grader.spec.loading import load_exercise, load_exercises
from grader.spec.model import (
    Call,
    CheckSpec,
    ExerciseSpec,
    ForbiddenSpec,
    InstructorCodeError,
    MisconceptionSpec,
    QuestionSpec,
    SpecError,
)

__all__ = [
    "Call",
    "CheckSpec",
    "ExerciseSpec",
    "ForbiddenSpec",
    "InstructorCodeError",
    "MisconceptionSpec",
    "QuestionSpec",
    "SpecError",
    "find_exercises_root",
    "load_exercise",
    "load_exercises",
    "select",
]
