"""Exercises 00-05 checked in-process with the grader's own case builder and comparator.

For every check: the solution and the reference pass it (a hand-worked `expect`, written from
the arithmetic in the README, must hold for both). For every misconception: it fails at least
one hidden check on which no other misconception of the exercise gives the same outputs, so
the feedback can name it. Everything here is ours (solutions, misconceptions, cases), so it
runs in this process; the end-to-end run through the worker is `gradeformer validate`.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import yaml

reference = pytest.importorskip("reference")
spec = pytest.importorskip("grader.spec")
spec_model = pytest.importorskip("grader.spec.model")
cases = pytest.importorskip("grader.cases")
compare = pytest.importorskip("grader.compare")
grading = pytest.importorskip("grader.grading")

ROOT = Path(__file__).resolve().parents[2]
PART1 = [
    "00_robtimus",
    "01_dot_product",
    "02_neuron",
    "03_softmax",
    "04_cross_entropy",
    "05_backprop",
]
PRESENT = [f for f in PART1 if (ROOT / "exercises" / f / "exercise.yaml").exists()]

Table = dict[str, Callable[..., Any]]


def _load(path: Path, name: str) -> ModuleType:
    module_spec = importlib.util.spec_from_file_location(name, path)
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", autouse=True)
def _solutions_on_path():
    """Solutions import earlier exercises by module name, as they do in the worker."""
    folders = [str(ROOT / "solutions" / f) for f in PART1]
    sys.path[:0] = folders
    yield
    for folder in folders:
        sys.path.remove(folder)


def _exercise(folder: str):
    return spec.load_exercise(ROOT / "exercises" / folder)


def _reference_table(ex) -> Table:
    return {fn: getattr(reference, fn) for fn in ex.functions}


def _solution_table(ex) -> Table:
    module = _load(ROOT / "solutions" / ex.name / f"{ex.module}.py", f"part1_solution_{ex.module}")
    return {fn: getattr(module, fn) for fn in ex.functions}


def _misconception_table(ex, name: str) -> Table:
    buggy = _load(ex.folder / "misconceptions.py", f"part1_misconceptions_{ex.module}")
    (mis,) = [m for m in ex.misconceptions if m.name == name]
    table = _reference_table(ex)
    table.update({fn: getattr(buggy, impl) for fn, impl in mis.replaces.items()})
    return table


def _run(table: Table, calls: list) -> list[Any]:
    """Each call's output, or the exception it raised."""
    out: list[Any] = []
    for call in calls:
        try:
            with np.errstate(all="ignore"):  # the misconceptions overflow on purpose
                out.append(cases.call_python(table, call))
        except Exception as exc:
            out.append(exc)
    return out


def _same(a: Any, b: Any, check) -> bool:
    """Do two outputs agree under the check's comparator (exceptions: same type)?"""
    if isinstance(a, Exception) or isinstance(b, Exception):
        return type(a) is type(b)
    exact = check.compare == "exact"
    return compare.compare_values(a, b, check.rtol, check.atol, exact).ok


def _passes(ex, check, calls: list, outputs: list[Any], expected: list[Any] | None) -> bool:
    if check.compare == "raises":
        return all(type(o).__name__ == check.raises for o in outputs)
    if any(isinstance(o, Exception) for o in outputs):
        return False
    assert expected is not None
    if check.compare == "property":
        prop = cases.instructor_function(ex, "cases", check.property, "property")
        return prop(calls, outputs, expected) is None
    return all(_same(o, e, check) for o, e in zip(outputs, expected, strict=True))


def _pairs(kind: str) -> list[tuple[str, str]]:
    out = []
    for folder in PRESENT:
        ex = _exercise(folder)
        items = ex.checks if kind == "checks" else ex.misconceptions
        out += [(folder, item.name) for item in items]
    return out


CHECKS = _pairs("checks")
MISCONCEPTIONS = _pairs("misconceptions")


@pytest.mark.parametrize(("folder", "name"), CHECKS, ids=[f"{f}:{n}" for f, n in CHECKS])
def test_solution_and_reference_pass(folder: str, name: str) -> None:
    ex = _exercise(folder)
    check = ex.check(name)
    calls = cases.build_calls(ex, check, term_seed=0)
    expected = cases.expected_values(ex, check, calls)
    for table in (_reference_table(ex), _solution_table(ex)):
        outputs = _run(table, calls)
        assert _passes(ex, check, calls, outputs, expected), outputs


