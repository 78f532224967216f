"""A synthetic class for demos, tests and benchmarks, built deterministically from a seed.

Each student gets, per exercise, one of:

- ``solution``: the solution module as written in ``solutions/``;
- ``misconception: NAME``: the solution module with the exercise's ``misconceptions.py``
  appended and each replaced function rebound (``<function> = <buggy function>``), so the
  student has exactly that bug (misconceptions.py is self-contained by rule);
- ``stub``: the exercise's stub, untouched (not implemented yet);
- ``missing``: no module at all.

A student's ability ``a`` (uniform in [0.35, 1]) is the chance of a solution; otherwise a
misconception (70%) or the stub. Three students in ten stop early: the exercises past their
reach are missing. Among the first students, by position: one has every solution, one a
syntax error, one an infinite loop in the contract function called by the fewest checks
(so it costs one timeout, not many), and two hand their work in as ``.zip``.

Layout: ``<dest>/<student>/<NN_name>/<module>.py`` (+ ``answers.yaml``), as a student who
works in the exercise folders would hand it in.
"""

from __future__ import annotations

import random
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from grader.cases import build_calls
from grader.spec import ExerciseSpec

# fmt: off
FIRST = ["Ada", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Grace", "Hiro", "Inès", "José",
         "Kai", "Lena", "Mateo", "Nia", "Oskar", "Priya", "Quinn", "Rosa", "Siobhán", "Tariq",
         "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë"]
LAST = ["Abara", "Bianchi", "Chen", "Dubois", "Eriksen", "Fernández", "García", "Horvat",
        "Ivanova", "Jensen", "Kowalski", "López", "Müller", "Nakamura", "Okafor", "Petrov",
        "Quispe", "Rossi", "Schmidt", "Tanaka", "van Dijk", "Wójcik", "Yilmaz", "Zhang"]
# fmt: on
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same seed gives the same bytes


@dataclass
class DemoStudent:
    """One synthetic student: an id and, per exercise folder, what they handed in."""

    student: str
    work: dict[str, str] = field(default_factory=dict)  # "03_softmax" -> "solution", ...
    zipped: bool = False


def plan_class(exercises: list[ExerciseSpec], students: int, seed: int) -> list[DemoStudent]:
    """Decide every student's work, deterministically from `seed` (no files written)."""
    rng = random.Random(seed)
    names = _names(rng, students)
    roster = []
    for index, name in enumerate(names):
        ability = 1.0 if index == 0 else rng.uniform(0.35, 1.0)
        reach = len(exercises) if rng.random() < 0.7 else rng.randint(1, len(exercises))
        student = DemoStudent(name, zipped=index in (3, 4))
        for position, ex in enumerate(exercises):
            student.work[ex.name] = _variant(rng, ex, ability, position < reach)
        roster.append(student)
    if len(roster) > 1:
        work = roster[1].work
        first = next((name for name, v in work.items() if v != "missing"), exercises[0].name)
        work[first] = "syntax error"
    if len(roster) > 2:
        roster[2].work[_cheapest_to_hang(exercises).name] = "infinite loop"
    return roster


def _names(rng: random.Random, count: int) -> list[str]:
    seen: Counter[str] = Counter()
    names = []
    for _ in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return names


def _variant(rng: random.Random, ex: ExerciseSpec, ability: float, reached: bool) -> str:
    if not reached:
        return "missing"
    if rng.random() < ability:
        return "solution"
    if ex.misconceptions and rng.random() < 0.7:
        return "misconception: " + rng.choice(ex.misconceptions).name
    return "stub"


def write_class(
    dest: Path, exercises: list[ExerciseSpec], solutions: Path, roster: list[DemoStudent]
) -> None:
    """Write every student of `roster` under `dest` (folders, or zips for `zipped`)."""
    by_name = {ex.name: ex for ex in exercises}
    for student in roster:
        folder = dest / student.student
        for exercise_name, variant in student.work.items():
            if variant != "missing":
                _write_exercise(folder / exercise_name, by_name[exercise_name], solutions, variant)
        folder.mkdir(parents=True, exist_ok=True)  # a student who handed in nothing
        if student.zipped:
            _zip_folder(folder, dest / f"{student.student}.zip")
            shutil.rmtree(folder)


def _write_exercise(folder: Path, ex: ExerciseSpec, solutions: Path, variant: str) -> None:
    folder.mkdir(parents=True)
    module = f"{ex.module}.py"
    solution = solutions / ex.name
    if variant == "stub":
        (folder / module).write_bytes((ex.folder / module).read_bytes())
        answers = ex.folder / "answers.yaml"
    else:
        (folder / module).write_text(_module_source(ex, solution / module, variant), "utf-8")
        answers = solution / "answers.yaml"
    if answers.is_file():
        (folder / "answers.yaml").write_bytes(answers.read_bytes())


def _module_source(ex: ExerciseSpec, solution: Path, variant: str) -> str:
    """The solution's source, changed as `variant` says."""
    source = solution.read_text("utf-8").rstrip() + "\n"
    if variant.startswith("misconception: "):
        name = variant.removeprefix("misconception: ")
        spec = next(m for m in ex.misconceptions if m.name == name)
        bugs = (ex.folder / "misconceptions.py").read_text("utf-8")
        bugs = "\n".join(line for line in bugs.splitlines() if "from __future__" not in line)
        rebinds = "".join(f"{fn} = {impl}\n" for fn, impl in spec.replaces.items())
        return f"{source}\n\n# --- {name} ---\n{bugs}\n\n{rebinds}"
    if variant == "syntax error":
        return source + "\n\ndef unfinished(x:\n    return x\n"
    if variant == "infinite loop":
        fn = _least_checked_function(ex)
        return f"{source}\n\ndef {fn}(*args, **kwargs):\n    while True:\n        pass\n"
    return source


def _least_checked_function(ex: ExerciseSpec) -> str:
    """The contract function that the fewest checks call (ties: the first listed)."""
    calls = _checks_calling(ex)
    return min(calls, key=lambda fn: calls[fn])


def _checks_calling(ex: ExerciseSpec) -> dict[str, int]:
    """How many checks call each contract function (those called by no check left out)."""
    calls: Counter[str] = Counter()
    for check in ex.checks:
        calls.update({call.fn for call in build_calls(ex, check, 0)})
    return {fn: calls[fn] for fn in ex.functions if calls[fn]}


def _cheapest_to_hang(exercises: list[ExerciseSpec]) -> ExerciseSpec:
    """The exercise where an infinite loop in one function costs the fewest timeouts."""
    return min(exercises, key=lambda ex: min(_checks_calling(ex).values(), default=10**6))


def _zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())


def make_demo_class(
    dest: Path,
    exercises: list[ExerciseSpec],
    solutions: Path,
    students: int = 30,
    seed: int = 0,
) -> list[DemoStudent]:
    """Plan and write a demo class of `students` into `dest` (created; must be empty)."""
    if students < 1:
        raise ValueError(f"a class needs at least one student, got {students}")
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty: choose a new folder for the demo class")
    missing = [
        ex.name for ex in exercises if not (solutions / ex.name / f"{ex.module}.py").is_file()
    ]
    if missing:
        raise FileNotFoundError(f"no solution in {solutions} for {', '.join(missing)}")
    roster = plan_class(exercises, students, seed)
    dest.mkdir(parents=True, exist_ok=True)
    write_class(dest, exercises, solutions, roster)
    return roster
