"""Build each check's calls and expected values, in the grader's own process.

Inputs: a check with `call` + `args` is one literal call; a check with `cases` asks the
generator of that name in the exercise's `cases.py` for its calls, passing
``np.random.default_rng([term_seed, check_seed])``. Expected values: the check's `expect`
when given, else the function of the same name in `reference` applied to a copy of the
inputs. When `reference` is not importable (a student's release kit), public checks read
their calls and expected values from the fixtures written by `grader.fixtures`.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.cache import cache_root, write_atomic
from grader.spec import Call, CheckSpec, ExerciseSpec, InstructorCodeError, SpecError


@dataclass
class Case:
    """What one check runs: its calls, and the expected output of each (None: not needed)."""

    calls: list[Call]
    expected: list[Any] | None
    # a kit's stored outputs of each misconception on these calls (None: computed here)
    misconception_outputs: dict[str, list[Any] | None] | None = None


class CaseError(Exception):
    """Instructor-side failure while building a case (a generator or the reference raised)."""


def load_instructor_module(exercise: ExerciseSpec, stem: str) -> ModuleType | None:
    """Import `<exercise folder>/<stem>.py` (trusted instructor code), None when absent."""
    return _load_file(exercise.folder / f"{stem}.py")


@cache
def _load_file(path: Path) -> ModuleType | None:
    if not path.is_file():
        return None
    name = f"_gradeformer_{path.parent.name}_{path.stem}".replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise InstructorCodeError(path, exc.lineno, f"SyntaxError: {exc.msg}") from None
    except Exception as exc:
        sys.modules.pop(name, None)
        line = _line_in(path, exc)
        raise InstructorCodeError(path, line, f"{type(exc).__name__}: {exc}") from None
    return module


def _line_in(path: Path, exc: BaseException) -> int | None:
    """The last line of `path` in the traceback of `exc` (None when the file is not in it)."""
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(exc.__traceback__)
        if Path(frame.filename).resolve() == path.resolve()
    ]
    return lines[-1] if lines else None


def instructor_function(exercise: ExerciseSpec, stem: str, name: str, key: str) -> Any:
    """The function `name` of the exercise's `<stem>.py`, or a `SpecError` naming `key`."""
    module = load_instructor_module(exercise, stem)
    fn = getattr(module, name, None) if module is not None else None
    if not callable(fn):
        raise SpecError(
            exercise.folder / "exercise.yaml", key, f"must name a function in {stem}.py", name
        )
    return fn


@cache
def reference_module() -> ModuleType | None:
    """The `reference` package, or None when it is not installed (a student kit)."""
    try:
        return importlib.import_module("reference")
    except ImportError:
        return None


def build_calls(exercise: ExerciseSpec, check: CheckSpec, term_seed: int) -> list[Call]:
    """The calls of `check` for this term seed."""
    if check.cases is None:
        assert check.call is not None and check.args is not None
        return [Call(check.call, copy.deepcopy(check.args))]
    index = exercise.checks.index(check)
    generator = instructor_function(exercise, "cases", check.cases, f"checks[{index}].cases")
    rng = np.random.default_rng([term_seed, check.seed])
    try:
        made = generator(rng)
    except Exception as exc:
        raise CaseError(
            f"{exercise.folder / 'cases.py'}: {check.cases} (check {check.name!r}) "
            f"raised {type(exc).__name__}: {exc}"
        ) from exc
    if isinstance(made, dict):
        if check.call is None:
            raise SpecError(
                exercise.folder / "exercise.yaml",
                f"checks[{index}].call",
                f"is required: cases generator {check.cases} returns the kwargs of one call",
            )
        return [Call(check.call, made)]
    if isinstance(made, Call):
        return [made]
    if isinstance(made, list) and all(isinstance(c, Call) for c in made):
        return made
    raise CaseError(f"cases.{check.cases} returned {type(made).__name__}: expected a dict or Calls")


