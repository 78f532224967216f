"""The student release kit: everything `gradeformer check` needs, nothing that gives answers.

``build_kit(dest, exercises)`` writes::

    dest/
      README.md                 how to install and check
      pyproject.toml            `pip install -e dest` gives the `gradeformer` command
      exercises/NN_name/        the student's work folder: README.md, the stub, answers.yaml
      grader/                   a copy of the grader package (templates and data included)
        data/exercises/NN_name/ what `check` reads (grader.spec.find_exercises_root, rule 4):
          exercise.yaml         filtered: public and hand-worked checks and the questions;
                                no hidden checks, no misconception code
          public_cases.npz      inputs and expected values of the public checks
                                (grader.fixtures, no pickle)
          cases.py              only when a public check is a property: those property
                                functions and what they use; no input generators

Not shipped: `reference/`, `solutions/`, hidden checks (names, inputs, expected values),
misconceptions.py and the misconception list, input generators.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from typing import Any

import yaml

from grader import __version__
from grader.fixtures import public_checks, write_public_fixtures
from grader.grading.reach import reached
from grader.spec import ExerciseSpec
from grader.spec.model import EXERCISE_FILE

GRADER_DIR = Path(__file__).resolve().parent
KIT_EXERCISES = Path("grader") / "data" / "exercises"
STUDENT_FILES = ("README.md", "answers.yaml")  # beside the stub, copied as they are

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "gradeformer"
version = "{version}"
description = "Build a transformer from scratch and check your work (student kit)."
requires-python = ">=3.10"
dependencies = ["numpy>=1.24", "pyyaml>=6.0", "click>=8.1", "jinja2>=3.1", "rich>=13.0"]

[project.scripts]
gradeformer = "grader.cli:main"

[tool.setuptools.packages.find]
include = ["grader*"]

[tool.setuptools.package-data]
grader = ["templates/*", "data/*", "data/exercises/*/*", "py.typed"]
"""

README = """\
# Build a transformer from scratch

Install once (Python 3.10 or newer), from this folder:

    pip install -e .

Each exercise is a folder in `exercises/`: read its README.md, fill in the functions of the
stub (they raise NotImplementedError until you do) and the `null`s of answers.yaml, then

    gradeformer check softmax        # one exercise, by module name or number
    gradeformer check                # every exercise

from this folder (or `--path` to your work). You see the public checks and the worked
examples; your instructor grades hidden checks too, on inputs you have not seen.
"""


def build_kit(dest: Path, exercises: list[ExerciseSpec], seed: int = 0) -> Path:
    """Write the student kit for `exercises` into `dest` (new or empty); return `dest`.

    `seed` is the term seed of the public checks' inputs (hidden inputs are never written).
    """
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty: choose a new folder for the kit")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(GRADER_DIR, dest / "grader", ignore=_not_shipped)
    for ex in exercises:
        _write_work_folder(ex, dest / "exercises" / ex.name)
        _write_spec_folder(ex, dest / KIT_EXERCISES / ex.name, seed)
    (dest / "pyproject.toml").write_text(PYPROJECT.format(version=__version__), "utf-8")
    (dest / "README.md").write_text(README, "utf-8")
    return dest


def _not_shipped(folder: str, names: list[str]) -> set[str]:
    """shutil.copytree filter: caches, and any exercises already inside grader/data."""
    skip = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".tmp"))}
    if Path(folder).resolve() == GRADER_DIR / "data":
        skip.add("exercises")
    return skip


def _write_work_folder(ex: ExerciseSpec, folder: Path) -> None:
    folder.mkdir(parents=True)
    for name in (f"{ex.module}.py", *STUDENT_FILES):
        if (ex.folder / name).is_file():
            shutil.copyfile(ex.folder / name, folder / name)


def _write_spec_folder(ex: ExerciseSpec, folder: Path, seed: int) -> None:
    folder.mkdir(parents=True)
    raw = yaml.safe_load((ex.folder / EXERCISE_FILE).read_text("utf-8"))
    (folder / EXERCISE_FILE).write_text(
        yaml.safe_dump(
            public_spec(raw), sort_keys=False, allow_unicode=True, default_flow_style=None
        ),
        "utf-8",
    )
    write_public_fixtures(ex, folder, seed)
    properties = [c.property for c in public_checks(ex) if c.property]
    if properties:
        source = (ex.folder / "cases.py").read_text("utf-8")
        (folder / "cases.py").write_text(extract_functions(source, properties), "utf-8")


KIT_MISCONCEPTION_KEYS = ("name", "hint", "replaces")


def public_spec(raw: dict[str, Any]) -> dict[str, Any]:
    """An exercise.yaml mapping without hidden checks. Misconceptions keep their name, hint
    and the names of what they replace: the kit names a likely bug from the outputs stored
    in its fixtures, never from the buggy code, which stays behind. An `oracle` is dropped
    too: its values are stored in the fixtures."""
    spec = {k: v for k, v in raw.items() if k != "misconceptions"}
    spec["checks"] = [
        {k: v for k, v in c.items() if k != "oracle"}
        for c in raw["checks"]
        if c.get("visibility") != "hidden"
    ]
    if raw.get("misconceptions"):
        spec["misconceptions"] = [
            {k: m[k] for k in KIT_MISCONCEPTION_KEYS if k in m} for m in raw["misconceptions"]
        ]
    return spec


def extract_functions(source: str, names: list[str]) -> str:
    """A module holding only the top-level functions `names`, the top-level definitions they
    use (transitively) and the module's imports (any import of `reference` left out)."""
    tree = ast.parse(source)
    defined = {name: node for node in tree.body for name in _defines(node)}
    keep = {id(defined[n]) for n in reached(defined, names)}
    parts = ['"""Public property checks of this exercise (the student kit\'s copy)."""']
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not _imports_reference(node):
            parts.append(ast.get_source_segment(source, node) or "")
        elif id(node) in keep:
            parts.append("\n\n" + (ast.get_source_segment(source, node) or ""))
    return "\n".join(parts) + "\n"


def _defines(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [t.id for t in targets if isinstance(t, ast.Name)]
    return []


def _imports_reference(node: ast.Import | ast.ImportFrom) -> bool:
    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    return any(m == "reference" or m.startswith("reference.") for m in modules)