@pytest.mark.parametrize(
    ("folder", "name"), MISCONCEPTIONS, ids=[f"{f}:{n}" for f, n in MISCONCEPTIONS]
)
def test_misconception_caught_and_named_by_a_hidden_check(folder: str, name: str) -> None:
    """Some hidden value check fails the misconception and no other one looks the same there."""
    ex = _exercise(folder)
    others = [m.name for m in ex.misconceptions if m.name != name]
    named_by = []
    for check in ex.checks:
        # the engine names misconceptions only on value checks, and never one that crashes
        if check.visibility != "hidden" or check.compare == "raises":
            continue
        calls = cases.build_calls(ex, check, term_seed=0)
        expected = cases.expected_values(ex, check, calls)
        outputs = _run(_misconception_table(ex, name), calls)
        if _passes(ex, check, calls, outputs, expected):
            continue
        if any(isinstance(o, Exception) for o in outputs):
            continue
        confusable = [
            other
            for other in others
            if all(
                _same(a, b, check)
                for a, b in zip(outputs, _run(_misconception_table(ex, other), calls), strict=True)
            )
        ]
        if not confusable:
            named_by.append(check.name)
    assert named_by, f"no hidden check fails {name!r} alone"


@pytest.mark.parametrize("folder", PRESENT)
def test_exercise_has_enough_checks(folder: str) -> None:
    ex = _exercise(folder)
    count = {v: sum(c.visibility == v for c in ex.checks) for v in spec_model.VISIBILITIES}
    assert count["public"] >= 3 and count["hidden"] >= 4 and count["hand-worked"] >= 1, count
    assert len(ex.misconceptions) >= 3
    for check in ex.checks:
        if check.visibility == "hand-worked":
            assert check.has_expect and check.trace, check.name


@pytest.mark.parametrize("folder", PRESENT)
def test_stub_raises_not_implemented(folder: str) -> None:
    ex = _exercise(folder)
    stub = _load(ex.folder / f"{ex.module}.py", f"part1_stub_{ex.module}")
    for fn in ex.functions:
        function = getattr(stub, fn)
        required = [
            p
            for p in inspect.signature(function).parameters.values()
            if p.default is inspect.Parameter.empty
        ]
        with pytest.raises(NotImplementedError):
            function(*[None] * len(required))


@pytest.mark.parametrize("folder", PRESENT)
def test_answers_file_lists_every_question_unanswered(folder: str) -> None:
    ex = _exercise(folder)
    path = ex.folder / "answers.yaml"
    if not ex.questions:
        assert not path.exists()
        return
    answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert answers == {q.id: None for q in ex.questions}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("folder", PRESENT)
def test_instructor_and_student_files_import_what_they_may(folder: str) -> None:
    ex = _exercise(folder)
    allowed = {"numpy", "math", "__future__"}
    assert _imported_modules(ex.folder / "misconceptions.py") <= allowed
    assert _imported_modules(ex.folder / f"{ex.module}.py") <= allowed
    solution = _imported_modules(ROOT / "solutions" / folder / f"{ex.module}.py")
    assert solution <= allowed | {"collections"} | set(ex.requires), solution


@pytest.mark.parametrize("folder", PRESENT)
def test_solution_uses_no_forbidden_helper(folder: str) -> None:
    ex = _exercise(folder)
    if ex.forbidden is None:
        return
    source = (ROOT / "solutions" / folder / f"{ex.module}.py").read_text(encoding="utf-8")
    assert grading.forbidden_uses(source, ex.forbidden.names) == []
    # the answer key uses `@`, so the same scan flags it: the check can fail
    key = Path(inspect.getfile(getattr(reference, ex.functions[0])))
    assert grading.forbidden_uses(key.read_text(encoding="utf-8"), ex.forbidden.names)


@pytest.mark.parametrize("term_seed", [0, 2026])
def test_validate_passes_end_to_end(term_seed: int) -> None:
    """Through the real worker: solutions 100%, stubs 0, every misconception caught and named."""
    validate = pytest.importorskip("grader.validate")
    exercises = spec.select(spec.load_exercises(ROOT / "exercises"), PRESENT)
    reports = validate.validate(exercises, ROOT / "exercises", ROOT / "solutions", term_seed)
    assert [r.exercise for r in reports] == PRESENT
    assert {r.exercise: r.problems for r in reports if r.problems} == {}


@pytest.mark.parametrize("folder", PRESENT)
def test_stub_docstring_examples_hold_for_the_solution(folder: str) -> None:
    """The doctest-style examples the student reads are true of a correct implementation."""
    ex = _exercise(folder)
    stub = _load(ex.folder / f"{ex.module}.py", f"part1_stub_{ex.module}")
    solution = _load(ROOT / "solutions" / folder / f"{ex.module}.py", f"part1_doc_{ex.module}")
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    examples = 0
    for test in doctest.DocTestFinder().find(stub):
        test.globs = dict(vars(solution))
        examples += len(test.examples)
        runner.run(test)
    assert examples >= len(ex.functions)
    assert runner.failures == 0
