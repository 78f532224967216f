"""End to end on the fake exercises: a real worker runs each submission."""

from __future__ import annotations

import ast
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from grader.grading import by_hand, checks, forbidden_uses, grade_submission, pool
from grader.grading.reach import reached
from grader.results import SubmissionResult

SUBMISSIONS = Path(__file__).parent / "fixtures" / "submissions"
EXERCISES = Path(__file__).parent / "fixtures" / "exercises"
CORRECT_SCALE = (SUBMISSIONS / "correct" / "01_scale" / "scale.py").read_text()
LOOPING_SCALE = CORRECT_SCALE.replace(
    "def rownorm(x):\n", "def rownorm(x):\n    while True:\n        pass\n"
)


def grade(path: Path, exercises: list, **kw: object) -> SubmissionResult:
    return grade_submission(path, exercises, **kw)  # type: ignore[arg-type]


def by_name(result: SubmissionResult, exercise: str) -> dict:
    ex = result.exercise(exercise)
    assert ex is not None
    return {c.name: c for c in ex.checks}


def student(tmp_path: Path, source: str, answers: str | None = None) -> Path:
    (tmp_path / "scale.py").write_text(source)
    if answers is not None:
        (tmp_path / "answers.yaml").write_text(answers)
    return tmp_path


def test_correct_submission_gets_full_marks(fake_exercises: list) -> None:
    result = grade(SUBMISSIONS / "correct", fake_exercises)
    assert result.error is None
    assert [(e.module, e.status, e.score) for e in result.exercises] == [
        ("scale", "graded", 10.0),
        ("total", "graded", 5.0),
    ]
    assert (result.score, result.max_score, result.mode) == (15.0, 15.0, "hidden")
    assert result.isolation in ("bwrap", "unshare", "rlimits")


def test_wrong_submission_gets_worst_element_and_misconception(fake_exercises: list) -> None:
    result = grade(SUBMISSIONS / "wrong", fake_exercises)
    checks = by_name(result, "scale")
    grid = checks["rows of a 3×4 grid"]
    assert grid.status == "fail"
    assert grid.message.startswith("max abs error ")
    assert " at [" in grid.message and "(expected " in grid.message
    assert "12 of 12 elements differ" in grid.details[0]
    assert grid.misconception == "normalised over the first axis"
    assert grid.hint and "last axis" in grid.hint
    hidden = checks["rows of a 2×3×4 batch"]
    assert hidden.misconception == "normalised over the first axis"
    assert hidden.message == (
        "failed on a hidden input (a 2×3×4 batch of positive numbers): wrong values"
    )
    assert hidden.details == [] and hidden.output == ""
    assert checks["a zero row is rejected"].message == (
        "rownorm should raise ValueError here, but it returned a value"
    )
    assert checks["answers.yaml: six"].status == "fail"
    # 1 of 6 equal-point checks pass: 10 * 1/6
    assert result.exercise("scale").score == pytest.approx(10 / 6, abs=1e-6)  # type: ignore[union-attr]


def test_forbidden_call_and_blocked_dependency(fake_exercises: list) -> None:
    checks = by_name(grade(SUBMISSIONS / "wrong", fake_exercises), "total")
    forbidden = checks["uses no forbidden helpers"]
    assert (forbidden.status, forbidden.message) == (
        "fail",
        "total.py line 6: np.sum is not allowed in this exercise",
    )
    blocked = checks["total of normalised rows is the row count"]
    assert blocked.message == "blocked by scale: fix exercise 01 first"
    assert blocked.details[0].startswith("max abs error 1 (expected 3, got 2)")


CORRECT_TOTAL = (SUBMISSIONS / "correct" / "02_total" / "total.py").read_text()


