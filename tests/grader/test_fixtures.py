"""Public cases written to .npz and read back when `reference` is not installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import grader.cases
from grader.cases import build_case
from grader.fixtures import FIXTURE_FILE, FixtureError, write_public_fixtures
from grader.spec import load_exercise

EXERCISE = Path(__file__).parent / "fixtures" / "exercises" / "01_scale"


def test_round_trip_without_reference(
    fake_reference: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = tmp_path / "01_scale"
    kit.mkdir()
    (kit / "exercise.yaml").write_text((EXERCISE / "exercise.yaml").read_text())
    (kit / "cases.py").write_text((EXERCISE / "cases.py").read_text())
    exercise = load_exercise(kit)
    written = write_public_fixtures(exercise, kit, seed=5)
    assert written == kit / FIXTURE_FILE
    with np.load(written, allow_pickle=False) as data:
        assert all(data[k].dtype == np.uint8 for k in data.files)
    grid = exercise.check("rows of a 3×4 grid")
    from_reference = build_case(exercise, grid, 5)
    monkeypatch.setattr(grader.cases, "reference_module", lambda: None)
    from_file = build_case(exercise, grid, 5)
    assert from_file.calls[0].fn == "rownorm"
    np.testing.assert_array_equal(
        from_file.calls[0].kwargs["x"], from_reference.calls[0].kwargs["x"]
    )
    assert from_file.expected is not None and from_reference.expected is not None
    np.testing.assert_array_equal(from_file.expected[0], from_reference.expected[0])
    # rows of the stored expected value sum to 1 (what rownorm means)
    np.testing.assert_allclose(np.sum(from_file.expected[0], axis=-1), 1.0)
    with pytest.raises(FixtureError, match="has no case for 'rows of a 2×3×4 batch'"):
        build_case(exercise, exercise.check("rows of a 2×3×4 batch"), 5)


def test_literal_checks_need_no_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grader.cases, "reference_module", lambda: None)
    exercise = load_exercise(EXERCISE)
    case = build_case(exercise, exercise.checks[0], 0)
    np.testing.assert_array_equal(case.expected[0], [2.0, 4.0, 6.0])  # type: ignore[index]


def test_a_kit_without_misconceptions_py_still_grades(
    fake_reference: object, tmp_path: Path
) -> None:
    from grader.grading import grade_submission

    kit = tmp_path / "01_scale"
    kit.mkdir()
    for name in ("exercise.yaml", "cases.py"):
        (kit / name).write_text((EXERCISE / name).read_text())
    wrong = Path(__file__).parent / "fixtures" / "submissions" / "wrong"
    result = grade_submission(wrong, [load_exercise(kit)], mode="public")
    grid = result.exercises[0].checks[1]
    assert grid.status == "fail" and grid.misconception is None
