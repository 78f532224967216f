"""A submission opened as located modules: `open_submission` materialises a folder, zip or
notebook into a temporary folder, finds the exercises' modules and answers, and (for a
student's own `check`) borrows required modules from sibling folders."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.spec import ExerciseSpec
from grader.submission import Located, add_notebook_modules, locate, materialise


@contextmanager
def open_submission(
    path: Path, exercises: list[ExerciseSpec], sibling_folders: bool = False
) -> Iterator[Located]:
    """The submission at `path` as located modules (a temporary folder for zip/ipynb).

    The modules the exercises `require` are looked for too (an exercise checked alone still
    finds the student's earlier modules). With `sibling_folders` (a student's own `check`,
    never a class: a neighbour's folder is another student's), a required module missing
    from the folder `path` is also taken from a sibling folder: ~/work/03_softmax/softmax.py
    serves ~/work/04_cross_entropy. Such a module is `borrowed`: later exercises import it,
    but its own exercise is not graded from it (it is not in the folder being checked).
    """
    with tempfile.TemporaryDirectory(prefix=f"gradeformer-sub-{os.getpid()}-") as tmp:
        functions = {ex.module: ex.functions for ex in exercises}
        required = {m for ex in exercises for m in ex.requires}
        root = materialise(path, Path(tmp) / "submission", functions)
        located = locate(root, set(functions) | required)
        add_notebook_modules(located, Path(tmp) / "notebooks", functions)
        if sibling_folders and path.is_dir():
            _add_sibling_modules(located, path, required)
        yield located


def _add_sibling_modules(located: Located, folder: Path, modules: set[str]) -> None:
    """Required modules still missing, from `folder`'s sibling folders (one level deep)."""
    for module in sorted(modules - set(located.modules)):
        siblings = sorted(folder.resolve().parent.glob(f"*/{module}.py"))
        found = [f for f in siblings if f.parent != folder.resolve() and f.is_file()]
        if found:
            located.modules[module] = found[0]
            located.borrowed.add(module)
