"""docs/contract.md agrees with the code.

Every exercise on disk has its section there, listing exactly the functions its
exercise.yaml names; each listed signature (parameters and defaults) is the one of the stub,
the solution and the reference.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import reference
from grader.spec import ExerciseSpec, load_exercises

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "contract.md"
SECTION = re.compile(r"### (\d+) `(\w+)\.py`$")  # ### 03 `softmax.py`
FUNCTION = re.compile(r"- `(\w+)\(([^`]*?)\)(?: -> [^`]*)?`")  # - `softmax(x, axis=-1)` ...

Signature = list[tuple[str, object]]  # (parameter, default or inspect.Parameter.empty)


def documented() -> dict[tuple[str, str], dict[str, Signature]]:
    """(number, module) → function → signature, as docs/contract.md lists them."""
    sections: dict[tuple[str, str], dict[str, Signature]] = {}
    functions: dict[str, Signature] | None = None
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        if section := SECTION.match(line):
            functions = sections.setdefault((section[1], section[2]), {})
        elif line.startswith("## "):
            functions = None
        elif functions is not None and (listed := FUNCTION.match(line)):
            definition = ast.parse(f"def {listed[1]}({listed[2]}): pass").body[0]
            assert isinstance(definition, ast.FunctionDef)
            functions[listed[1]] = signature_of(definition)
    return sections


def signature_of(definition: ast.FunctionDef) -> Signature:
    args = definition.args.args
    without_default = len(args) - len(definition.args.defaults)
    defaults: list[object] = [inspect.Parameter.empty] * without_default
    defaults += [ast.literal_eval(d) for d in definition.args.defaults]
    return [(a.arg, d) for a, d in zip(args, defaults, strict=True)]


def defined(path: Path) -> dict[str, Signature]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {n.name: signature_of(n) for n in tree.body if isinstance(n, ast.FunctionDef)}


EXERCISES = load_exercises(ROOT / "exercises")
CONTRACT_SECTIONS = documented()


def test_every_exercise_has_a_section_and_nothing_else_does() -> None:
    assert sorted(CONTRACT_SECTIONS) == sorted((ex.number, ex.module) for ex in EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda ex: ex.name)
def test_the_code_has_the_documented_signatures(exercise: ExerciseSpec) -> None:
    listed = CONTRACT_SECTIONS.get((exercise.number, exercise.module), {})
    assert sorted(listed) == sorted(exercise.functions)
    for top in ("exercises", "solutions"):
        path = ROOT / top / exercise.name / f"{exercise.module}.py"
        found = defined(path)
        for name, signature in listed.items():
            assert found.get(name) == signature, f"{path}: {name}"
    for name, signature in listed.items():
        parameters = inspect.signature(getattr(reference, name)).parameters.values()
        assert [(p.name, p.default) for p in parameters] == signature, f"reference.{name}"
