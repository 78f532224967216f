"""Instructor modules (cases.py) that are broken: one line naming the file, line and check."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.cases import CaseError, build_case
from grader.spec import ExerciseSpec, SpecError, load_exercise

FIXTURES = Path(__file__).parent / "fixtures"


def exercise_with_cases(tmp_path: Path, source: str) -> ExerciseSpec:
    folder = tmp_path / "01_scale"
    shutil.copytree(FIXTURES / "exercises" / "01_scale", folder)
    (folder / "cases.py").write_text(source)
    return load_exercise(folder)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (
            "import numpy as np\n\n\ndef grid(rng)\n    return {}\n",
            "line 4: SyntaxError: expected ':'",
        ),
        ("import numpy as np\nraise RuntimeError('no data')\n", "line 2: RuntimeError: no data"),
    ],
    ids=["syntax error", "exception at import"],
)
def test_a_broken_cases_module_names_the_file_and_line(
    tmp_path: Path, fake_reference: object, source: str, problem: str
) -> None:
    ex = exercise_with_cases(tmp_path, source)
    with pytest.raises(SpecError) as err:
        build_case(ex, ex.check("rows of a 3×4 grid"), 0)
    assert str(err.value) == f"{ex.folder / 'cases.py'}, {problem}"


def test_a_generator_that_raises_names_the_file_generator_and_check(
    tmp_path: Path, fake_reference: object
) -> None:
    source = "def grid(rng):\n    raise RuntimeError('shape mismatch')\n"
    ex = exercise_with_cases(tmp_path, source)
    with pytest.raises(CaseError) as err:
        build_case(ex, ex.check("rows of a 3×4 grid"), 0)
    assert str(err.value) == (
        f"{ex.folder / 'cases.py'}: grid (check 'rows of a 3×4 grid') "
        "raised RuntimeError: shape mismatch"
    )


ORACLE_CASES = """\
import numpy as np


def grid(rng):
    return {"x": rng.uniform(0.5, 2.0, size=(3, 4))}


def row_totals(calls):
    return [np.asarray(calls[0].kwargs["x"]).sum(axis=-1)]


def too_few(calls):
    return []


def rows_sum_to_one(calls, outputs, expected):
    return None
"""


def exercise_with_oracle(tmp_path: Path, oracle: str) -> ExerciseSpec:
    ex = exercise_with_cases(tmp_path, ORACLE_CASES)
    spec = ex.folder / "exercise.yaml"
    text = spec.read_text()
    edited = text.replace(
        "    property: rows_sum_to_one\n", f"    property: rows_sum_to_one\n    oracle: {oracle}\n"
    )
    assert edited != text
    spec.write_text(edited)
    return load_exercise(ex.folder)


def test_an_oracle_gives_the_property_its_expected_values(
    tmp_path: Path, fake_reference: object
) -> None:
    ex = exercise_with_oracle(tmp_path, "row_totals")
    case = build_case(ex, ex.check("rows sum to one"), 0)
    (x,) = (call.kwargs["x"] for call in case.calls)
    assert case.expected is not None and len(case.expected) == 1
    assert np.array_equal(case.expected[0], x.sum(axis=-1))  # not the reference's rownorm


def test_an_oracle_with_the_wrong_number_of_values_is_a_case_error(
    tmp_path: Path, fake_reference: object
) -> None:
    ex = exercise_with_oracle(tmp_path, "too_few")
    with pytest.raises(CaseError) as err:
        build_case(ex, ex.check("rows sum to one"), 0)
    assert str(err.value) == (
        f"{ex.folder / 'cases.py'}: too_few (check 'rows sum to one') "
        "must return a list with one value per call (1)"
    )
