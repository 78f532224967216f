"""Class grading throughput: the demo class graded with --jobs 1, then --jobs 2.

    python benchmarks/bench_batch.py                     # the 30-student demo and 200 students
    python benchmarks/bench_batch.py --students 30       # one class size only

Each class is built with `grader.demo` (seed 0: solutions, stubs, misconceptions, missing
exercises, one syntax error, one infinite loop that costs a few check timeouts, two zips) and
graded from scratch into a fresh results folder with `grade_class`, every exercise, hidden
checks. The jobs-1 run is the baseline: the table shows submissions per second and the
speed-up of each run over it, and checks that both runs wrote the same results (timings
aside). Wall-clock time: run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from grader.threads import use_one_blas_thread

use_one_blas_thread()  # as `gradeformer` does, before numpy loads here or in a forkserver

from grader.batch import grade_class  # noqa: E402
from grader.demo import make_demo_class  # noqa: E402
from grader.results import SubmissionResult  # noqa: E402
from grader.spec import load_exercises  # noqa: E402
from grader.spec.finding import SOURCE_EXERCISES  # noqa: E402

SOLUTIONS = SOURCE_EXERCISES.parent / "solutions"


def results_without_timings(out: Path) -> dict[str, str]:
    return {
        p.name: json.dumps(SubmissionResult.from_dict(json.loads(p.read_text())).to_dict(False))
        for p in sorted(out.glob("*.json"))
    }


def bench_class(students: int, jobs_list: list[int], work: Path) -> list[tuple[str, ...]]:
    exercises = load_exercises(SOURCE_EXERCISES)
    klass = work / f"class{students}"
    make_demo_class(klass, exercises, SOLUTIONS, students=students, seed=0)
    rows, baseline, first = [], None, None
    for jobs in jobs_list:
        out = work / f"results{students}-jobs{jobs}"
        start = time.perf_counter()
        summary = grade_class(klass, out, exercises, jobs=jobs, progress=False)
        seconds = time.perf_counter() - start
        assert summary.graded == students, summary
        results = results_without_timings(out)
        first = first or results
        same = "yes" if results == first else "NO"
        baseline = baseline or seconds
        rows.append(
            (f"{students}", f"{jobs}", f"{seconds:.1f}", f"{students / seconds:.2f}",
             f"{baseline / seconds:.2f}x", same, f"{summary.mean_percent:.1f}%")
        )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, action="append", help="class size (repeatable)")
    parser.add_argument("--jobs", type=int, action="append", help="jobs to try (repeatable)")
    args = parser.parse_args()
    header = ("students", "jobs", "seconds", "subs/s", "speed-up", "same results", "mean")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        for students in args.students or [30, 200]:
            rows += bench_class(students, args.jobs or [1, 2], Path(tmp))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
