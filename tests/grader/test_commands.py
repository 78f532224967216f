"""The list, check, grade and validate commands on the fake exercises (in-process CLI)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
EXERCISES = str(FIXTURES / "exercises")
SUBMISSIONS = FIXTURES / "submissions"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_list_shows_every_exercise(fake_reference: object) -> None:
    code, out = run("list", "--exercises", EXERCISES)
    assert code == 0
    assert "scale" in out and "total" in out and "Totals without np.sum" in out


def test_grade_json_and_fail_under(fake_reference: object) -> None:
    code, out = run(
        "grade", str(SUBMISSIONS / "correct"), "--exercises", EXERCISES, "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert (data["score"], data["max_score"], data["mode"]) == (15.0, 15.0, "hidden")
    code, _ = run(
        "grade", str(SUBMISSIONS / "wrong"), "--exercises", EXERCISES, "--fail-under", "50"
    )
    assert code == 1


def test_grade_writes_out_file(fake_reference: object, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    args = ["--exercises", EXERCISES, "--format", "gradescope", "--out", str(out)]
    code, _ = run("grade", str(SUBMISSIONS / "partial"), *args)
    assert code == 0
    assert json.loads(out.read_text())["score"] == pytest.approx(10 * 5 / 6, abs=1e-5)


def test_an_out_file_that_cannot_be_written_loses_no_result(
    fake_reference: object, tmp_path: Path
) -> None:
    """One line and exit 2; a folder is refused before grading, and a result that was
    computed but cannot be written is printed rather than lost."""
    args = ["--exercises", EXERCISES, "--format", "json"]
    code, out = run("grade", str(SUBMISSIONS / "correct"), *args, "--out", str(tmp_path))
    assert (code, out.strip()) == (
        2,
        f"Error: --out {tmp_path} is a folder: name the file to write the result to",
    )
    (tmp_path / "taken").write_text("a file where a folder should be")
    target = tmp_path / "taken" / "result.json"
    result = CliRunner().invoke(
        cli, ["grade", str(SUBMISSIONS / "correct"), *args, "--out", str(target)]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: cannot write {target} (")
    assert result.stderr.endswith("): the result was printed instead\n")
    assert json.loads(result.stdout)["score"] == 15.0


def test_input_errors_exit_2_with_one_line(fake_reference: object, tmp_path: Path) -> None:
    code, out = run("grade", str(tmp_path / "missing"), "--exercises", EXERCISES)
    assert code == 2
    assert out.strip().splitlines() == [
        f"Error: no submission at {tmp_path / 'missing'} (no such file or folder)"
    ]
    bad = tmp_path / "alice.zip"
    bad.write_bytes(b"garbage")
    code, out = run("grade", str(bad), "--exercises", EXERCISES, "--format", "json")
    assert code == 2 and "Error: alice.zip is not a valid zip file" in out
    for command in (["grade", str(bad)], ["check", "--path", str(bad)]):
        code, out = run(*command, "--exercises", EXERCISES)
        assert code == 2
        assert out.strip().splitlines() == [
            "Error: alice.zip is not a valid zip file (File is not a zip file); nothing was graded"
        ]
    code, out = run("check", "nope", "--exercises", EXERCISES, "--path", str(tmp_path))
    assert code == 2 and "no exercise called 'nope'" in out


def test_malformed_spec_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ex" / "01_bad"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text("title: x\nmodule: 3bad\n")
    code, out = run("list", "--exercises", str(tmp_path / "ex"))
    assert code == 2
    assert out.strip() == (
        f'Error: {folder / "exercise.yaml"}: module must be a Python module name, got "3bad"'
    )


def test_check_exit_codes(fake_reference: object) -> None:
    code, out = run(
        "check", "scale", "--exercises", EXERCISES, "--path", str(SUBMISSIONS / "correct")
    )
    assert code == 0 and "hidden:" not in out  # no hidden check ran...
    assert "+ 2 hidden checks run at grading, not here" in out  # ...and it says so
    code, out = run(
        "check", "scale", "--exercises", EXERCISES, "--path", str(SUBMISSIONS / "wrong")
    )
    assert code == 1 and "normalised over the first axis" in out


def test_check_inside_a_copied_exercise_folder(
    fake_reference: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "01_scale"
    shutil.copytree(FIXTURES / "exercises" / "01_scale", work)
    shutil.copy(SUBMISSIONS / "correct" / "01_scale" / "scale.py", work / "scale.py")
    shutil.copy(SUBMISSIONS / "correct" / "01_scale" / "answers.yaml", work / "answers.yaml")
    monkeypatch.chdir(work)
    monkeypatch.delenv("GRADEFORMER_EXERCISES", raising=False)
    code, out = run("check", "scale")
    assert code == 0, out


def test_grade_a_class_delegates_to_batch(fake_reference: object, tmp_path: Path) -> None:
    klass = tmp_path / "class"
    shutil.copytree(SUBMISSIONS / "correct", klass / "alice")
    shutil.copytree(SUBMISSIONS / "partial", klass / "bob")
    code, out = run("grade", str(klass), "--exercises", EXERCISES)
    assert code == 2 and "grading a class needs --out DIR" in out


def test_validate_on_fake_exercises(fake_reference: object) -> None:
    args = ["--exercises", EXERCISES, "--solutions", str(SUBMISSIONS / "correct")]
    code, out = run("validate", *args)
    assert code == 0, out
    assert "2/2 exercises valid" in out
    assert "not discriminating: hand-worked: scale([1, 2, 3], 2) = [2, 4, 6]" in out
    code, out = run("validate", "--exercises", EXERCISES, "--solutions", str(SUBMISSIONS / "wrong"))
    assert code == 1 and "solution scores" in out


def test_broken_cases_py_is_one_line(fake_reference: object, tmp_path: Path) -> None:
    exercises = tmp_path / "exercises"
    shutil.copytree(FIXTURES / "exercises", exercises)
    (exercises / "01_scale" / "cases.py").write_text("def grid(rng):\n    return 1 / 0\n")
    args = ["--exercises", str(exercises), "--format", "json"]
    code, out = run("grade", str(SUBMISSIONS / "correct"), *args)
    assert code == 2
    assert out.strip() == (
        f"Error: {exercises / '01_scale' / 'cases.py'}: grid (check 'rows of a 3×4 grid') "
        "raised ZeroDivisionError: division by zero"
    )


def test_one_submission_or_a_class(fake_exercises: list, tmp_path: Path) -> None:
    from grader.commands.grade import is_single

    assert is_single(SUBMISSIONS / "wrong", fake_exercises)  # scale.py at the top
    assert is_single(SUBMISSIONS / "correct", fake_exercises)  # 01_scale/ at the top
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "work.ipynb").write_text("{}")
    assert is_single(tmp_path / "nb", fake_exercises)
    klass = tmp_path / "class"
    (klass / "alice").mkdir(parents=True)
    (klass / "bob.zip").write_bytes(b"")
    assert not is_single(klass, fake_exercises)
    assert is_single(klass / "bob.zip", fake_exercises)
    (tmp_path / "nb" / "bob.ipynb").write_text("{}")  # two notebooks: two students
    assert not is_single(tmp_path / "nb", fake_exercises)
    (tmp_path / "renamed" / "scale").mkdir(parents=True)  # an exercise folder named as its module
    assert is_single(tmp_path / "renamed", fake_exercises)


def test_the_early_guess_agrees_with_is_single(fake_exercises: list, tmp_path: Path) -> None:
    """`looks_like_class` (made before the exercises load) on the shapes `is_single` knows."""
    from grader.commands.grade import is_single, looks_like_class

    klass = tmp_path / "class"
    (klass / "alice").mkdir(parents=True)
    (klass / "bob.zip").write_bytes(b"")
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "work.ipynb").write_text("{}")
    (tmp_path / "nbs").mkdir()
    for name in ("alice.ipynb", "bob.ipynb", "README.md"):
        (tmp_path / "nbs" / name).write_text("{}")
    shapes = [
        SUBMISSIONS / "wrong",  # scale.py at the top
        SUBMISSIONS / "correct",  # 01_scale/ at the top
        tmp_path / "nb",  # one notebook: a student
        tmp_path / "nbs",  # two notebooks: a class
        klass,
        klass / "bob.zip",
    ]
    for path in shapes:
        assert looks_like_class(path) == (not is_single(path, fake_exercises)), path


def test_a_class_launches_no_workers_in_advance(
    fake_reference: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each student gets workers of their own; the ones a single submission launches early
    would only be started and killed."""
    from grader.commands import grade

    launched: list[int] = []
    real = grade.launch_workers
    monkeypatch.setattr(grade, "launch_workers", lambda n, lv: launched.append(n) or real(n, lv))
    klass = tmp_path / "class"
    shutil.copytree(SUBMISSIONS / "correct", klass / "alice")
    code, _ = run("grade", str(klass), "--exercises", EXERCISES, "--out", str(tmp_path / "out"))
    assert code == 0 and launched == []
    code, _ = run("grade", str(klass / "alice"), "--exercises", EXERCISES, "--jobs", "1")
    assert code == 0 and launched == [1]


