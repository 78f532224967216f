"""Grading speed: one full correct submission (solutions/, every hidden check).

Prints a table of wall times and ratios, all measured in this run on this machine:

- worker start-up (isolation probe once, then a fresh worker per submission);
- per-check overhead (a trivial call's round trip through the worker);
- `grade_submission` in-process (cold: computing expected values; warm: cases in memory, as
  for the second student of a batch process), and the whole `gradeformer grade solutions/`
  command as a fresh process (cases read from the on-disk cache);
- `gradeformer check softmax` as a fresh process (target: under 1 s);
- the baseline: the same checks as a generated pytest file run in a fresh `pytest` process
  per submission (the usual hand-rolled autograder: no sandbox; inputs stored, expected
  values computed by `reference` in the test, as ours are). Target: ours >= 3x faster.

Run: ``python benchmarks/bench_grading.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from grader import engine
from grader.cases import build_calls
from grader.codec import encode
from grader.engine import grade_submission
from grader.sandbox import Limits, Worker, detect_isolation
from grader.spec import ExerciseSpec, load_exercises
from grader.submission import locate

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
SOLUTIONS = ROOT / "solutions"
CLI = [sys.executable, "-c", "import sys; from grader.cli import main; main()"]

PYTEST_HEADER = """\
import copy
import importlib
import importlib.util

import numpy as np
import pytest
import reference

from grader.codec import decode
from grader.compare import compare_values
from grader.spec import Call

CASES = np.load({cases!r}, allow_pickle=False)


def load(path):
    spec = importlib.util.spec_from_file_location("cases_" + str(abs(hash(path))), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(key, module, compare, rtol, atol, raises, prop, cases_py):
    case = decode(CASES[key].tobytes())
    student = importlib.import_module(module)
    if compare == "raises":
        for fn, kwargs in case["calls"]:
            with pytest.raises(Exception) as info:
                getattr(student, fn)(**kwargs)
            assert type(info.value).__name__ == raises
        return
    calls = [Call(fn, kwargs) for fn, kwargs in case["calls"]]
    outputs = [getattr(student, c.fn)(**c.kwargs) for c in calls]
    expected = case["expected"]
    if expected is None:  # computed by the reference, as a hand-rolled autograder does
        expected = [getattr(reference, c.fn)(**copy.deepcopy(c.kwargs)) for c in calls]
    if compare == "property":
        assert getattr(load(cases_py), prop)(calls, outputs, expected) is None
        return
    for got, want in zip(outputs, expected):
        assert compare_values(got, want, rtol, atol, compare == "exact").ok
"""


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def write_pytest_baseline(exercises: list[ExerciseSpec], folder: Path) -> Path:
    """A pytest file with one test per hidden-mode check, its cases stored beside it."""
    entries: dict[str, np.ndarray] = {}
    tests = []
    for ex in exercises:
        for i, check in enumerate(ex.checks):
            calls = build_calls(ex, check, 0)
            key = f"{ex.module}_{i}"
            literal = [check.expect] if check.has_expect else None
            payload = {"calls": [(c.fn, c.kwargs) for c in calls], "expected": literal}
            entries[key] = np.frombuffer(encode(payload), dtype=np.uint8)
            args = (
                key, ex.module, check.compare, check.rtol, check.atol, check.raises,
                check.property, str(ex.folder / "cases.py"),
            )  # fmt: skip
            tests.append(f"def test_{key}():\n    run(*{args!r})\n")
    cases = folder / "cases.npz"
    np.savez(cases, **entries)  # type: ignore[arg-type]
    test_file = folder / "test_submission.py"
    test_file.write_text(PYTEST_HEADER.format(cases=str(cases)) + "\n\n" + "\n\n".join(tests))
    return test_file


def run_pytest(test_file: Path, module_dirs: list[Path]) -> subprocess.CompletedProcess[str]:
    env_path = ":".join(str(d) for d in module_dirs)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        cwd=test_file.parent,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    exercises = load_exercises(EXERCISES)
    n_checks = sum(len(ex.checks) for ex in exercises)
    rows: list[tuple[str, float, str]] = []

    start = time.perf_counter()
    iso = detect_isolation()
    rows.append(("isolation probe (once per process)", time.perf_counter() - start, iso.value))

    located = locate(SOLUTIONS, [ex.module for ex in exercises])
    with Worker(located.modules, Limits(), iso) as worker:
        starts = [worker.start() for _ in range(repeat)]
        x = np.ones(3)
        worker.call("dot_product", "dot", kwargs={"a": x, "b": x}, timeout=10)
        calls = timed(lambda: worker.call("dot_product", "dot", kwargs={"a": x, "b": x}), 200)
    startup = statistics.median(starts)
    rows.append(("worker start-up", startup, f"median of {repeat}"))
    rows.append(("per-call round trip (dot of 3 numbers)", statistics.median(calls), "median"))

    def grade() -> None:
        grade_submission(SOLUTIONS, exercises, "hidden", 0, isolation=iso)

    with tempfile.TemporaryDirectory() as empty_cache:
        os.environ["GRADEFORMER_CACHE"] = empty_cache
        engine._case_cache.clear()
        cold = timed(grade, 1)[0]
    del os.environ["GRADEFORMER_CACHE"]  # the CLI runs below use the user's disk cache
    result = grade_submission(SOLUTIONS, exercises, "hidden", 0, isolation=iso)
    rows.append(
        (f"grade_submission, no case cache ({n_checks} checks)", cold, f"{result.percent:.1f}%")
    )

    with tempfile.TemporaryDirectory() as tmp:
        test_file = write_pytest_baseline(exercises, Path(tmp))
        dirs = sorted({p.parent for p in located.modules.values()}) + [ROOT]
        summary = (run_pytest(test_file, dirs).stdout.strip().splitlines() or ["?"])[-1]
        measures: dict[str, list[float]] = {"warm": [], "cli": [], "check": [], "pytest": []}
        for _ in range(repeat):  # interleaved, so a busy machine slows every measure alike
            measures["warm"] += timed(grade, 1)
            measures["cli"] += timed(
                lambda: subprocess.run([*CLI, "grade", str(SOLUTIONS)], capture_output=True), 1
            )  # noqa: E501
            measures["check"] += timed(
                lambda: subprocess.run(
                    [*CLI, "check", "softmax", "--path", str(SOLUTIONS)], capture_output=True
                ),
                1,
            )  # noqa: E501
            measures["pytest"] += timed(lambda: run_pytest(test_file, dirs), 1)
    warm, cli_grade, cli_check, baseline = (statistics.median(measures[k]) for k in measures)
    rows.append(("grade_submission, warm (cases in memory)", warm, f"median of {repeat}"))
    rows.append(("per-check cost inside a warm grading", (warm - startup) / n_checks, "per check"))
    rows.append(("`gradeformer grade solutions/` (fresh process)", cli_grade, "ours"))
    rows.append(("`gradeformer check softmax` (fresh process)", cli_check, "target < 1 s"))
    rows.append(("baseline: generated pytest, fresh process", baseline, summary))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'seconds':>9}  note")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:>9.4f}  {note}")
    print()
    print(
        f"pytest baseline / gradeformer grade (both fresh processes): {baseline / cli_grade:.2f}x"
    )
    print(f"pytest baseline / grade_submission warm (in a batch): {baseline / warm:.2f}x")
    print(f"gradeformer check softmax: {cli_check:.2f} s (target < 1 s)")


if __name__ == "__main__":
    main()
