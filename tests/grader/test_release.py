"""The student kit: nothing secret inside, and `gradeformer check` works without reference.

The kit is built once from the real exercises. Secrets are looked for in the kit itself:
solution function bodies (compared as ASTs against every function in the kit), hidden check
names, hidden inputs and expected values (computed here with the reference and compared
with every array in the kit's fixtures), misconceptions and input generators.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from grader.cases import build_case
from grader.codec import decode
from grader.release import KIT_EXERCISES, build_kit, extract_functions, public_spec
from grader.spec import CheckSpec, ExerciseSpec, load_exercises
from grader.spec.finding import SOURCE_EXERCISES

SOLUTIONS = SOURCE_EXERCISES.parent / "solutions"
EXERCISES = load_exercises(SOURCE_EXERCISES)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_kit(tmp_path_factory.mktemp("kit") / "kit", EXERCISES, seed=0)


def function_bodies(source: str) -> Iterator[tuple[str, str]]:
    """(name, AST dump of the body without its docstring) of every function in `source`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            yield node.name, ast.dump(ast.Module(body=body, type_ignores=[]))


def arrays_in(value: Any) -> Iterator[np.ndarray]:
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from arrays_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from arrays_in(v)


def kit_fixtures(kit: Path, exercise: str = "*") -> list[dict[str, Any]]:
    cases = []
    for path in sorted((kit / KIT_EXERCISES).glob(f"{exercise}/public_cases.npz")):
        with np.load(path, allow_pickle=False) as data:
            cases.extend(decode(data[key].tobytes()) for key in data.files)
    return cases


def test_no_reference_solutions_or_misconceptions_in_the_kit(kit: Path) -> None:
    folders = {p.name for p in kit.rglob("*") if p.is_dir()}
    assert not {"reference", "solutions"} & folders
    shipped_misconceptions = sorted(kit.rglob("misconceptions.py"))
    assert shipped_misconceptions == [kit / "grader" / "misconceptions.py"]  # the engine's
    for spec in (kit / KIT_EXERCISES).glob("*/exercise.yaml"):  # names and hints only
        for m in yaml.safe_load(spec.read_text()).get("misconceptions", []):
            assert set(m) <= {"name", "hint", "replaces"}
    code = "\n".join(p.read_text() for p in kit.rglob("*.py"))
    for ex in EXERCISES:
        for m in ex.misconceptions:
            for impl in m.replaces.values():
                assert impl not in code, f"{ex.name}: misconception {impl} shipped"


def test_no_solution_function_body_in_the_kit(kit: Path) -> None:
    shipped = {body for p in kit.rglob("*.py") for _, body in function_bodies(p.read_text())}
    solution_files = sorted(SOLUTIONS.glob("*/*.py"))
    assert len(solution_files) == len(EXERCISES)
    for path in solution_files:
        for name, body in function_bodies(path.read_text()):
            assert body not in shipped, f"{path.parent.name}: the solution of {name} shipped"


def test_only_public_checks_their_cases_and_their_properties_ship(kit: Path) -> None:
    for ex in EXERCISES:
        fixture_names = {case["name"] for case in kit_fixtures(kit, ex.name)}
        spec = yaml.safe_load((kit / KIT_EXERCISES / ex.name / "exercise.yaml").read_text())
        public = [c.name for c in ex.checks if c.visibility != "hidden"]
        assert [c["name"] for c in spec["checks"]] == public
        assert [q["id"] for q in spec.get("questions", [])] == [q.id for q in ex.questions]
        hidden = {c.name for c in ex.checks if c.visibility == "hidden"}
        assert not hidden & fixture_names
        cases = kit / KIT_EXERCISES / ex.name / "cases.py"
        if cases.is_file():
            shipped = {name for name, _ in function_bodies(cases.read_text())}
            public = {c.property for c in ex.checks if c.visibility != "hidden"} - {None}
            secret = {c.cases for c in ex.checks} | {c.property for c in ex.checks}
            assert public <= shipped and not (secret - public) & shipped


def test_no_hidden_input_or_expected_value_in_the_fixtures(kit: Path) -> None:
    """The arrays of hidden checks that the term seed changes (the secret ones: fixed
    constants may be shared with public checks by design) are not among the kit's."""
    shipped = [a for case in kit_fixtures(kit) for a in arrays_in(case) if a.size >= 4]
    assert shipped, "the kit has no fixture arrays at all"
    secrets = 0
    for ex in EXERCISES:
        for check in ex.checks:
            if check.visibility != "hidden" or check.cases is None:
                continue
            for s in seeded_arrays(ex, check):
                secrets += 1
                assert not any(
                    a.shape == s.shape and np.allclose(a, s, equal_nan=True) for a in shipped
                ), f"{ex.name}: a value of hidden check {check.name!r} is in the kit"
    assert secrets > 50, "too few hidden values to make this test meaningful"


