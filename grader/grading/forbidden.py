"""The forbidden-call scan: a check of its own that fails, with line numbers, when the code
an exercise's functions reach uses a name the exercise forbids (``np.dot``, ``@``)."""

from __future__ import annotations

import ast
from pathlib import Path

from grader.grading.reach import reached
from grader.results import CheckResult
from grader.spec import ExerciseSpec


def forbidden_uses(
    source: str,
    names: list[str],
    functions: list[str] | None = None,
    graded_elsewhere: frozenset[str] = frozenset(),
) -> list[tuple[int, str]]:
    """(line, name) of every use of a forbidden name in `source`.

    Names are dotted (``np.dot``; ``numpy.`` is the same as ``np.``) or ``@``. Aliases
    (``import numpy as xp``, ``from numpy import dot as d``) and the method form
    (``a.dot(b)`` for ``np.dot``) are caught too. Given the exercise's `functions`, only
    the code they can reach is scanned (`_reachable`), short of `graded_elsewhere`: a
    notebook written out as every exercise's module holds the other exercises' code too,
    where `@` may be allowed.
    """
    banned = {_canonical(n) for n in names}
    methods = {n.split(".", 1)[1] for n in banned if n.startswith("np.") and n.count(".") == 1}
    tree = ast.parse(source)
    alias: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                alias[a.asname or a.name] = _canonical(a.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                alias[a.asname or a.name] = _canonical(f"{node.module}.{a.name}")
    scanned = [tree] if functions is None else _reachable(tree, functions, graded_elsewhere)
    found: set[tuple[int, str]] = set()
    for node in (node for part in scanned for node in ast.walk(part)):
        if "@" in banned and isinstance(node, (ast.BinOp, ast.AugAssign)):
            if isinstance(node.op, ast.MatMult):
                found.add((node.lineno, "@"))
        elif isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node, alias)
            if dotted in banned:
                found.add((node.lineno, dotted))
            elif isinstance(node, ast.Attribute) and node.attr in methods and dotted is None:
                found.add((node.lineno, f"np.{node.attr}"))
    return sorted(found)


def _reachable(
    tree: ast.Module, functions: list[str], graded_elsewhere: frozenset[str]
) -> list[ast.stmt]:
    """The module-level statements that `functions` can use: every statement but function
    and class definitions, and the definitions named by `functions` or used, by name, in
    what is already kept (a helper, a helper's helper), except those `graded_elsewhere`.
    Of two definitions of one name, the last is the one in force."""
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    defined = {
        node.name: node
        for node in tree.body
        if isinstance(node, definitions) and node.name not in graded_elsewhere
    }
    kept = [node for node in tree.body if not isinstance(node, definitions)]
    wanted = list(functions) + [n.id for s in kept for n in ast.walk(s) if isinstance(n, ast.Name)]
    return kept + [defined[name] for name in reached(defined, wanted)]


def _canonical(name: str) -> str:
    """``numpy`` and ``numpy.x`` spelled ``np`` and ``np.x``."""
    if name == "numpy" or name.startswith("numpy."):
        return "np" + name[len("numpy") :]
    return name


def _dotted(node: ast.expr, alias: dict[str, str]) -> str | None:
    """``np.linalg.norm`` for an attribute chain on an imported name, else None."""
    if isinstance(node, ast.Name):
        return alias.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, alias)
        return f"{base}.{node.attr}" if base else None
    return None


def forbidden_check(
    exercise: ExerciseSpec, path: Path, graded_elsewhere: frozenset[str] = frozenset()
) -> CheckResult | None:
    """The "uses no forbidden helpers" check, or None when the module does not parse.

    Only the code the exercise's functions reach is scanned, leaving out the functions in
    `graded_elsewhere` (other exercises' functions in this very module, see `_reachable`)."""
    assert exercise.forbidden is not None
    try:
        source = path.read_text(encoding="utf-8", errors="replace")
        uses = forbidden_uses(
            source, exercise.forbidden.names, exercise.functions, graded_elsewhere
        )
    except (SyntaxError, ValueError):
        return None  # reported as an import error by the worker
    result = CheckResult(
        name="uses no forbidden helpers",
        visibility="public",
        kind="forbidden",
        status="pass",
        points=exercise.forbidden.points,
        max_points=exercise.forbidden.points,
    )
    if uses:
        result.status, result.points = "fail", 0.0
        line, name = uses[0]
        result.message = f"{path.name} line {line}: {name} is not allowed in this exercise"
        result.details = [f"also line {ln}: {n}" for ln, n in uses[1:6]]
    return result