@pytest.mark.parametrize(
    ("total_code", "verdict"),
    [
        (CORRECT_TOTAL, "pass"),  # scale's rownorm calls x.sum(): scale's code, not total's
        (CORRECT_TOTAL.replace("acc = 0.0", "acc = np.sum(x) * 0"), "fail"),
    ],
)
def test_a_notebook_is_scanned_per_exercise(
    fake_exercises: list, tmp_path: Path, total_code: str, verdict: str
) -> None:
    """A notebook is written out whole as each exercise's module; each exercise's forbidden
    scan covers its own functions only, not the other exercises' code beside them."""
    cells = [
        {"cell_type": "code", "source": CORRECT_SCALE.splitlines(True)},
        {"cell_type": "code", "source": total_code.replace("from scale import rownorm\n", "")},
    ]
    nb = tmp_path / "work.ipynb"
    nb.write_text(json.dumps({"cells": cells}))
    checks = by_name(grade(nb, fake_exercises), "total")
    assert checks["uses no forbidden helpers"].status == verdict
    assert all(c.passed for n, c in checks.items() if n != "uses no forbidden helpers")


def test_forbidden_scan_covers_what_the_functions_reach() -> None:
    source = (
        "import numpy as np\n"
        "def helper(a, b):\n"
        "    return a @ b\n"  # line 3: reached from dot through helper
        "def dot(a, b):\n"
        "    return helper(a, b)\n"
        "def dense(w, x):\n"
        "    return w @ x\n"  # line 7: another exercise's function
        "def norm(a):\n"
        "    return a @ a\n"  # line 9: overridden below, never in force
        "def norm(a):\n"
        "    return sum(v * v for v in a) ** 0.5\n"
        "alias = dense\n"  # line 12: module-level code reaches dense
    )
    assert forbidden_uses(source, ["@"]) == [(3, "@"), (7, "@"), (9, "@")]
    assert forbidden_uses(source, ["@"], ["dot"]) == [(3, "@"), (7, "@")]
    assert forbidden_uses(source, ["@"], ["dot"], frozenset({"dense"})) == [(3, "@")]
    assert forbidden_uses(source, ["@"], ["norm"], frozenset({"dense"})) == []


def test_reached_follows_used_names_through_definitions_only() -> None:
    """The walk shared by the forbidden-call scan and the kit's property functions."""
    tree = ast.parse(
        "def a():\n    return b()\n"
        "def b():\n    return c + len([])\n"
        "c = 1\n"
        "def d():\n    return a()\n"
    )
    defined = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert reached(defined, ["a", "unknown"]) == ["a", "b"]  # c is no definition here
    assert sorted(reached(defined, ["d"])) == ["a", "b", "d"]
    assert reached(defined, []) == []


def test_missing_module_is_not_submitted(fake_exercises: list) -> None:
    result = grade(SUBMISSIONS / "partial", fake_exercises)
    total = result.exercise("total")
    assert total is not None
    assert (total.status, total.score, total.message) == (
        "not_submitted",
        0.0,
        "total.py not found in the submission",
    )
    assert result.exercise("scale").status == "graded"  # type: ignore[union-attr]


def test_a_module_linking_outside_says_so(fake_exercises: list, tmp_path: Path) -> None:
    """A link leading out of the submission is never read; "not found" alone would puzzle."""
    sub = tmp_path / "sub"
    shutil.copytree(SUBMISSIONS / "partial", sub)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "total.py").write_text("def total(x):\n    return 0\n")
    (sub / "work").mkdir()
    os.symlink(tmp_path / "elsewhere" / "total.py", sub / "work" / "total.py")
    total = grade(sub, fake_exercises).exercise("total")
    assert total is not None and total.status == "not_submitted"
    assert total.message == (
        "total.py not found in the submission "
        "(work/total.py is a link leading outside it or nowhere, and is not read: "
        "put the file itself there)"
    )


def test_stub_is_not_implemented_without_noise(fake_exercises: list) -> None:
    result = grade(EXERCISES, fake_exercises)
    for ex in result.exercises:
        assert ex.status == "not_implemented" and ex.score == 0.0 and ex.checks == []
    assert result.exercises[0].message == "not implemented yet (scale raises NotImplementedError)"


def test_syntax_error_is_an_error_for_that_exercise(fake_exercises: list, tmp_path: Path) -> None:
    result = grade(student(tmp_path, "def scale(x, k)\n    return x\n"), fake_exercises)
    ex = result.exercise("scale")
    assert ex is not None and ex.status == "error" and ex.score == 0.0
    assert ex.message.startswith("scale.py could not be imported: SyntaxError")
    assert "line 1" in ex.message


