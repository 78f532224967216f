"""Instructor modules (cases.py) that are broken: one line naming the file, line and check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.cases import CaseError, build_case
from grader.spec import ExerciseSpec, SpecError, load_exercise

FIXTURES = Path(__file__).parent / "fixtures"


def exercise_with_cases(tmp_path: Path, source: str) -> ExerciseSpec:
    folder = tmp_path / "01_scale"
    shutil.copytree(FIXTURES / "exercises" / "01_scale", folder)
    (folder / "cases.py").write_text(source)
    return load_exercise(folder)


def test_a_syntax_error_in_cases_names_the_file_and_line(
    tmp_path: Path, fake_reference: object
) -> None:
    ex = exercise_with_cases(tmp_path, "import numpy as np\n\n\ndef grid(rng)\n    return {}\n")
    with pytest.raises(SpecError) as err:
        build_case(ex, ex.check("rows of a 3×4 grid"), 0)
    assert str(err.value) == f"{ex.folder / 'cases.py'}, line 4: SyntaxError: expected ':'"


def test_an_exception_at_import_names_the_file_and_line(
    tmp_path: Path, fake_reference: object
) -> None:
    ex = exercise_with_cases(tmp_path, "import numpy as np\nraise RuntimeError('no data')\n")
    with pytest.raises(SpecError) as err:
        build_case(ex, ex.check("rows of a 3×4 grid"), 0)
    assert str(err.value) == f"{ex.folder / 'cases.py'}, line 2: RuntimeError: no data"


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
