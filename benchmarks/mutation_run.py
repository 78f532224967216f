"""Mutation run: how many small automatic bugs in the solutions does `check` catch and name?

Each mutant is the solutions folder with one edit in one exercise module, of one of these
kinds (the mistakes learners make by hand):

    flip a sign      a + b -> a - b, a - b -> a + b, -a -> a
    change an axis   axis=... -> axis=0 (or -1 where it was 0)
    drop a term      a + b -> a, a - b -> a
    scale            a * b -> 2 * (a * b), a / b -> (a / b) / 2
    transpose        a @ b -> swapaxes(a, -1, -2) @ b
    off by one       an integer in a slice or range(...) -> +1
    keepdims         keepdims=True -> keepdims=False

Per exercise module, up to `--per-kind` mutants of each kind (the first sites in source
order). Every mutant is graded as one student of a class (`gradeformer grade CLASS
--exercise E`), then for each mutant:

    caught by check   a public or hand-worked code check lost points (what `check` runs)
    named by check    ... and one of those failures names the mistake: a misconception
                      ("likely bug: ...") or a relation ("likely: ...")
    caught at grading a hidden check lost points

Mutants no check catches are listed: some are equivalent (an axis change on 1-D input, a
term in an error path) and some are holes in the check suite.

    python benchmarks/mutation_run.py [--per-kind 1] [--exercise softmax ...]
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"

Edit = Callable[[ast.AST], ast.AST | None]  # a node -> its mutated copy, or None: no site


def _binop(op: type[ast.operator], new: type[ast.operator]) -> Edit:
    def edit(node: ast.AST) -> ast.AST | None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, op):
            return ast.BinOp(node.left, new(), node.right)
        return None

    return edit


def _drop_unary_minus(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return node.operand
    return None


def _drop_term(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        return node.left
    return None


def _scale(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return ast.BinOp(ast.Constant(2.0), ast.Mult(), node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return ast.BinOp(node, ast.Div(), ast.Constant(2.0))
    return None


def _transpose(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        swapped = ast.parse("__import__('numpy').swapaxes(X, -1, -2)", mode="eval").body
        assert isinstance(swapped, ast.Call)
        swapped.args[0] = node.left
        return ast.BinOp(swapped, ast.MatMult(), node.right)
    return None


def _keyword(name: str, value: Callable[[ast.expr], ast.expr | None]) -> Edit:
    def edit(node: ast.AST) -> ast.AST | None:
        if not isinstance(node, ast.keyword) or node.arg != name:
            return None
        new = value(node.value)
        return None if new is None else ast.keyword(name, new)

    return edit


def _other_axis(value: ast.expr) -> ast.expr:
    return ast.Constant(-1 if isinstance(value, ast.Constant) and value.value == 0 else 0)


def _keepdims_false(value: ast.expr) -> ast.expr | None:
    return ast.Constant(False) if isinstance(value, ast.Constant) and value.value else None


def _off_by_one(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.Slice):
        for part in ("lower", "upper"):
            bound = getattr(node, part)
            if isinstance(bound, ast.Constant) and isinstance(bound.value, int):
                moved = copy.copy(node)
                setattr(moved, part, ast.Constant(bound.value + 1))
                return moved
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and node.args
    ):
        args = [*node.args]
        args[-1 if len(args) == 1 else 1] = ast.BinOp(
            args[-1 if len(args) == 1 else 1], ast.Add(), ast.Constant(1)
        )
        return ast.Call(node.func, args, node.keywords)
    return None


KINDS: dict[str, list[Edit]] = {
    "flip a sign": [_binop(ast.Add, ast.Sub), _binop(ast.Sub, ast.Add), _drop_unary_minus],
    "change an axis": [_keyword("axis", _other_axis)],
    "drop a term": [_drop_term],
    "scale": [_scale],
    "transpose": [_transpose],
    "off by one": [_off_by_one],
    "keepdims": [_keyword("keepdims", _keepdims_false)],
}


@dataclass
class Mutant:
    exercise: str  # folder name, e.g. 03_softmax
    module: str  # file name, e.g. softmax.py
    kind: str
    line: int
    source: str


def _graded_functions(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield node


def _sites(tree: ast.Module, edit: Edit) -> Iterator[tuple[ast.AST, ast.AST, str, int]]:
    """(parent, node, field, index) of every node `edit` changes, in source order, inside
    the module's public functions (a guard that raises is skipped: its mutants are
    mostly equivalent)."""
    for function in _graded_functions(tree):
        for parent in ast.walk(function):
            if isinstance(parent, ast.Raise):
                continue
            for field_name, value in ast.iter_fields(parent):
                items = value if isinstance(value, list) else [value]
                for index, child in enumerate(items):
                    if isinstance(child, ast.AST) and edit(child) is not None:
                        yield parent, child, field_name, index if isinstance(value, list) else -1


def mutants(exercise: Path, per_kind: int) -> Iterator[Mutant]:
    """Up to `per_kind` mutants of each kind for each module of a solution folder."""
    for module in sorted(exercise.glob("*.py")):
        text = module.read_text("utf-8")
        for kind, edits in KINDS.items():
            made = 0
            for edit in edits:
                site = 0
                while made < per_kind:
                    tree = ast.parse(text)  # a fresh tree per mutant: edits change it
                    sites = list(_sites(tree, edit))
                    if site >= len(sites):
                        break
                    parent, child, field_name, index = sites[site]
                    new = edit(child)
                    if index < 0:
                        setattr(parent, field_name, new)
                    else:
                        getattr(parent, field_name)[index] = new
                    source = ast.unparse(ast.fix_missing_locations(tree))
                    site += 1
                    if source != ast.unparse(ast.parse(text)):
                        made += 1
                        line = getattr(child, "lineno", 0)
                        yield Mutant(exercise.name, module.name, kind, line, source)


@dataclass
class Verdict:
    caught: bool  # by a public or hand-worked code check
    named: bool
    caught_hidden: bool


def judge(result: dict, exercise: str) -> Verdict:
    """Read one mutant's graded exercise from its JSON result."""
    checks = next(e for e in result["exercises"] if e["exercise"] == exercise)["checks"]
    code = [c for c in checks if not c["name"].startswith("answers.yaml")]
    shown = [c for c in code if c["visibility"] != "hidden" and c["status"] != "pass"]
    hidden = [c for c in code if c["visibility"] == "hidden" and c["status"] != "pass"]
    named = any(
        c.get("misconception") or any(d.startswith("likely: ") for d in c.get("details", []))
        for c in shown
    )
    return Verdict(bool(shown), named, bool(hidden))