def resolve_callables(value: Any) -> Any:
    """Replace every `FunctionRef` in `value` by the function it names (parent-side calls)."""
    from grader.codec import FunctionRef
    from grader.sandbox.callables import CALLABLES

    if isinstance(value, FunctionRef):
        return CALLABLES[value.name]
    if isinstance(value, dict):
        return {k: resolve_callables(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(resolve_callables(v) for v in value)
    return copy.deepcopy(value)


def call_python(functions: dict[str, Any], call: Call) -> Any:
    """Run `call` on in-process functions (reference, misconceptions, trusted solutions)."""
    return functions[call.fn](**resolve_callables(call.kwargs))


def reference_functions(names: list[str]) -> dict[str, Any]:
    """The reference's functions of these names (empty when the reference is not installed)."""
    ref = reference_module()
    if ref is None:
        return {}
    return {n: getattr(ref, n) for n in names if hasattr(ref, n)}


def expected_values(
    exercise: ExerciseSpec, check: CheckSpec, calls: list[Call]
) -> list[Any] | None:
    """The expected output of each call, or None for `raises` checks: the literal `expect`,
    the check's `oracle` (a cases.py function of the calls), or the reference's outputs."""
    if check.compare == "raises":
        return None
    if check.has_expect:
        return [check.expect]
    if check.oracle is not None:
        return _oracle_values(exercise, check, calls)
    functions = reference_functions(exercise.functions)
    out = []
    for call in calls:
        if call.fn not in functions:
            raise CaseError(f"{exercise.name}: reference has no function {call.fn!r}")
        try:
            out.append(call_python(functions, call))
        except Exception as exc:  # the property may expect the call to raise
            if check.compare != "property":
                raise CaseError(f"{exercise.name}: reference.{call.fn} raised {exc!r}") from exc
            out.append(None)
    return out


def _oracle_values(exercise: ExerciseSpec, check: CheckSpec, calls: list[Call]) -> list[Any]:
    """What the check's oracle says each call should give (e.g. finite differences)."""
    assert check.oracle is not None
    index = exercise.checks.index(check)
    oracle = instructor_function(exercise, "cases", check.oracle, f"checks[{index}].oracle")
    where = f"{exercise.folder / 'cases.py'}: {check.oracle} (check {check.name!r})"
    try:
        values = oracle(copy.deepcopy(calls))
    except Exception as exc:
        raise CaseError(f"{where} raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(values, list) or len(values) != len(calls):
        raise CaseError(f"{where} must return a list with one value per call ({len(calls)})")
    return values


def build_case(exercise: ExerciseSpec, check: CheckSpec, term_seed: int) -> Case:
    """The calls and expected values of `check`, from the reference or from fixtures.

    Cases computed from the reference are kept in the on-disk cache (`cache_dir()`), keyed
    by everything they depend on, so fresh processes (one per student in a batch) do not
    recompute them.
    """
    if reference_module() is None and not _self_contained(check):
        from grader.fixtures import load_public_case

        return load_public_case(exercise, check)
    path = _cache_path(exercise, check, term_seed)
    cached = _read_cached(path) if path else None
    if cached is not None:
        return cached
    calls = build_calls(exercise, check, term_seed)
    case = Case(calls, expected_values(exercise, check, calls))
    if path:
        _write_cached(path, case)
    return case


def cache_dir() -> Path | None:
    """``cases/`` in the cache (`grader.cache.cache_root`); None when caching is off."""
    root = cache_root()
    return root / "cases" if root else None


@cache
def _digest(path: Path) -> bytes:
    """SHA-256 of a file or of every file under a folder (b"" when missing)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        return hashlib.sha256(
            b"".join(_digest(f) + str(f.relative_to(path)).encode() for f in files)
        ).digest()
    return hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b""


def _cache_path(exercise: ExerciseSpec, check: CheckSpec, term_seed: int) -> Path | None:
    """Where this case is cached: a hash of the reference, the exercise's files, the check."""
    root = cache_dir()
    ref = reference_module()
    if root is None or ref is None or ref.__file__ is None:
        return None
    h = hashlib.sha256()
    for part in (
        Path(ref.__file__).parent,
        exercise.folder / "exercise.yaml",
        exercise.folder / "cases.py",
    ):
        h.update(_digest(part))
    h.update(f"{check.name}\0{term_seed}\0{np.__version__}".encode())
    return root / f"{h.hexdigest()}.gfc"


def _read_cached(path: Path) -> Case | None:
    from grader.codec import CodecError, decode

    try:
        payload = decode(path.read_bytes())
        calls = [Call(fn, dict(kwargs)) for fn, kwargs in payload["calls"]]
        return Case(calls, payload["expected"])
    except (OSError, CodecError, KeyError, TypeError, ValueError):
        return None


def _write_cached(path: Path, case: Case) -> None:
    """Write atomically; a value the codec refuses or an unwritable cache is skipped."""
    from grader.codec import CodecError, encode

    try:
        data = encode({"calls": [(c.fn, c.kwargs) for c in case.calls], "expected": case.expected})
    except CodecError:
        return
    write_atomic(path, data)


def _self_contained(check: CheckSpec) -> bool:
    """A literal check whose expectation needs no reference (expect given, or raises)."""
    return check.cases is None and (check.has_expect or check.compare == "raises")
