"""Spec validation: every malformed case names the file, the key path and the expectation."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.spec import SpecError, load_exercise, load_exercises, select
from grader.spec.loading import check_seed, to_value

FIXTURES = Path(__file__).parent / "fixtures" / "exercises"

GOOD = """\
title: T
module: mod
points: 4
functions: [f, g]
checks:
  - name: one
    visibility: public
    call: f
    args: {x: [1.0, 2.0]}
"""


def write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "03_mod"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exercise.yaml").write_text(text)
    return folder


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(SpecError) as info:
        load_exercise(write(tmp_path, text))
    return str(info.value)


def test_good_spec_loads_with_defaults(tmp_path: Path) -> None:
    ex = load_exercise(write(tmp_path, GOOD))
    check = ex.checks[0]
    assert (ex.name, ex.module, ex.points, ex.functions) == ("03_mod", "mod", 4.0, ["f", "g"])
    assert (check.compare, check.rtol, check.atol, check.points, check.timeout) == (
        "allclose",
        1e-6,
        1e-9,
        1.0,
        10.0,
    )
    assert check.seed == check_seed("one")
    assert check.args is not None and check.args["x"].dtype == np.float64


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("    args: {x: [1.0, 2.0]}\n", "    args: {x: [1.0, 2.0]}\n    rtol: 1e-6x\n"),
            'exercise.yaml: checks[0].rtol must be a number, got "1e-6x"',
        ),
        (("module: mod\n", ""), "exercise.yaml: module is required"),
        (("points: 4\n", "points: lots\n"), 'points must be a number, got "lots"'),
        (("visibility: public", "visibility: secret"), "checks[0].visibility must be one of"),
        (("call: f", "call: h"), "checks[0].call must be one of the exercise's functions (f, g)"),
        (("    args: {x: [1.0, 2.0]}\n", ""), "checks[0].call and args are required"),
        (("name: one", "nme: one"), "checks[0].nme is not a known key"),
        (("functions: [f, g]", "functions: f"), "functions must be a list of strings"),
        (("title: T\n", "title: [T\n"), "is not valid YAML (line"),
    ],
)
def test_malformed_spec_names_file_key_and_expectation(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    text = GOOD.replace(*edit)
    assert text != GOOD
    err = error_of(tmp_path, text)
    assert message in err
    assert "03_mod/exercise.yaml" in err


def test_raises_and_property_need_their_names(tmp_path: Path) -> None:
    raises = GOOD.replace("visibility: public", "visibility: public\n    compare: raises")
    assert "checks[0].raises is required" in error_of(tmp_path, raises)
    prop = GOOD.replace("visibility: public", "visibility: public\n    compare: property")
    assert "checks[0].property is required" in error_of(tmp_path, prop)
    oracle = GOOD.replace("visibility: public", "visibility: public\n    oracle: differences")
    assert "checks[0].oracle is only for compare: property" in error_of(tmp_path, oracle)


def test_duplicate_check_names_rejected(tmp_path: Path) -> None:
    text = GOOD + "  - name: one\n    visibility: hidden\n    call: g\n    args: {x: 1.0}\n"
    assert 'checks[1] must have a unique name, got "one"' in error_of(tmp_path, text)


def test_misconception_must_replace_a_contract_function(tmp_path: Path) -> None:
    text = GOOD + "misconceptions:\n  - name: m\n    hint: h\n    replaces: {nope: bug}\n"
    assert "misconceptions[0].replaces.nope must name one of the exercise's functions" in (
        error_of(tmp_path, text)
    )


def test_not_a_mapping(tmp_path: Path) -> None:
    assert "the file must be a mapping of keys" in error_of(tmp_path, "- 1\n- 2\n")


def test_literal_conversion() -> None:
    ints = to_value([[1, 2], [3, 4]])
    assert ints.dtype == np.int64 and ints.shape == (2, 2)
    assert to_value([1, 2.5]).dtype == np.float64
    assert to_value([3, 5, 2], keep_list=True) == [3, 5, 2]
    ragged = to_value([[1.0, 2.0], [3.0]])
    assert isinstance(ragged, list) and ragged[1].shape == (1,)
    assert to_value("héllo") == "héllo"
    assert to_value({"callable": "sum_of_squares"}).name == "sum_of_squares"


def test_check_seed_is_stable() -> None:
    # CRC-32 of b"abc" is 0x352441C2 (a standard test vector).
    assert check_seed("abc") == 0x352441C2


def test_load_exercises_sorted_and_select() -> None:
    exercises = load_exercises(FIXTURES)
    assert [ex.name for ex in exercises] == ["01_scale", "02_total"]
    assert [ex.module for ex in select(exercises, ["total"])] == ["total"]
    assert [ex.module for ex in select(exercises, ["01_scale", "02"])] == ["scale", "total"]
    with pytest.raises(LookupError, match="no exercise called 'nope'"):
        select(exercises, ["nope"])


def test_find_exercises_root_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.spec import find_exercises_root

    monkeypatch.delenv("GRADEFORMER_EXERCISES", raising=False)
    kit = tmp_path / "kit"
    write(kit / "exercises", GOOD)  # kit/exercises/03_mod/exercise.yaml
    copied = write(tmp_path / "mine", GOOD)  # mine/03_mod/exercise.yaml
    (copied / "sub").mkdir()
    assert find_exercises_root(cwd=kit) == kit / "exercises"
    assert find_exercises_root(cwd=copied / "sub") == copied
    assert find_exercises_root(copied, cwd=kit) == copied  # --exercises wins
    monkeypatch.setenv("GRADEFORMER_EXERCISES", str(kit / "exercises"))
    assert find_exercises_root(cwd=copied) == kit / "exercises"
    with pytest.raises(FileNotFoundError, match="no exercises at"):
        find_exercises_root(tmp_path / "nope", cwd=kit)


def test_a_copied_exercise_beside_others_finds_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """~/work/03_mod beside ~/work/04_other: the exercise set is ~/work, not one folder."""
    from grader.spec import find_exercises_root

    monkeypatch.delenv("GRADEFORMER_EXERCISES", raising=False)
    work = tmp_path / "work"
    first = write(work, GOOD)  # work/03_mod/exercise.yaml
    assert find_exercises_root(cwd=first) == first  # alone: itself
    shutil.copytree(first, work / "04_other")
    assert find_exercises_root(cwd=first) == work
    assert find_exercises_root(cwd=work / "04_other") == work


CHECK_LINE = "    args: {x: [1.0, 2.0]}\n"
QUESTION = "questions:\n  - {id: q, question: Q, answer: 1}\n"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (CHECK_LINE, CHECK_LINE + "    rtol: -1\n", "checks[0].rtol must be >= 0, got -1"),
        (CHECK_LINE, CHECK_LINE + "    atol: -0.5\n", "checks[0].atol must be >= 0, got -0.5"),
        (CHECK_LINE, CHECK_LINE + "    points: -2\n", "checks[0].points must be >= 0, got -2"),
        (CHECK_LINE, CHECK_LINE + "    timeout: 0\n", "checks[0].timeout must be > 0, got 0"),
        (CHECK_LINE, CHECK_LINE + "    timeout: -1\n", "checks[0].timeout must be > 0, got -1"),
        ("points: 4\n", "points: -4\n", "points must be >= 0, got -4"),
        ("", QUESTION.replace("}", ", tol: -0.1}"), "questions[0].tol must be >= 0, got -0.1"),
        ("", QUESTION.replace("}", ", points: -1}"), "questions[0].points must be >= 0, got -1"),
        ("", "forbidden: {names: [np.dot], points: -1}\n", "forbidden.points must be >= 0, got -1"),
    ],
)
def test_negative_numbers_are_rejected_with_their_key_path(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = GOOD.replace(old, new) if old else GOOD + new
    assert error_of(tmp_path, text).endswith(f"exercise.yaml: {message}")


def test_zero_tolerances_and_points_are_allowed(tmp_path: Path) -> None:
    text = GOOD.replace(CHECK_LINE, CHECK_LINE + "    rtol: 0\n    atol: 0\n    points: 0\n")
    check = load_exercise(write(tmp_path, text + QUESTION)).checks[0]
    assert (check.rtol, check.atol, check.points) == (0.0, 0.0, 0.0)
