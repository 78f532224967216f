"""Grading speed: one full correct submission (solutions/, every hidden check).

Prints a table of wall times and ratios, all measured in this run on this machine:

- worker start-up (isolation probe once, then a fresh worker per submission) and the
  round trip of a trivial call through the worker;
- the students' own compute: every call of every check made directly in this process, no
  grader at all (a floor both graders pay);
- `grade_submission` in-process (cold: computing expected values; warm: cases in memory, as
  in a grader process that grades more than one submission) with one and two workers;
- `gradeformer grade solutions/` as a fresh process (two workers on two cores, and
  `--jobs 1`), and `gradeformer check softmax` as a fresh process (target: under 1 s);
- a class of N copies of the solutions graded by one `gradeformer grade CLASS --jobs J`
  beside N fresh pytest processes run J at a time (J = the cores): seconds per submission;
- the baseline: the same checks as a generated pytest file run in a fresh `pytest` process
  per submission (the usual hand-rolled autograder: no sandbox; inputs stored, expected
  values computed by `reference` in the test, as ours are), with plugin autoloading off, as
  in an autograder image that installs pytest alone; and once more with whatever plugins
  this environment has (hypothesis's alone adds ~0.35 s to every run). Target: ours >= 3x
  faster than the plain one.

Run: ``python benchmarks/bench_grading.py [--repeat N] [--class-size N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from grader.cases import build_calls, resolve_callables
from grader.codec import encode
from grader.grading import checks, grade_submission
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


def run(key, module, compare, rtol, atol, raises, prop, oracle, cases_py):
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
    if oracle is not None:  # e.g. finite differences, computed here as the property used to
        expected = getattr(load(cases_py), oracle)(calls)
    elif expected is None:  # computed by the reference, as a hand-rolled autograder does
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
                check.property, check.oracle, str(ex.folder / "cases.py"),
            )  # fmt: skip
            tests.append(f"def test_{key}():\n    run(*{args!r})\n")
    cases = folder / "cases.npz"
    np.savez(cases, **entries)  # type: ignore[arg-type]
    test_file = folder / "test_submission.py"
    test_file.write_text(PYTEST_HEADER.format(cases=str(cases)) + "\n\n" + "\n\n".join(tests))
    return test_file


def run_pytest(
    test_file: Path, module_dirs: list[Path], plugins: bool = False
) -> subprocess.CompletedProcess[str]:
    """A fresh pytest process; `plugins`: load this environment's installed pytest plugins."""
    env = {"PYTHONPATH": ":".join(str(d) for d in module_dirs), "PATH": "/usr/bin:/bin"}
    if not plugins:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=test_file.parent,
    )


def student_compute(exercises: list[ExerciseSpec], modules: dict[str, Path]) -> float:
    """Seconds the solutions' own functions take on every check's calls, in this process."""
    sys.path[:0] = sorted({str(p.parent) for p in modules.values()})
    total = 0.0
    for ex in exercises:
        module = importlib.import_module(ex.module)
        for check in ex.checks:
            for call in checks.cached_case(ex, check, 0).calls:
                kwargs = copy.deepcopy(resolve_callables(call.kwargs))
                start = time.perf_counter()
                with contextlib.suppress(Exception):  # the raises checks
                    getattr(module, call.fn)(**kwargs)
                total += time.perf_counter() - start
    return total


FLOOR_WORKER = """\
import importlib
import sys

sys.path[:0] = {paths!r}
sys.path.append({numpy_site!r})
import numpy

from grader.codec import decode

with open({calls!r}, "rb") as f:
    calls = decode(f.read())
for i, (module, fn, kwargs) in enumerate(calls):
    if i % {parts} == {part}:
        try:
            getattr(importlib.import_module(module), fn)(**kwargs)
        except Exception:
            pass
"""


def floor(
    exercises: list[ExerciseSpec], modules: dict[str, Path], folder: Path, workers: int
) -> Callable[[], None]:
    """The least time any grader made of a parent process and `workers` worker processes
    can take here: a parent that imports numpy (it must compare) started at once beside
    `workers` processes (`python -I -S`, as ours) that import numpy and make the students'
    calls between them. No sandbox, no specs, no cases, no comparisons, no results."""
    calls = [
        (ex.module, call.fn, call.kwargs)
        for ex in exercises
        for check in ex.checks
        for call in checks.cached_case(ex, check, 0).calls
    ]
    (folder / "calls.gfc").write_bytes(encode(calls))
    paths = sorted({str(p.parent) for p in modules.values()}) + [str(ROOT)]
    numpy_site = str(Path(np.__file__).parents[1])
    scripts = []
    for part in range(workers):
        script = folder / f"floor{workers}_{part}.py"
        script.write_text(
            FLOOR_WORKER.format(
                paths=paths,
                numpy_site=numpy_site,
                calls=str(folder / "calls.gfc"),
                parts=workers,
                part=part,
            )  # fmt: skip
        )
        scripts.append([sys.executable, "-I", "-S", str(script)])

    def run() -> None:
        parent = [sys.executable, "-c", "import numpy"]
        processes = [subprocess.Popen(argv) for argv in [parent, *scripts]]
        for process in processes:
            process.wait()

    return run


def run_cli(*args: str) -> None:
    subprocess.run([*CLI, *args], capture_output=True, check=False)


def class_of(copies: int, folder: Path) -> Path:
    """A class folder holding `copies` copies of the solutions."""
    for i in range(copies):
        shutil.copytree(SOLUTIONS, folder / f"student{i:03d}")
    return folder


