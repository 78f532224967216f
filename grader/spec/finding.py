"""Finding exercises: where they are on disk, and which of them a command names."""

from __future__ import annotations

import os
from pathlib import Path

from grader.spec.model import EXERCISE_FILE, ExerciseSpec


def select(exercises: list[ExerciseSpec], names: list[str] | None) -> list[ExerciseSpec]:
    """The exercises named in `names` (folder, module or number), all when `names` is empty.

    Raises `LookupError` naming the first unknown name.
    """
    if not names:
        return exercises
    chosen: list[ExerciseSpec] = []
    for name in names:
        found = [ex for ex in exercises if ex.matches(name)]
        if not found:
            known = ", ".join(ex.module for ex in exercises)
            raise LookupError(f"no exercise called {name!r} (known: {known})")
        chosen.extend(ex for ex in found if ex not in chosen)
    return [ex for ex in exercises if ex in chosen]


PACKAGE_EXERCISES = Path(__file__).parents[1] / "data" / "exercises"
SOURCE_EXERCISES = Path(__file__).parents[2] / "exercises"


def find_exercises_root(explicit: Path | None = None, cwd: Path | None = None) -> Path:
    """Where the exercises are, in this order (documented in docs/internals.md):

    1. `explicit` (a command's ``--exercises``), then ``$GRADEFORMER_EXERCISES``;
    2. ``./exercises`` when it holds exercise folders;
    3. the nearest folder holding exercise.yaml: cwd or a parent (a copied exercise folder),
       or its parent when that holds other exercise folders too (~/work/03_softmax beside
       ~/work/04_cross_entropy: every exercise the student copied);
    4. the kit shipped in the package (``grader/data/exercises``);
    5. ``exercises/`` beside the ``grader`` package (a source checkout).

    Raises `FileNotFoundError` when none exists.
    """
    cwd = cwd or Path.cwd()
    env = os.environ.get("GRADEFORMER_EXERCISES")
    for given in (explicit, Path(env) if env else None):
        if given is not None:
            if not given.exists():
                raise FileNotFoundError(f"no exercises at {given}")
            return given
    if _has_exercises(cwd / "exercises"):
        return cwd / "exercises"
    for folder in (cwd, *cwd.parents):
        if (folder / EXERCISE_FILE).is_file():
            return folder.parent if _exercise_count(folder.parent) > 1 else folder
    for candidate in (PACKAGE_EXERCISES, SOURCE_EXERCISES):
        if _has_exercises(candidate):
            return candidate
    raise FileNotFoundError(
        "no exercises found: run in a folder with exercises/ or an exercise.yaml, "
        "or pass --exercises DIR"
    )


def _has_exercises(folder: Path) -> bool:
    return _exercise_count(folder) > 0


def _exercise_count(folder: Path) -> int:
    """How many exercise folders `folder` holds (0 when it cannot be listed)."""
    try:
        return sum((p / EXERCISE_FILE).is_file() for p in folder.iterdir())
    except OSError:
        return 0