def test_infinite_loop_times_out_and_only_costs_that_check(
    fake_exercises: list, tmp_path: Path
) -> None:
    checks = by_name(
        grade(student(tmp_path, LOOPING_SCALE), fake_exercises, mode="public"), "scale"
    )
    assert checks["rows of a 3×4 grid"].status == "error"
    assert checks["rows of a 3×4 grid"].message == "rownorm: timed out after 1 s"
    assert checks["hand-worked: scale([1, 2, 3], 2) = [2, 4, 6]"].status == "pass"
    later = checks["a zero row is rejected"]  # rownorm again: not another timeout
    assert later.status == "error"
    assert later.message == "not run: rownorm timed out on an earlier check"


def test_an_interrupt_stops_every_worker_at_once(
    fake_reference: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or an instructor error) while a worker is stuck in student code ends the
    call now, not at its timeout, and no further check starts."""
    from grader.spec import load_exercises

    folder = tmp_path / "exercises"
    shutil.copytree(EXERCISES, folder)
    spec = folder / "01_scale" / "exercise.yaml"
    spec.write_text(spec.read_text().replace("timeout: 1", "timeout: 60"))

    def interrupted(*args: object) -> None:
        time.sleep(1.0)  # a worker is in the loop by now
        raise KeyboardInterrupt

    monkeypatch.setattr(pool, "_prepare_cases", interrupted)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        (tmp_path / "sub").mkdir()
        grade(student(tmp_path / "sub", LOOPING_SCALE), load_exercises(folder), workers=2)
    assert time.monotonic() - started < 30  # far below the 60 s timeout of the stuck call


def test_a_module_that_hangs_on_import_stops_its_exercise_once(
    fake_exercises: list, tmp_path: Path
) -> None:
    source = "while True:\n    pass\n" + CORRECT_SCALE
    result = grade(student(tmp_path, source), fake_exercises, mode="public")
    ex = result.exercise("scale")
    assert ex is not None and ex.status == "error" and ex.score == 0.0
    assert ex.message.startswith("scale.py could not be imported: timed out after")
    assert ex.checks == []  # one timeout for the exercise, not one per check


def test_sys_exit_is_reported_as_an_exit(fake_exercises: list, tmp_path: Path) -> None:
    source = "import sys\n" + CORRECT_SCALE.replace(
        "def scale(x, k):\n", "def scale(x, k):\n    sys.exit(3)\n"
    )
    checks = by_name(grade(student(tmp_path, source), fake_exercises, mode="public"), "scale")
    hand = checks["hand-worked: scale([1, 2, 3], 2) = [2, 4, 6]"]
    assert hand.status == "error"
    assert "exited with status 3 before returning a result" in hand.message
    assert hand.trace == ["1·2 = 2, 2·2 = 4, 3·2 = 6"]
    assert checks["rows of a 3×4 grid"].status == "pass"  # the worker was replaced


def test_os_exit_zero_is_not_a_pass(fake_exercises: list, tmp_path: Path) -> None:
    source = "import os\n" + CORRECT_SCALE.replace(
        "def rownorm(x):\n", "def rownorm(x):\n    os._exit(0)\n"
    )
    checks = by_name(grade(student(tmp_path, source), fake_exercises, mode="public"), "scale")
    for name in ("rows of a 3×4 grid", "a zero row is rejected"):
        assert checks[name].status in ("error", "fail") and checks[name].points == 0.0
    assert checks["hand-worked: scale([1, 2, 3], 2) = [2, 4, 6]"].status == "pass"


def test_bad_answers_yaml_only_affects_the_questions(fake_exercises: list, tmp_path: Path) -> None:
    result = grade(student(tmp_path, CORRECT_SCALE, "six: [1, 2\n"), fake_exercises, mode="public")
    checks = by_name(result, "scale")
    assert checks["answers.yaml: six"].status == "error"
    assert checks["answers.yaml: six"].message.startswith("answers.yaml could not be read")
    assert all(c.passed for n, c in checks.items() if not n.startswith("answers"))


def test_public_mode_runs_no_hidden_check(fake_exercises: list) -> None:
    result = grade(SUBMISSIONS / "correct", fake_exercises, mode="public")
    assert all(c.visibility != "hidden" for ex in result.exercises for c in ex.checks)
    assert result.score == 15.0  # scaled over the checks that ran


def test_same_seed_same_bytes(fake_exercises: list, case_cache: Path) -> None:
    def run() -> str:
        checks._case_cache.clear()  # the second run reads its cases from the disk cache
        result = grade(SUBMISSIONS / "wrong", fake_exercises, seed=7)
        return json.dumps(result.to_dict(timings=False), sort_keys=True)

    first = run()
    assert len(list(case_cache.glob("cases/*.gfc"))) == 7  # one per check of the two exercises
    assert run() == first
    other = grade(SUBMISSIONS / "wrong", fake_exercises, seed=8).to_dict(timings=False)
    assert json.dumps(other, sort_keys=True) != first  # the seed is recorded, inputs differ


def test_two_workers_give_the_same_bytes_as_one(
    fake_exercises: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.sandbox import Worker

    started: list[int] = []
    real_start = Worker.start_in_background

    def counting_start(self: Worker) -> None:
        started.append(id(self))
        real_start(self)

    monkeypatch.setattr(Worker, "start_in_background", counting_start)
    one = grade(SUBMISSIONS / "wrong", fake_exercises, workers=1).to_dict(timings=False)
    assert len(set(started)) == 1
    started.clear()
    two = grade(SUBMISSIONS / "wrong", fake_exercises, workers=3).to_dict(timings=False)
    assert len(set(started)) == 3  # the checks of both exercises are shared out
    assert json.dumps(two, sort_keys=True) == json.dumps(one, sort_keys=True)
    total = {c["name"]: c for c in two["exercises"][1]["checks"]}
    assert total["total of normalised rows is the row count"]["message"] == (
        "blocked by scale: fix exercise 01 first"
    )


def test_zip_and_notebook_submissions(fake_exercises: list, tmp_path: Path) -> None:
    z = tmp_path / "alice.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in (SUBMISSIONS / "correct").rglob("*"):
            zf.write(f, Path("alice") / f.relative_to(SUBMISSIONS / "correct"))
    assert grade(z, fake_exercises).score == 15.0
    nb = tmp_path / "work.ipynb"
    cells = [{"cell_type": "code", "source": CORRECT_SCALE.splitlines(True)}]
    nb.write_text(json.dumps({"cells": cells}))
    shutil.copy(SUBMISSIONS / "correct" / "01_scale" / "answers.yaml", tmp_path)
    result = grade(nb, fake_exercises)
    assert result.exercise("scale").score == 10.0  # type: ignore[union-attr]
    assert result.exercise("total").status == "not_submitted"  # type: ignore[union-attr]


def test_bad_zip_is_a_result_not_a_crash(fake_exercises: list, tmp_path: Path) -> None:
    z = tmp_path / "bob.zip"
    z.write_bytes(b"not a zip at all")
    result = grade(z, fake_exercises)
    assert result.error is not None and result.error.startswith("bob.zip is not a valid zip file")
    assert result.score == 0.0 and all(e.status == "error" for e in result.exercises)


def test_workers_launched_in_advance_grade_and_stay_the_callers(
    fake_exercises: list, tmp_path: Path
) -> None:
    from grader.sandbox import Worker

    early = [Worker() for _ in range(9)]  # no modules yet: the CLI launches them first
    try:
        for w in early:
            w.start_in_background()
        result = grade(SUBMISSIONS / "correct", fake_exercises, workers=early)
        assert result.score == 15.0 and result.error is None
        used = [w for w in early if w.modules]  # 7 checks: seven of the nine got the modules
        assert len(used) == 7
        # the launched processes did the grading and none was restarted (a worker
        # still booting when the others had taken every check never waits, so never counts)
        assert any(w.starts == 1 for w in used) and all(w.starts <= 1 for w in early)
        z = tmp_path / "bob.zip"
        z.write_bytes(b"not a zip at all")
        assert grade(z, fake_exercises, workers=early).error is not None
    finally:
        for w in early:
            w.close()
    assert all(w._proc is None for w in early)


def test_forbidden_uses_sees_aliases_methods_and_matmul() -> None:
    source = (
        "import numpy as xp\n"
        "from numpy import dot as d\n"
        "def f(a, b):\n"
        "    x = xp.dot(a, b)\n"
        "    y = d(a, b) + a.dot(b)\n"
        "    return a @ b + xp.linalg.norm(a)\n"
    )
    uses = forbidden_uses(source, ["np.dot", "numpy.linalg.norm", "@"])
    assert uses == [(4, "np.dot"), (5, "np.dot"), (6, "@"), (6, "np.linalg.norm")]
    assert (
        forbidden_uses("import numpy as np\ndef dot(a, b):\n    return sum(a)\n", ["np.dot"]) == []
    )


def test_property_that_cannot_run_on_the_output_fails_the_check(
    fake_exercises: list, tmp_path: Path
) -> None:
    source = CORRECT_SCALE.replace("    return x / s\n", "    return 'rows'\n")
    checks = by_name(grade(student(tmp_path, source), fake_exercises), "scale")
    prop = checks["rows sum to one"]
    assert prop.status == "fail" and prop.points == 0.0
    assert checks["rows of a 3×4 grid"].message == "returned a str, expected numbers"


def test_notebook_inside_a_zip_fills_missing_modules(fake_exercises: list, tmp_path: Path) -> None:
    cells = [{"cell_type": "code", "source": CORRECT_SCALE.splitlines(True)}]
    z = tmp_path / "carol.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("carol/work.ipynb", json.dumps({"cells": cells}))
        zf.writestr("carol/.ipynb_checkpoints/work-checkpoint.ipynb", "{broken")
        zf.write(SUBMISSIONS / "correct" / "02_total" / "total.py", "carol/total.py")
    result = grade(z, fake_exercises, mode="public")
    assert [(e.module, e.status) for e in result.exercises] == [
        ("scale", "graded"),
        ("total", "graded"),
    ]
    assert result.exercise("total").score == 5.0  # type: ignore[union-attr]


def test_hidden_errors_show_no_values_or_prints(fake_exercises: list, tmp_path: Path) -> None:
    source = CORRECT_SCALE.replace(
        "def rownorm(x):\n",
        "def rownorm(x):\n    print('secret', x)\n"
        "    if x.ndim == 3:\n        raise ValueError(f'bad {x[0, 0, 0]}')\n",
    )
    checks = by_name(grade(student(tmp_path, source), fake_exercises), "scale")
    hidden = checks["rows of a 2×3×4 batch"]
    assert hidden.message == (
        "error on a hidden input (a 2×3×4 batch of positive numbers): rownorm raised ValueError"
    )
    assert (hidden.details, hidden.output) == ([], "")
    assert checks["rows of a 3×4 grid"].passed  # printing costs nothing on a 2-D input


def test_public_mode_counts_the_hidden_checks_left_for_grading(
    fake_exercises: list, tmp_path: Path
) -> None:
    public = grade(SUBMISSIONS / "partial", fake_exercises, mode="public")
    # 01_scale has two hidden checks; 02_total (not submitted) has none
    assert [(e.module, e.hidden_not_run) for e in public.exercises] == [("scale", 2), ("total", 0)]
    broken = grade(student(tmp_path, "def scale(x, k)\n"), fake_exercises, mode="public")
    assert broken.exercise("scale").hidden_not_run == 2  # type: ignore[union-attr]
    hidden = grade(SUBMISSIONS / "partial", fake_exercises, mode="hidden")
    assert [e.hidden_not_run for e in hidden.exercises] == [0, 0]


@pytest.mark.parametrize(
    "source",
    [
        "raise ImportError('no such helper')\n",
        "def rownorm_axis0(x):\n    raise RuntimeError('broken misconception')\n",
        "def something_else(x):\n    return x\n",
    ],
)
def test_a_broken_misconceptions_py_costs_the_hint_not_the_verdict(
    fake_exercises: list, tmp_path: Path, source: str
) -> None:
    from grader.spec import load_exercises

    exercises = tmp_path / "exercises"
    shutil.copytree(EXERCISES, exercises)
    (exercises / "01_scale" / "misconceptions.py").write_text(source)
    result = grade(SUBMISSIONS / "wrong", load_exercises(exercises))
    assert result.error is None
    ex = result.exercise("scale")
    assert ex is not None and ex.status == "graded"
    grid = by_name(result, "scale")["rows of a 3×4 grid"]
    assert (grid.status, grid.points, grid.misconception, grid.hint) == ("fail", 0.0, None, None)
    assert grid.message.startswith("max abs error ")
    assert ex.score == pytest.approx(10 / 6, abs=1e-6)  # as with a working misconceptions.py


INDEXING_PROPERTY = """

