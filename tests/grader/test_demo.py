"""The demo class: deterministic, mixed as documented, and each bug really is that bug."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.demo import make_demo_class, plan_class
from grader.grading import grade_submission
from grader.spec import load_exercises
from grader.spec.finding import SOURCE_EXERCISES

SOLUTIONS = SOURCE_EXERCISES.parent / "solutions"
EXERCISES = load_exercises(SOURCE_EXERCISES)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_seed_same_bytes_new_seed_new_class(tmp_path: Path) -> None:
    make_demo_class(tmp_path / "a", EXERCISES, SOLUTIONS, students=8, seed=3)
    make_demo_class(tmp_path / "b", EXERCISES, SOLUTIONS, students=8, seed=3)
    make_demo_class(tmp_path / "c", EXERCISES, SOLUTIONS, students=8, seed=4)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a") != tree(tmp_path / "c")


def test_a_class_of_thirty_has_every_kind_of_student() -> None:
    roster = plan_class(EXERCISES, 30, seed=0)
    kinds = Counter(v.split(":")[0] for s in roster for v in s.work.values())
    assert kinds["syntax error"] == 1 and kinds["infinite loop"] == 1
    assert min(kinds["solution"], kinds["misconception"], kinds["stub"], kinds["missing"]) > 0
    assert set(roster[0].work.values()) == {"solution"}
    assert sum(s.zipped for s in roster) == 2
    assert len({s.student for s in roster}) == 30


def test_folders_and_zips_hold_exercise_folders(tmp_path: Path) -> None:
    roster = make_demo_class(tmp_path, EXERCISES, SOLUTIONS, students=5, seed=0)
    zipped = next(s for s in roster if s.zipped)
    with zipfile.ZipFile(tmp_path / f"{zipped.student}.zip") as zf:
        names = set(zf.namelist())
    handed_in = {k for k, v in zipped.work.items() if v != "missing"}
    by_name = {ex.name: ex for ex in EXERCISES}
    assert {f"{k}/{by_name[k].module}.py" for k in handed_in} <= names
    broken = roster[1]
    exercise = next(k for k, v in broken.work.items() if v == "syntax error")
    source = (tmp_path / broken.student / exercise / f"{by_name[exercise].module}.py").read_text()
    with pytest.raises(SyntaxError):
        compile(source, "broken.py", "exec")


def test_a_misconception_student_is_diagnosed_as_that_misconception(tmp_path: Path) -> None:
    roster = make_demo_class(tmp_path, EXERCISES, SOLUTIONS, students=12, seed=0)
    student, exercise, variant = next(
        (s, k, v) for s in roster if not s.zipped for k, v in s.work.items()
        if v.startswith("misconception: ") and k.startswith("03_")
    )  # fmt: skip
    result = grade_submission(tmp_path / student.student, EXERCISES, "hidden", 0, only=[exercise])
    named = {c.misconception for c in result.exercises[0].checks if c.misconception}
    assert named == {variant.removeprefix("misconception: ")}
    assert 0 < result.score < result.max_score


def test_demo_command_writes_a_class_and_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["demo", str(tmp_path / "class"), "--students", "4"])
    assert done.exit_code == 0, done.output
    assert len(list((tmp_path / "class").iterdir())) == 4
    again = runner.invoke(cli, ["demo", str(tmp_path / "class")])
    assert again.exit_code == 2 and "is not empty" in again.output