def pytest_class(test_file: Path, dirs: list[Path], copies: int, jobs: int) -> None:
    """`copies` fresh pytest processes, `jobs` at a time (one per submission)."""
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda _: run_pytest(test_file, dirs), range(copies)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--class-size", type=int, default=8)
    options = parser.parse_args()
    repeat, copies = options.repeat, options.class_size
    cores = len(os.sched_getaffinity(0))
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

    def grade(workers: int) -> Callable[[], object]:
        return lambda: grade_submission(SOLUTIONS, exercises, "hidden", 0, isolation=iso,
                                        workers=workers)  # fmt: skip

    with tempfile.TemporaryDirectory() as empty_cache:
        os.environ["GRADEFORMER_CACHE"] = empty_cache
        checks._case_cache.clear()
        cold = timed(grade(1), 1)[0]
    del os.environ["GRADEFORMER_CACHE"]  # the CLI runs below use the user's disk cache
    result = grade_submission(SOLUTIONS, exercises, "hidden", 0, isolation=iso)
    rows.append(
        (f"grade_submission, no case cache ({n_checks} checks)", cold, f"{result.percent:.1f}%")
    )
    compute = student_compute(exercises, located.modules)
    rows.append(("the students' own compute (no grader)", compute, "both graders pay it"))

    with tempfile.TemporaryDirectory() as tmp:
        test_file = write_pytest_baseline(exercises, Path(tmp))
        dirs = sorted({p.parent for p in located.modules.values()}) + [ROOT]
        summary = (run_pytest(test_file, dirs).stdout.strip().splitlines() or ["?"])[-1]
        klass = class_of(copies, Path(tmp) / "class")
        two_worker_floor = floor(exercises, located.modules, Path(tmp), 2)
        one_worker_floor = floor(exercises, located.modules, Path(tmp), 1)
        jobs = str(cores)
        measures: dict[str, list[float]] = {
            "warm1": [], "warm2": [], "cli": [], "cli1": [], "check": [], "pytest": [],
            "pytest plugins": [], "class": [], "pytest class": [], "floor": [], "floor1": [],
        }  # fmt: skip
        for i in range(repeat):  # interleaved, so a busy machine slows every measure alike
            measures["warm1"] += timed(grade(1), 1)
            measures["warm2"] += timed(grade(2), 1)
            measures["cli"] += timed(lambda: run_cli("grade", str(SOLUTIONS)), 1)
            measures["cli1"] += timed(lambda: run_cli("grade", str(SOLUTIONS), "--jobs", "1"), 1)
            measures["check"] += timed(
                lambda: run_cli("check", "softmax", "--path", str(SOLUTIONS)), 1
            )
            measures["pytest"] += timed(lambda: run_pytest(test_file, dirs), 1)
            measures["floor"] += timed(two_worker_floor, 1)
            measures["floor1"] += timed(one_worker_floor, 1)
            measures["pytest plugins"] += timed(lambda: run_pytest(test_file, dirs, True), 1)
            if i < 2:  # the class runs are long: two of each
                out = str(Path(tmp) / f"results{i}")
                measures["class"] += timed(
                    lambda out=out: run_cli("grade", str(klass), "--out", out, "--jobs", jobs), 1
                )
                measures["pytest class"] += timed(
                    lambda: pytest_class(test_file, dirs, copies, cores), 1
                )
    m = {k: statistics.median(v) for k, v in measures.items()}
    rows.append(("grade_submission, warm, 1 worker", m["warm1"], f"median of {repeat}"))
    rows.append(("grade_submission, warm, 2 workers", m["warm2"], f"median of {repeat}"))
    rows.append(
        ("per-check cost inside a warm grading (1 worker)", (m["warm1"] - startup) / n_checks, "")
    )
    rows.append(("`gradeformer grade solutions/` (fresh process)", m["cli"], f"{cores} cores"))
    rows.append(("`gradeformer grade solutions/ --jobs 1`", m["cli1"], "one worker"))
    rows.append(("floor: a parent importing numpy + 2 making the calls", m["floor"], "no grader"))
    rows.append(("floor: a parent importing numpy + 1 making the calls", m["floor1"], "no grader"))
    rows.append(("`gradeformer check softmax` (fresh process)", m["check"], "target < 1 s"))
    rows.append(("baseline: generated pytest, fresh process", m["pytest"], summary))
    rows.append(("the same, with this environment's pytest plugins", m["pytest plugins"], ""))
    per_ours, per_pytest = m["class"] / copies, m["pytest class"] / copies
    rows.append((f"class of {copies}, --jobs {cores}: per submission", per_ours, "ours"))
    rows.append((f"{copies} pytest processes, {cores} at a time: per submission", per_pytest, ""))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'seconds':>9}  note")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:>9.4f}  {note}")
    print()
    baseline = m["pytest"]
    print(f"pytest baseline / gradeformer grade (both fresh processes): {baseline / m['cli']:.2f}x")
    with_plugins = m["pytest plugins"] / m["cli"]
    print(f"the same, pytest with this environment's plugins: {with_plugins:.2f}x")
    print(f"pytest baseline / grade_submission warm, 2 workers: {baseline / m['warm2']:.2f}x")
    print(f"pytest baseline / grade_submission warm, 1 worker: {baseline / m['warm1']:.2f}x")
    print(f"class throughput, pytest / ours (same cores): {per_pytest / per_ours:.2f}x")
    without = (baseline - compute) / (m["cli"] - compute)
    print(f"fresh processes, the students' compute taken out of both: {without:.2f}x")
    print(f"gradeformer check softmax: {m['check']:.2f} s (target < 1 s)")
    print(
        f"3x the plain pytest baseline needs {baseline / 3:.2f} s; the floor of a parent and "
        f"two (one) worker processes, with no grading at all, is {m['floor']:.2f} s "
        f"({m['floor1']:.2f} s) here"
    )


if __name__ == "__main__":
    main()