def test_grade_no_timings_gives_identical_bytes(fake_reference: object) -> None:
    args = ["grade", str(SUBMISSIONS / "wrong"), "--exercises", EXERCISES, "--format", "json"]
    _, with_timings = run(*args)
    assert "duration_s" in with_timings
    _, first = run(*args, "--no-timings")
    _, second = run(*args, "--no-timings")
    assert first == second
    assert "duration_s" not in first and "started_at" not in first


def _copied_work(tmp_path: Path) -> Path:
    """A student's work folder: each exercise folder copied, then filled in."""
    work = tmp_path / "work"
    for name in ("01_scale", "02_total"):
        shutil.copytree(FIXTURES / "exercises" / name, work / name)
        shutil.copy(SUBMISSIONS / "correct" / name / f"{name[3:]}.py", work / name)
    return work


def test_check_in_a_copied_folder_finds_the_earlier_module_beside_it(
    fake_reference: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """~/work/02_total imports scale, which the student wrote in ~/work/01_scale."""
    work = _copied_work(tmp_path)
    monkeypatch.chdir(work / "02_total")
    code, out = run("check", "total")
    assert "could not be imported" not in out
    assert code == 0, out


def test_a_module_borrowed_from_a_sibling_folder_is_imported_not_graded(
    fake_reference: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In ~/work/02_total, ../01_scale/scale.py serves total's imports; scale itself is not
    checked from there (nor in an unrelated folder that happens to have such neighbours)."""
    work = _copied_work(tmp_path)
    monkeypatch.chdir(work / "02_total")
    code, out = run("check", "--exercises", EXERCISES)
    assert code == 0, out
    assert "total:" in out and "scale:" not in out
    code, out = run("check", "scale", "--exercises", EXERCISES)
    assert code == 1, out
    assert "scale.py not found in the submission (the one in ../01_scale is only imported" in out
    code, out = run("check", "scale")  # the exercises found: both copied folders, not one
    assert code == 1 and "the one in ../01_scale is only imported" in out, out


def test_check_finds_a_required_module_in_the_same_folder(
    fake_reference: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = _copied_work(tmp_path)
    shutil.move(work / "01_scale" / "scale.py", work / "02_total" / "scale.py")
    shutil.rmtree(work / "01_scale")
    monkeypatch.chdir(work / "02_total")
    code, out = run("check", "total")
    assert code == 0, out


def test_grading_a_class_never_borrows_a_neighbours_module(
    fake_reference: object, tmp_path: Path
) -> None:
    """Sibling folders are a student's own `check` only: in a class they are other students."""
    work = _copied_work(tmp_path)  # 01_scale/scale.py sits beside 02_total
    code, out = run(
        "grade", str(work / "02_total"), "--single", "--exercises", EXERCISES, "--format", "json"
    )
    total = next(ex for ex in json.loads(out)["exercises"] if ex["module"] == "total")
    assert total["status"] == "error" and "No module named 'scale'" in total["message"]


def test_a_required_isolation_that_is_missing_exits_2(
    fake_reference: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing could be graded: a usage/input error (2), not "graded below the bar" (1)."""
    from grader.sandbox import isolation as iso

    monkeypatch.setitem(iso._probed, iso.Isolation.BWRAP, "bwrap is not installed")
    code, out = run(
        "grade", str(SUBMISSIONS / "correct"), "--exercises", EXERCISES, "--isolation", "bwrap"
    )
    assert code == 2
    assert out.strip() == (
        "Error: cannot isolate student code: isolation bwrap is not available here: "
        "bwrap is not installed"
    )


def test_check_with_no_name_checks_only_the_exercises_it_finds(fake_reference: object) -> None:
    """SUBMISSIONS/partial holds scale.py only: total (not submitted) is left out."""
    code, out = run("check", "--exercises", EXERCISES, "--path", str(SUBMISSIONS / "partial"))
    assert "total.py not found" not in out and "02 total" not in out
    assert "/10 points" in out.splitlines()[-1]  # scale's 10 points, not 15
    code, out = run(
        "check", "total", "--exercises", EXERCISES, "--path", str(SUBMISSIONS / "partial")
    )
    assert "total.py not found" in out  # named: said


def test_one_submission_gets_two_workers_when_two_cores_are_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from grader.commands.grade import submission_workers

    assert submission_workers(3) == 3  # --jobs wins
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert submission_workers(None) == 1
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # macOS, Windows
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert submission_workers(None) == 2
