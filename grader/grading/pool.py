"""A located submission graded on a pool of sandboxed workers: `grade_located` (and one
exercise on one runner: `grade_exercise`).

The workers boot while this process computes the cases; then one thread per worker serves
the `grader.grading.scheduler`, which shares out the exercises' checks; the results come
back in curriculum order with "blocked by" notes, and exercises whose module is missing get
a "not found" line that says why.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from grader.grading.checks import cached_case
from grader.grading.exercise_run import ExerciseRun, Mode, mark_blocked, not_graded
from grader.grading.runner import Runner
from grader.grading.scheduler import Scheduler
from grader.results import ExerciseResult
from grader.spec import ExerciseSpec
from grader.submission import Located


def grade_exercise(
    exercise: ExerciseSpec,
    runner: Runner,
    module_path: Path | None,
    answers_path: Path | None,
    mode: Mode,
    seed: int,
) -> ExerciseResult:
    """Grade one exercise whose module is served by `runner` (module_path None: in-process)."""
    schedule = Scheduler([ExerciseRun(exercise, module_path, answers_path, mode, seed)])
    schedule.serve(runner)
    return schedule.results()[0]


def grade_located(
    located: Located,
    chosen: list[ExerciseSpec],
    mode: Mode,
    seed: int,
    isolation: Any,
    limits: Any = None,
    workers: int | Sequence[Any] = 1,
) -> list[ExerciseResult]:
    """Grade the `chosen` exercises of a located submission in sandboxed workers (each
    serves all of the submission's modules) and return results in order.

    `workers` is how many to start, or `Worker`s launched in advance with no modules
    (`Worker.start_in_background`, as the CLI does before it has loaded anything), which
    are given the modules here and stay the caller's to close (the ones started here are
    closed here). The workers boot while
    the main thread computes the cases' expected values; then one thread per worker shares
    out the exercises' checks, latest exercise first (`grader.grading.scheduler`). "Blocked by"
    notes are added afterwards, in curriculum order.
    """
    from grader.sandbox import Limits, Worker

    present = [ex for ex in chosen if ex.module in located.modules.keys() - located.borrowed]
    present.sort(key=lambda ex: ex.number, reverse=True)
    wanted = workers if isinstance(workers, int) else len(workers)
    count = max(1, min(wanted, sum(len(ex.checks) for ex in present))) if present else 0
    pool = [] if isinstance(workers, int) else list(workers)[:count]
    for worker in pool:
        worker.provide(located.modules)
    limits = limits or Limits()
    made = [Worker(located.modules, limits, isolation) for _ in range(count - len(pool))]
    for worker in made:
        worker.start_in_background()
    pool += made
    elsewhere = _graded_elsewhere(present, located)
    schedule = Scheduler(
        [
            ExerciseRun(
                ex,
                located.modules[ex.module],
                located.answers.get(ex.module),
                mode,
                seed,
                elsewhere.get(ex.module, frozenset()),
            )
            for ex in present
        ]
    )
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(max_workers=max(1, count)) as threads:
        for worker in made:
            stack.enter_context(worker)
        serving = [threads.submit(schedule.serve, worker) for worker in pool]
        try:
            _prepare_cases(present, mode, seed)  # meanwhile: the workers boot, then grade
            for served in serving:
                served.result()
        except BaseException:  # Ctrl-C, or an instructor error in one thread: stop them all
            schedule.cancel()
            for worker in pool:
                worker.kill()
            raise
    graded = {res.exercise: res for res in schedule.results()}
    results = []
    broken: dict[str, ExerciseSpec] = {}
    for ex in chosen:
        res = graded.get(ex.name) or not_graded(ex, "not_submitted", _not_found(ex, located))
        if res.status == "graded":
            mark_blocked(ex, res.checks, broken)
        if res.status != "graded" or any(not c.passed for c in res.checks):
            broken[ex.module] = ex
        results.append(res)
    return results


def _graded_elsewhere(present: list[ExerciseSpec], located: Located) -> dict[str, frozenset[str]]:
    """For each exercise with a forbidden-call scan, the contract functions of the other
    exercises whose module is the very same code (a notebook is written out as the module of
    every exercise it defines): the scan leaves those to their own exercise."""
    scanned = [ex for ex in present if ex.forbidden is not None]
    if not scanned:
        return {}
    code = {}
    for ex in present:
        try:
            code[ex.module] = located.modules[ex.module].read_bytes()
        except OSError:
            code[ex.module] = b""
    return {
        ex.module: frozenset(
            fn
            for other in present
            if other is not ex and code[ex.module] and code[other.module] == code[ex.module]
            for fn in other.functions
        )
        for ex in scanned
    }


def _not_found(exercise: ExerciseSpec, located: Located) -> str:
    missing = f"{exercise.module}.py not found in the submission"
    if exercise.module in located.borrowed:
        sibling = located.modules[exercise.module].parent.name
        missing += f" (the one in ../{sibling} is only imported by later exercises)"
    elif exercise.module in located.links_out:
        link = located.links_out[exercise.module].relative_to(located.root)
        missing += (
            f" ({link} is a link leading outside it or nowhere, and is not read: "
            "put the file itself there)"
        )
    return missing


def _prepare_cases(exercises: list[ExerciseSpec], mode: Mode, seed: int) -> None:
    """Fill the case cache; a failure is left for `run_check` to raise or report."""
    for ex in exercises:
        for check in ex.checks:
            if mode == "hidden" or check.visibility != "hidden":
                with contextlib.suppress(Exception):
                    cached_case(ex, check, seed)
