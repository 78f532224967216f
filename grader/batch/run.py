"""`grade_class`: every student of a class graded into result files, in parallel, resumably."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.batch.class_folder import find_submissions
from grader.batch.errors import BatchError
from grader.batch.result_files import RESULT_SUFFIX, prepare_out_dir, read_result, write_result
from grader.batch.summary import BatchSummary, summarise
from grader.executors import (
    ExecutorError,
    GradeFn,
    GradeTask,
    ResultDict,
    Results,
    run_dask,
    run_local,
)
from grader.sandbox.isolation import (
    Isolation,
    IsolationUnavailable,
    require,
    share_probes,
)
from grader.spec import ExerciseSpec, select
from grader.submission import fingerprint

STRENGTH = {"bwrap": 3, "unshare": 2, "rlimits": 1}  # a stored result's `isolation` → rank


def grade_class(
    submissions_dir: Path,
    out_dir: Path,
    exercises: list[ExerciseSpec],
    mode: str = "hidden",
    seed: int = 0,
    jobs: int | None = None,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    isolation: Any = None,
    progress: bool = True,
    only: Sequence[str] | None = None,
    grade_fn: GradeFn | None = None,
    submission_timeout: float | None = 3600.0,
) -> BatchSummary:
    """Grade every submission of a class into ``out_dir/<student>.json``.

    `jobs` submissions run at once (default: every core); `executor="dask"` sends them to
    the Dask scheduler at `scheduler` instead. `only` limits the exercises (folder names,
    modules or numbers). `grade_fn` replaces `grader.grading.grade_submission` (tests).
    A local grading process still running after `submission_timeout` seconds is killed and
    that student gets an error result. With `progress`, a header line ("isolation: bwrap ·
    2 workers · term seed 0") and a progress bar are drawn on stderr.
    Raises `BatchError` for instructor-side problems and `SpecError` for a bad exercise spec.
    """
    start = time.perf_counter()
    if executor not in ("local", "dask"):
        raise BatchError(f"unknown executor {executor!r}: use local or dask")
    if executor == "dask" and not scheduler:
        raise BatchError("the dask executor needs a scheduler address (--scheduler HOST:PORT)")
    if not submissions_dir.is_dir():
        raise BatchError(f"no class folder at {submissions_dir}")
    chosen = select(list(exercises), list(only)) if only else list(exercises)
    submissions, ignored = find_submissions(submissions_dir, exclude=out_dir)
    if not submissions:
        raise BatchError(f"no student folders, .zip or .ipynb files in {submissions_dir}")
    prepare_out_dir(out_dir)
    local = executor == "local"
    level = _run_level(isolation, probe=local and grade_fn is None)
    workers = jobs or os.cpu_count() or 1
    if progress:
        where = f"{workers} workers" if local else f"Dask scheduler {scheduler}"
        print(run_header(level, where, seed), file=sys.stderr, flush=True)

    results: dict[str, ResultDict] = {}
    todo: list[GradeTask] = []
    prints: dict[str, str] = {}  # student -> fingerprint of the submission as it is now
    for sub in submissions:
        prints[sub.student] = _fingerprint(sub.path)
        done = None if force else read_result(out_dir / f"{sub.student}{RESULT_SUFFIX}")
        if done is not None and _reusable(done, mode, seed, chosen, level, prints[sub.student]):
            results[sub.student] = done
            continue
        todo.append(
            GradeTask(
                sub.student, sub.path.resolve(), exercises, mode, seed, isolation, only, grade_fn
            )
        )
    skipped = len(results)

    stream: Results
    if local:
        stream = run_local(todo, workers, submission_timeout)
    else:
        assert scheduler is not None
        stream = run_dask(todo, scheduler)
    with contextlib.closing(stream):  # on an error, running graders are stopped
        try:
            for task, result in _with_progress(stream, len(todo), progress):
                result["submission_sha256"] = prints[task.student]
                write_result(out_dir / f"{task.student}{RESULT_SUFFIX}", result)
                results[task.student] = result
        except ExecutorError as exc:
            raise BatchError(str(exc)) from exc

    return summarise(results, skipped, ignored, time.perf_counter() - start)


def _run_level(isolation: Any, probe: bool) -> Isolation | None:
    """The isolation level this run grades at, or None when unknown.

    With `probe` (local grading processes), `require(isolation)` detects it here, once, and
    the answer is handed to the grading processes (each would otherwise start a probe worker
    of its own: ~0.3 s per student). Without (a Dask cluster, whose machines may differ; a
    stand-in grader), it is the level asked for. When the level asked for does not work
    here, it is still the level of this run: each student's result says why it failed.
    """
    asked = Isolation(isolation) if isolation is not None else None
    if not probe:
        return asked
    level = asked
    with contextlib.suppress(IsolationUnavailable):
        level = require(isolation)
    share_probes()
    return level


def run_header(level: Isolation | None, where: str, seed: int) -> str:
    """The line that opens a class run: "isolation: bwrap · 2 workers · term seed 0"."""
    iso = level.value if level is not None else "the strongest available"
    return f"isolation: {iso} · {where} · term seed {seed}"


def _fingerprint(path: Path) -> str:
    """`grader.submission.fingerprint`, or "" when the submission cannot be read."""
    try:
        return fingerprint(path)
    except OSError:
        return ""


def _reusable(
    done: ResultDict,
    mode: str,
    seed: int,
    exercises: Sequence[ExerciseSpec],
    level: Isolation | None,
    submission_sha256: str,
) -> bool:
    """True when a stored result stands for what this run would give: the same submission
    (fingerprint), no submission-level `error` (its cause may be gone), the same mode, term
    seed and exercises, and isolation at least as strong as `level` (bwrap > unshare >
    rlimits; anything passes when `level` is unknown). An error result lists no exercises:
    its points must match."""
    if not submission_sha256 or done.get("submission_sha256") != submission_sha256:
        return False
    if done.get("error") or done.get("mode") != mode or done.get("seed") != seed:
        return False
    stored = STRENGTH.get(str(done.get("isolation")), 0)
    if level is not None and stored < STRENGTH[level.value]:
        return False
    if done.get("exercises"):
        return [ex.get("exercise") for ex in done["exercises"]] == [ex.name for ex in exercises]
    return bool(done.get("max_score") == sum(ex.points for ex in exercises))


def _with_progress(stream: Results, total: int, show: bool) -> Results:
    """Pass `stream` through, drawing a rich progress bar on stderr when `show`."""
    if not show:
        yield from stream
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("Grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("· {task.fields[failures]} errors ·"),
        TimeElapsedColumn(),
        TextColumn("<"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task_id = bar.add_task("grading", total=total, failures=0)
        failures = 0
        for task, result in stream:
            failures += bool(result.get("error"))
            bar.update(task_id, advance=1, failures=failures)
            yield task, result
