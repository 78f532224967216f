"""Exercises 06-11 checked in-process: solutions agree with the reference on every check,
each misconception loses points on a hidden check, and hand-worked expectations hold.

Everything here is ours (solutions, misconceptions, cases), so it runs in this process;
the grader's own end-to-end run is `gradeformer validate`.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
PART2 = ["06_layernorm", "07_bpe", "08_attention", "09_ffn", "10_transformer", "11_training"]

reference = pytest.importorskip("reference")
spec_module = pytest.importorskip("grader.spec")
compare = pytest.importorskip("grader.compare")


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", autouse=True)
def _solutions_on_path():
    """Solutions import earlier exercises by module name, as in the worker."""
    folders = [str(p) for p in sorted((ROOT / "solutions").iterdir()) if p.is_dir()]
    sys.path[:0] = folders
    yield
    for f in folders:
        sys.path.remove(f)


def _exercise(folder: str):
    ex = spec_module.load_exercise(ROOT / "exercises" / folder)
    cases = _load(ex.folder / "cases.py", f"cases_{folder}")
    return ex, cases


def _calls(ex, cases, check, seed: int = 0) -> list:
    if check.cases is None:
        return [spec_module.Call(check.call, dict(check.args))]
    rng = np.random.default_rng([seed, check.seed])
    made = getattr(cases, check.cases)(rng)
    return [spec_module.Call(check.call, made)] if isinstance(made, dict) else list(made)


def _expected(ex, cases, check, calls: list) -> list:
    """The check's oracle's values when it names one, else the reference's outputs."""
    if check.oracle is not None:
        return getattr(cases, check.oracle)(calls)
    return _run(_reference_table(ex), calls)


def _run(table: dict[str, Callable], calls: list) -> list:
    out = []
    for c in calls:
        try:
            out.append(table[c.fn](**_copy(c.kwargs)))
        except Exception as exc:  # a raises check expects this
            out.append(exc)
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _same(a: Any, b: Any, exact: bool, rtol: float, atol: float) -> bool:
    if isinstance(a, Exception) or isinstance(b, Exception):
        return type(a) is type(b)
    return compare.compare_values(a, b, rtol, atol, exact).ok


def _passes(check, cases, calls, outputs, expected) -> bool:
    if check.compare == "raises":
        return all(type(o).__name__ == check.raises for o in outputs)
    if any(isinstance(o, Exception) for o in outputs):
        return False
    if check.compare == "property":
        return getattr(cases, check.property)(calls, outputs, expected) is None
    if check.has_expect:
        expected = [check.expect]
    exact = check.compare == "exact"
    return all(
        _same(o, e, exact, check.rtol, check.atol) for o, e in zip(outputs, expected, strict=True)
    )


def _ids(pairs):
    return [f"{ex}:{name}" for ex, name in pairs]


def _all_checks():
    out = []
    for folder in PART2:
        if (ROOT / "exercises" / folder / "exercise.yaml").exists():
            ex = spec_module.load_exercise(ROOT / "exercises" / folder)
            out += [(folder, c.name) for c in ex.checks]
    return out


def _reference_table(ex) -> dict[str, Callable]:
    return {fn: getattr(reference, fn) for fn in ex.functions}


def _solution_table(ex) -> dict[str, Callable]:
    folder = ROOT / "solutions" / ex.name
    module = _load(folder / f"{ex.module}.py", f"solution_{ex.module}")
    return {fn: getattr(module, fn) for fn in ex.functions}


CHECKS = _all_checks()


@pytest.mark.parametrize(("folder", "name"), CHECKS, ids=_ids(CHECKS))
def test_solution_and_reference_pass(folder: str, name: str) -> None:
    ex, cases = _exercise(folder)
    check = ex.check(name)
    calls = _calls(ex, cases, check)
    expected = _expected(ex, cases, check, calls)
    for table in (_reference_table(ex), _solution_table(ex)):
        outputs = _run(table, calls)
        assert _passes(check, cases, calls, outputs, expected), outputs


def _all_misconceptions():
    out = []
    for folder in PART2:
        if (ROOT / "exercises" / folder / "exercise.yaml").exists():
            ex = spec_module.load_exercise(ROOT / "exercises" / folder)
            out += [(folder, m.name) for m in ex.misconceptions]
    return out


MISCONCEPTIONS = _all_misconceptions()


@pytest.mark.parametrize(("folder", "name"), MISCONCEPTIONS, ids=_ids(MISCONCEPTIONS))
def test_misconception_caught_by_a_hidden_check(folder: str, name: str) -> None:
    ex, cases = _exercise(folder)
    buggy = _load(ex.folder / "misconceptions.py", f"misconceptions_{folder}")
    (mis,) = [m for m in ex.misconceptions if m.name == name]
    table = _reference_table(ex)
    table.update({fn: getattr(buggy, impl) for fn, impl in mis.replaces.items()})
    caught = []
    for check in ex.checks:
        if check.visibility != "hidden":
            continue
        calls = _calls(ex, cases, check)
        expected = _expected(ex, cases, check, calls)
        if not _passes(check, cases, calls, _run(table, calls), expected):
            caught.append(check.name)
    assert caught, f"{name} passes every hidden check"


def test_misconceptions_import_only_numpy_and_math() -> None:
    for folder in PART2:
        path = ROOT / "exercises" / folder / "misconceptions.py"
        if path.exists():
            for line in path.read_text().splitlines():
                if line.startswith(("import ", "from ")):
                    assert line.split()[1] in {"numpy", "math", "__future__"}, (folder, line)
