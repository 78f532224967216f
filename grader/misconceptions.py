"""Name the likely bug behind a failed check.

Each misconception of an exercise is a set of buggy functions in the exercise's
`misconceptions.py` (instructor code, run in the grader's process). For a failed check the
grader runs the check's calls with the misconception's functions, the reference standing in
for the functions it does not replace, and when the student's outputs match those outputs
under the check's tolerances, the feedback names the misconception and shows its hint.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.cases import (
    Case,
    call_python,
    instructor_function,
    load_instructor_module,
    reference_functions,
)
from grader.compare import compare_values
from grader.spec import CheckSpec, ExerciseSpec, MisconceptionSpec

_NO_OUTPUT = object()  # the misconception raised on this case: it matches nothing
_cache: dict[tuple[str, str, str, int], list[Any] | object] = {}
_CACHE_LIMIT = 4096


def misconception_functions(exercise: ExerciseSpec, mis: MisconceptionSpec) -> dict[str, Any]:
    """The exercise's functions with the misconception's replacements, reference elsewhere."""
    functions = reference_functions(exercise.functions)
    index = exercise.misconceptions.index(mis)
    for fn, impl in mis.replaces.items():
        key = f"misconceptions[{index}].replaces.{fn}"
        functions[fn] = instructor_function(exercise, "misconceptions", impl, key)
    return functions


def misconception_outputs(
    exercise: ExerciseSpec, mis: MisconceptionSpec, check: CheckSpec, case: Case, seed: int
) -> list[Any] | None:
    """The misconception's outputs on the case's calls, None when it raises on them."""
    key = (str(exercise.folder), check.name, mis.name, seed)
    if key not in _cache:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        functions = misconception_functions(exercise, mis)
        try:
            with np.errstate(all="ignore"):
                _cache[key] = [call_python(functions, call) for call in case.calls]
        except Exception:  # a misconception that crashes on this input explains nothing here
            _cache[key] = _NO_OUTPUT
    found = _cache[key]
    return None if found is _NO_OUTPUT else found  # type: ignore[return-value]


def match_misconception(
    exercise: ExerciseSpec, check: CheckSpec, case: Case, outputs: list[Any], seed: int
) -> MisconceptionSpec | None:
    """The first misconception (in spec order) whose outputs equal the student's, or None.

    None too when misconceptions.py is not there (a student kit ships without it) or is
    broken: matching is best-effort diagnosis, so a misconceptions.py that fails to import
    or a misconception that raises costs the student a hint, never the check's verdict
    (`gradeformer validate` reports the broken file).
    """
    try:
        return _first_match(exercise, check, case, outputs, seed)
    except Exception:
        return None


def stored_misconception_outputs(
    exercise: ExerciseSpec, check: CheckSpec, case: Case, seed: int
) -> dict[str, list[Any] | None]:
    """Each relevant misconception's outputs on `case`, for a kit's fixtures (values only:
    the kit can then name the likely bug without shipping the buggy code)."""
    if load_instructor_module(exercise, "misconceptions") is None:
        return {}
    return {
        mis.name: misconception_outputs(exercise, mis, check, case, seed)
        for mis in exercise.misconceptions
        if set(mis.replaces) & {c.fn for c in case.calls}
    }


def _first_match(
    exercise: ExerciseSpec, check: CheckSpec, case: Case, outputs: list[Any], seed: int
) -> MisconceptionSpec | None:
    stored = case.misconception_outputs
    if stored is None and load_instructor_module(exercise, "misconceptions") is None:
        return None
    exact = check.compare == "exact"
    for mis in exercise.misconceptions:
        if not set(mis.replaces) & {c.fn for c in case.calls}:
            continue
        if stored is not None:
            theirs = stored.get(mis.name)
        else:
            theirs = misconception_outputs(exercise, mis, check, case, seed)
        if theirs is None or len(theirs) != len(outputs):
            continue
        if all(
            compare_values(o, t, check.rtol, check.atol, exact).ok
            for o, t in zip(outputs, theirs, strict=True)
        ):
            return mis
    return None