def grade(class_folder: Path, exercise: str, out: Path) -> None:
    command = [sys.executable, "-c", "from grader.cli import main; main()"]
    command += ["grade", str(class_folder), "--batch"]
    command += ["--exercise", exercise, "--out", str(out), "--format", "json"]
    subprocess.run(command, check=False, capture_output=True, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=1)
    parser.add_argument("--exercise", action="append", default=[])
    args = parser.parse_args()
    folders = sorted(p for p in SOLUTIONS.iterdir() if p.is_dir())
    if args.exercise:
        folders = [f for f in folders if any(n in f.name for n in args.exercise)]
    rows: list[tuple[Mutant, Verdict]] = []
    with tempfile.TemporaryDirectory(prefix="mutation-run-") as tmp:
        for folder in folders:
            found = list(mutants(folder, args.per_kind))
            if not found:
                continue
            classroom = Path(tmp, folder.name)
            for i, mutant in enumerate(found):
                student = classroom / f"m{i:02d}"
                shutil.copytree(SOLUTIONS, student)
                (student / folder.name / mutant.module).write_text(mutant.source, "utf-8")
            out = Path(tmp, folder.name + "-results")
            grade(classroom, folder.name, out)
            for i, mutant in enumerate(found):
                path = out / f"m{i:02d}.json"
                if not path.exists():
                    print(f"{folder.name} m{i:02d}: no result (grading failed)", file=sys.stderr)
                    continue
                rows.append((mutant, judge(json.loads(path.read_text()), folder.name)))
    report(rows)


def report(rows: list[tuple[Mutant, Verdict]]) -> None:
    kinds = sorted({m.kind for m, _ in rows})
    print(f"{'kind':<16}{'mutants':>8}{'caught':>8}{'named':>8}{'hidden':>8}")
    for kind in [*kinds, "all"]:
        sel = [v for m, v in rows if kind in ("all", m.kind)]
        counts = [sum(v.caught for v in sel), sum(v.named for v in sel)]
        hidden = sum(v.caught or v.caught_hidden for v in sel)
        print(f"{kind:<16}{len(sel):>8}{counts[0]:>8}{counts[1]:>8}{hidden:>8}")
    total = len(rows) or 1
    caught = sum(v.caught for _, v in rows)
    named = sum(v.named for _, v in rows)
    print(
        f"\ncheck catches {caught}/{len(rows)} ({caught / total:.0%}) and names {named} "
        f"({named / total:.0%}); check or grading catches "
        f"{sum(v.caught or v.caught_hidden for _, v in rows)}"
    )
    missed = [m for m, v in rows if not (v.caught or v.caught_hidden)]
    if missed:
        print("\nnot caught (equivalent, or a hole in the checks):")
        for m in missed:
            print(f"  {m.exercise}/{m.module}:{m.line}  {m.kind}")


if __name__ == "__main__":
    main()