def seeded_arrays(ex: ExerciseSpec, check: CheckSpec) -> list[np.ndarray]:
    """The arrays (inputs and expected values) of `check` at term seed 0 found nowhere in
    its case at term seed 1."""

    def arrays(seed: int) -> list[np.ndarray]:
        case = build_case(ex, check, seed)
        return list(arrays_in([[c.kwargs for c in case.calls], case.expected]))

    other = arrays(1)
    return [
        a
        for a in arrays(0)
        if a.size >= 4
        and not any(a.shape == b.shape and np.allclose(a, b, equal_nan=True) for b in other)
    ]


def test_public_spec_drops_hidden_checks_oracles_and_keeps_misconception_names_and_hints() -> None:
    mis = {"name": "m", "hint": "h", "replaces": {"f": "f_bug"}, "notes": "instructor only"}
    raw = {
        "title": "T",
        "checks": [
            {"name": "a", "visibility": "public", "oracle": "differences"},
            {"name": "b", "visibility": "hidden"},
        ],
        "misconceptions": [mis],
        "questions": [{"id": "q"}],
    }
    assert public_spec(raw) == {
        "title": "T",
        "checks": [{"name": "a", "visibility": "public"}],  # the oracle's values are fixtures
        "questions": [{"id": "q"}],
        "misconceptions": [{"name": "m", "hint": "h", "replaces": {"f": "f_bug"}}],
    }


def test_extract_functions_keeps_what_a_property_uses_and_nothing_else() -> None:
    source = (
        "import numpy as np\nfrom reference import softmax\nTOL = 1e-9\n\n"
        "def helper(x):\n    return abs(x) < TOL\n\n"
        "def prop(calls, outputs, expected):\n    return None if helper(outputs[0]) else 'no'\n\n"
        "def generator(rng):\n    return {'x': rng.normal()}\n"
    )
    kept = extract_functions(source, ["prop"])
    tree = ast.parse(kept)
    assert [getattr(n, "name", None) for n in tree.body if isinstance(n, ast.FunctionDef)] == [
        "helper",
        "prop",
    ]
    assert "TOL = 1e-9" in kept and "import numpy as np" in kept
    assert "reference" not in kept and "generator" not in kept


def run_check_in_kit(kit: Path, exercise: str) -> subprocess.CompletedProcess[str]:
    """`gradeformer check EXERCISE` in the kit, with only the kit, the standard library and
    site-packages importable: no site hooks, so the checkout's editable install (and with it
    `reference`) is out of reach."""
    site_packages = sysconfig.get_paths()["purelib"]
    script = (
        f"import sys; sys.path[:0] = [{str(kit)!r}]; sys.path.append({site_packages!r})\n"
        "import importlib.util, grader\n"
        "assert importlib.util.find_spec('reference') is None, 'reference is importable'\n"
        f"assert grader.__file__.startswith({str(kit)!r}), grader.__file__\n"
        f"sys.argv = ['gradeformer', 'check', {exercise!r}]\n"
        "from grader.cli import main; main()\n"
    )
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", script],
        cwd=kit,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_in_the_kit_passes_a_filled_in_stub_without_reference(kit: Path) -> None:
    work = kit / "exercises" / "03_softmax"
    stub, answers = (work / "softmax.py").read_text(), (work / "answers.yaml").read_text()
    try:
        shutil.copyfile(SOLUTIONS / "03_softmax" / "softmax.py", work / "softmax.py")
        shutil.copyfile(SOLUTIONS / "03_softmax" / "answers.yaml", work / "answers.yaml")
        done = run_check_in_kit(kit, "softmax")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "✓ rows sum to 1" in done.stdout and "✓ large logits stay finite" in done.stdout
        no_shift = (SOLUTIONS / "03_softmax" / "softmax.py").read_text() + (
            "\n\ndef softmax(x, axis=-1, temperature=1.0):\n"
            "    e = np.exp(np.asarray(x, dtype=float) / temperature)\n"
            "    return e / e.sum(axis=axis, keepdims=True)\n"
        )
        (work / "softmax.py").write_text(no_shift)
        buggy = run_check_in_kit(kit, "softmax")  # named from stored outputs, no buggy code
        assert buggy.returncode == 1, buggy.stdout + buggy.stderr
        assert "likely bug: no max subtraction" in buggy.stdout
        (work / "softmax.py").write_text(stub)
        todo = run_check_in_kit(kit, "softmax")
        assert todo.returncode == 1, todo.stdout + todo.stderr
        assert "not implemented" in todo.stdout
    finally:
        (work / "softmax.py").write_text(stub)
        (work / "answers.yaml").write_text(answers)