def rows_sum_to_one(calls, outputs, expected):
    out = outputs[0]
    sums = [out[i, :].sum() for i in range(len(out))]
    return None if np.allclose(sums, 1.0) else "rows do not sum to one"
"""


def public_indexing_property(tmp_path: Path) -> list:
    """01_scale with its property check public and indexing the output as a 2-D array."""
    from grader.spec import load_exercises

    exercises = tmp_path / "exercises"
    shutil.copytree(EXERCISES, exercises)
    folder = exercises / "01_scale"
    cases = (folder / "cases.py").read_text().split("\n\ndef rows_sum_to_one")[0]
    (folder / "cases.py").write_text(cases + INDEXING_PROPERTY)
    spec = (folder / "exercise.yaml").read_text()
    public = spec.replace(
        "visibility: hidden\n    call: rownorm\n    cases: grid\n    compare: property",
        "visibility: public\n    call: rownorm\n    cases: grid\n    compare: property",
    )
    assert public != spec
    (folder / "exercise.yaml").write_text(public)
    return load_exercises(exercises)


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("(x / s).ravel()", "expected shape (3, 4), got (12,); right number of elements in the "
         "wrong shape"),
        ("(x / s).tolist()", "your output could not be checked: TypeError"),
    ],
)  # fmt: skip
def test_a_property_that_raises_on_the_output_says_what_is_wrong_with_it(
    fake_exercises: list, tmp_path: Path, returned: str, message: str
) -> None:
    exercises = public_indexing_property(tmp_path)
    source = CORRECT_SCALE.replace("    return x / s\n", f"    return {returned}\n")
    (tmp_path / "sub").mkdir()
    result = grade(student(tmp_path / "sub", source), exercises, mode="public")
    prop = by_name(result, "scale")["rows sum to one"]
    assert (prop.status, prop.points, prop.message) == ("fail", 0.0, message)


SIGNATURE_FIX = ": check the function's signature against the docstring"


def test_a_signature_that_refuses_the_contract_arguments_says_so(
    fake_exercises: list, tmp_path: Path
) -> None:
    source = CORRECT_SCALE.replace("def rownorm(x):\n", "def rownorm(x, axis):\n")
    checks = by_name(grade(student(tmp_path, source), fake_exercises), "scale")
    missing = "rownorm() missing 1 required positional argument: 'axis'" + SIGNATURE_FIX
    assert checks["a zero row is rejected"].message == missing  # not "raised TypeError"
    assert checks["a zero row is rejected"].status == "fail"
    assert (checks["rows of a 3×4 grid"].message, checks["rows of a 3×4 grid"].details) == (
        missing,
        [],
    )
    assert checks["rows of a 2×3×4 batch"].message == (
        "error on a hidden input (a 2×3×4 batch of positive numbers): " + missing
    )


def test_an_unexpected_keyword_names_the_argument(fake_exercises: list, tmp_path: Path) -> None:
    source = CORRECT_SCALE.replace(
        "def scale(x, k):\n", "def scale(x, factor=2.0):\n    k = factor\n"
    )
    checks = by_name(grade(student(tmp_path, source), fake_exercises), "scale")
    assert checks["hand-worked: scale([1, 2, 3], 2) = [2, 4, 6]"].message == (
        "scale() got an unexpected keyword argument 'k'" + SIGNATURE_FIX
    )


def test_a_type_error_inside_the_function_is_not_a_signature_problem(
    fake_exercises: list, tmp_path: Path
) -> None:
    source = CORRECT_SCALE.replace(
        "def rownorm(x):\n", "def helper(x):\n    return x\n\n\ndef rownorm(x):\n    helper(x, 1)\n"
    )
    checks = by_name(grade(student(tmp_path, source), fake_exercises), "scale")
    assert checks["a zero row is rejected"].message == (
        "rownorm raised TypeError, expected ValueError"
    )
    assert checks["rows of a 3×4 grid"].message == (
        "rownorm raised TypeError: helper() takes 1 positional argument but 2 were given"
    )
    assert checks["rows of a 2×3×4 batch"].message.endswith(": rownorm raised TypeError")


def answer_lines(tmp_path: Path, answers: str) -> dict:
    from grader.spec import QuestionSpec

    questions = [
        QuestionSpec(id="cold", question="p at T=0.5", answer=0.881, tol=0.001),
        QuestionSpec(id="hot", question="p at T=2", answer=0.5, tol=0.001),
    ]
    (tmp_path / "answers.yaml").write_text(answers)
    return {c.name: c for c in by_hand.answer_checks(questions, tmp_path / "answers.yaml")}


def test_an_answer_exactly_tol_away_is_within_tol(tmp_path: Path) -> None:
    # |0.88 - 0.881| is 0.0010000000000000009 in floating point
    lines = answer_lines(tmp_path, "cold: 0.88\nhot: 0.4989\n")
    assert lines["answers.yaml: cold"].status == "pass"
    assert lines["answers.yaml: hot"].status == "fail"  # 0.0011 away: a real miss
    assert lines["answers.yaml: hot"].message.endswith("is not within 0.001 of the right value")


def test_an_unknown_answer_key_is_a_failed_line_worth_nothing(
    fake_exercises: list, tmp_path: Path
) -> None:
    lines = answer_lines(tmp_path, "cld: 0.881\nhot: 0.5\nwarmth: 1\n")
    assert [(n, c.status, c.max_points, c.message) for n, c in lines.items()] == [
        ("answers.yaml: cold", "fail", 1.0, "not answered yet (p at T=0.5)"),
        ("answers.yaml: hot", "pass", 1.0, ""),
        ("answers.yaml: cld", "fail", 0.0, "unknown question 'cld' (did you mean 'cold'?)"),
        ("answers.yaml: warmth", "fail", 0.0, "unknown question 'warmth'"),
    ]
    answers = "six: 6\nsxi: 6\n"
    (tmp_path / "sub").mkdir()
    result = grade(student(tmp_path / "sub", CORRECT_SCALE, answers), fake_exercises)
    scale = result.exercise("scale")
    assert scale is not None and scale.score == 10.0  # the unknown key costs no points
    assert by_name(result, "scale")["answers.yaml: sxi"].message == (
        "unknown question 'sxi' (did you mean 'six'?)"
    )


def test_a_notebook_that_plots_and_tests_at_top_level_is_graded(
    fake_exercises: list, tmp_path: Path
) -> None:
    cells = [
        "import matplotlib_not_installed.pyplot as plt\n%matplotlib inline",
        CORRECT_SCALE,
        "plt.plot(rownorm([[1.0, 2.0]]))\nrownorm([[0.0, 0.0]])  # raises ValueError",
    ]
    nb = tmp_path / "work.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]}))
    shutil.copy(SUBMISSIONS / "correct" / "01_scale" / "answers.yaml", tmp_path)
    scale = grade(nb, fake_exercises).exercise("scale")
    assert scale is not None and (scale.status, scale.score) == ("graded", 10.0)


def test_an_unfinished_earlier_module_is_blamed_not_the_exercise(
    fake_exercises: list, tmp_path: Path
) -> None:
    """total_rows calls the student's rownorm, still a stub: total is not "not implemented"."""
    stub = CORRECT_SCALE.replace(
        "def rownorm(x):\n", "def rownorm(x):\n    raise NotImplementedError\n"
    )
    student(tmp_path, stub)
    shutil.copy(SUBMISSIONS / "correct" / "02_total" / "total.py", tmp_path / "total.py")
    result = grade(tmp_path, fake_exercises, mode="public")
    total = result.exercise("total")
    assert total is not None and total.status == "graded"  # its own functions are written
    blocked = [c for c in total.checks if "blocked by scale" in c.message]
    assert blocked, [c.message for c in total.checks]
    said = [blocked[0].message, *blocked[0].details]
    assert any("rownorm in scale.py is not implemented yet" in line for line in said), said
