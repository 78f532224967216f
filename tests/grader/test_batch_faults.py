"""A real `gradeformer grade` on a small class: killed with SIGKILL at random points and
resumed, rerun with different --jobs and on a Dask cluster; the results never change
(issue 8, items 5-6; issue 7, item 2).

The class is seven students on exercise 03 (softmax): a solution, the same as a zip, the
stub, a misconception, an empty folder, a syntax error and a corrupt zip, with names that
have spaces and accents.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.demo import DemoStudent, write_class
from grader.results import SubmissionResult
from grader.spec import load_exercises
from grader.spec.finding import SOURCE_EXERCISES

SOLUTIONS = SOURCE_EXERCISES.parent / "solutions"
EXERCISE = "03_softmax"
GRADE = [sys.executable, "-c", "from grader.cli import main; main()", "grade"]


def roster() -> list[DemoStudent]:
    return [
        DemoStudent("Ada Chen", {EXERCISE: "solution"}),
        DemoStudent("ben", {EXERCISE: "solution"}, zipped=True),
        DemoStudent("Chloé stub", {EXERCISE: "stub"}),
        DemoStudent("dmitri", {EXERCISE: "misconception: no max subtraction"}),
        DemoStudent("eve", {EXERCISE: "missing"}),
        DemoStudent("Zoë van Dijk", {EXERCISE: "syntax error"}),
    ]


def grade_command(klass: Path, out: Path, *extra: str) -> list[str]:
    return [*GRADE, str(klass), "--out", str(out), "--exercise", EXERCISE, "--seed", "7", *extra]


def canonical(out: Path) -> dict[str, str]:
    """Each result file as JSON text without timing fields, by file name."""
    texts = {}
    for path in sorted(out.glob("*.json")):
        result = SubmissionResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
        texts[path.name] = json.dumps(result.to_dict(timings=False), ensure_ascii=False)
    return texts


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("class")
    exercises = [ex for ex in load_exercises(SOURCE_EXERCISES) if ex.name == EXERCISE]
    write_class(root, exercises, SOLUTIONS, roster())
    (root / "mallory.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    return root


@pytest.fixture(scope="module")
def uninterrupted(klass: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("results")
    subprocess.run(grade_command(klass, out, "--jobs", "2"), check=True, capture_output=True)
    return canonical(out)


def test_the_class_grades_as_built(uninterrupted: dict[str, str]) -> None:
    assert sorted(uninterrupted) == [
        "Ada Chen.json", "Chloé stub.json", "Zoë van Dijk.json", "ben.json", "dmitri.json",
        "eve.json", "mallory.json",
    ]  # fmt: skip
    percent = {k: json.loads(v)["percent"] for k, v in uninterrupted.items()}
    assert (
        "zip" in json.loads(uninterrupted["mallory.json"])["error"] and percent["mallory.json"] == 0
    )
    assert percent["Ada Chen.json"] == percent["ben.json"] == 100.0
    assert percent["Chloé stub.json"] == percent["eve.json"] == percent["Zoë van Dijk.json"] == 0
    assert 0 < percent["dmitri.json"] < 100


def test_sigkill_at_random_points_then_resume_gives_the_same_results(
    klass: Path, uninterrupted: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "results"
    rng = random.Random(2026)
    done = []
    for _ in range(3):
        grader = subprocess.Popen(
            grade_command(klass, out, "--jobs", "2"),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        before = len(list(out.glob("*.json")))
        while len(list(out.glob("*.json"))) == before and grader.poll() is None:
            time.sleep(0.01)  # wait for this run to write a result, then kill it soon after
        time.sleep(rng.uniform(0.0, 0.4))
        os.killpg(grader.pid, signal.SIGKILL)
        grader.wait()
        done.append(len(canonical(out)))  # every result file parses: none is half-written
    assert done[0] < len(uninterrupted), f"the first run finished before its kill: {done}"
    subprocess.run(grade_command(klass, out, "--jobs", "2"), check=True, capture_output=True)
    assert canonical(out) == uninterrupted
    assert list(out.glob("*.tmp")) == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_same_seed_same_bytes_whatever_the_jobs(
    klass: Path, uninterrupted: dict[str, str], tmp_path: Path, jobs: str
) -> None:
    out = tmp_path / "results"
    subprocess.run(grade_command(klass, out, "--jobs", jobs), check=True, capture_output=True)
    assert canonical(out) == uninterrupted


def test_dask_executor_gives_the_same_bytes_as_a_local_run(
    klass: Path, uninterrupted: dict[str, str], tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed")
    out = tmp_path / "results"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        dask = ["--executor", "dask", "--scheduler", cluster.scheduler_address]
        subprocess.run(grade_command(klass, out, *dask), check=True, capture_output=True)
    assert canonical(out) == uninterrupted


def test_a_bwrap_run_regrades_what_an_unshare_run_graded(klass: Path, tmp_path: Path) -> None:
    from grader.sandbox.isolation import Isolation, probe

    for level in (Isolation.BWRAP, Isolation.UNSHARE):
        if probe(level) is not None:
            pytest.skip(f"{level.value} does not work here: {probe(level)}")
    out = tmp_path / "results"

    def isolations() -> dict[str, str]:
        results = (json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json"))
        return {r["student"]: r["isolation"] for r in results if not r["error"]}

    subprocess.run(grade_command(klass, out, "--isolation", "unshare"), check=True)
    assert set(isolations().values()) == {"unshare"}
    done = subprocess.run(grade_command(klass, out, "--isolation", "bwrap"), check=True,
                          capture_output=True, text=True)  # fmt: skip
    assert done.stderr.startswith("isolation: bwrap · ")
    assert done.stdout.startswith("7 students graded · ")  # none "already done, skipped"
    assert set(isolations().values()) == {"bwrap"} and len(isolations()) == 6


def _without_isolation(texts: dict[str, str]) -> dict[str, str]:
    stripped = {}
    for name, text in texts.items():
        result = json.loads(text)
        result.pop("isolation")
        stripped[name] = json.dumps(result, ensure_ascii=False)
    return stripped


@pytest.mark.parametrize("level", ["bwrap", "unshare", "rlimits"])
def test_every_level_gives_the_same_results_apart_from_isolation(
    klass: Path, uninterrupted: dict[str, str], tmp_path: Path, level: str
) -> None:
    from grader.sandbox.isolation import Isolation, probe

    reason = probe(Isolation(level))
    if reason is not None:
        pytest.skip(f"{level} is not available on this machine: {reason}")
    out = tmp_path / "results"
    subprocess.run(grade_command(klass, out, "--isolation", level), check=True, capture_output=True)
    graded = canonical(out)
    assert {json.loads(t)["isolation"] for t in graded.values() if not json.loads(t)["error"]} == {
        level
    }
    assert _without_isolation(graded) == _without_isolation(uninterrupted)
