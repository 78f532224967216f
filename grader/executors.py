"""Where class-grading tasks run: fresh local processes, or a Dask distributed cluster.

A `GradeTask` grades one student's submission; `run_task` is the one function both executors
run, so a local run and a Dask run give the same results. It never raises for a bad
submission: a grading exception becomes a result with `error` set. Only instructor-side
problems (`SpecError`, bad exercise specs) travel back as exceptions and stop the batch.

Local: each task runs in its own process forked from a clean forkserver (imports already
loaded, so a fork costs milliseconds). One process per submission means a process that dies
(killed by the OOM killer, or by student code that reaches its parent) is attributed to that
submission alone and recorded as an error result; the rest of the batch goes on.

Dask: the same tasks go to `distributed.Client(scheduler)`; a task whose worker dies past
Dask's retry limit (`KilledWorker`) becomes an error result in the same way.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.connection
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.results import SubmissionResult
from grader.spec import SpecError

GradeFn = Callable[..., SubmissionResult]
ResultDict = dict[str, Any]
Outcome = tuple[str, Any]  # ("ok", result dict) or ("spec", SpecError's arguments)
Results = Generator[tuple["GradeTask", ResultDict], None, None]


@dataclass(frozen=True)
class GradeTask:
    """Everything needed to grade one submission; picklable, so it can cross processes."""

    student: str
    path: Path
    exercises: Sequence[Any]  # list[ExerciseSpec]
    mode: str = "hidden"
    seed: int = 0
    isolation: Any = None  # None or a grader.sandbox.Isolation
    only: Sequence[str] | None = None
    grade_fn: GradeFn | None = None  # None: grader.grading.grade_submission


def run_task(task: GradeTask) -> ResultDict:
    """Grade one submission and return `SubmissionResult.to_dict()`.

    Any exception but `SpecError` becomes an error result naming the exception.
    """
    grade_fn = task.grade_fn or _default_grade_fn()
    try:
        result = grade_fn(
            task.path,
            list(task.exercises),
            mode=task.mode,
            seed=task.seed,
            student=task.student,
            isolation=task.isolation,
            only=list(task.only) if task.only is not None else None,
        )
    except SpecError:
        raise
    except Exception as exc:  # noqa: BLE001 - a crash on one submission must not stop the batch
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" (at {Path(last[0].filename).name}:{last[0].lineno})" if last else ""
        return error_result(task, f"the grader crashed on this submission: {exc!r}{where}")
    return result.to_dict()


def error_result(task: GradeTask, message: str) -> ResultDict:
    """A result that records a submission-level failure: nothing graded, zero points."""
    result = SubmissionResult(
        submission=str(task.path),
        student=task.student,
        mode="public" if task.mode == "public" else "hidden",
        seed=task.seed,
        isolation="n/a",
        score=0.0,
        max_score=_max_score(task.exercises, task.only),
        error=message,
    )
    return result.to_dict()


def _max_score(exercises: Sequence[Any], only: Sequence[str] | None) -> float:
    """The points of the exercises a task grades (`only` names folders or modules)."""
    return float(
        sum(ex.points for ex in exercises if only is None or any(ex.matches(n) for n in only))
    )


def run_portable(task: GradeTask) -> Outcome:
    """`run_task`, with a `SpecError` returned as its constructor arguments instead of raised
    (it does not pickle), so the outcome can cross a process or network boundary."""
    try:
        return ("ok", run_task(task))
    except SpecError as exc:
        return ("spec", (exc.path, exc.key_path, exc.expected, exc.got))


def _unwrap(outcome: Outcome) -> ResultDict:
    kind, payload = outcome
    if kind == "spec":
        raise SpecError(*payload)
    return dict(payload)


class ExecutorError(Exception):
    """The executor itself cannot run (Dask missing, scheduler unreachable)."""


def _default_grade_fn() -> GradeFn:
    from grader.grading import grade_submission

    return grade_submission


# ----------------------------------------------------------------------------- local


def run_local(
    tasks: Iterable[GradeTask], jobs: int, submission_timeout: float | None = None
) -> Results:
    """Run each task in a fresh forkserver process, at most `jobs` at once, yielding results
    in completion order. A process still grading after `submission_timeout` seconds is
    killed and its submission gets an error result (a safety net: grading's own per-check
    timeouts normally end far sooner). Closing the generator early kills the processes still
    running."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["grader.executors", "grader.grading"])
    queue = deque(tasks)
    running: dict[Any, tuple[Any, GradeTask, float]] = {}  # receiver -> (process, task, end)
    try:
        while queue or running:
            while queue and len(running) < jobs:
                task = queue.popleft()
                receiver, sender = ctx.Pipe(duplex=False)
                process = ctx.Process(target=_child, args=(task, sender), name=task.student)
                process.start()
                sender.close()
                end = time.monotonic() + (submission_timeout or math.inf)
                running[receiver] = (process, task, end)
            first_end = min(end for _, _, end in running.values())
            wait = None if first_end == math.inf else max(0.0, first_end - time.monotonic())
            for ready in multiprocessing.connection.wait(list(running), timeout=wait):
                child, done, _ = running.pop(ready)
                yield done, _collect(ready, child, done)
            for receiver, (child, overdue, end) in list(running.items()):
                if time.monotonic() >= end:
                    del running[receiver]
                    child.kill()
                    child.join()
                    receiver.close()
                    message = f"grading took longer than {submission_timeout:g} s and was stopped"
                    yield overdue, error_result(overdue, message)
    finally:
        for process, _, _ in running.values():
            process.kill()
            process.join()


def _child(task: GradeTask, sender: multiprocessing.connection.Connection) -> None:
    """Process body: grade, send the outcome."""
    try:
        sender.send(run_portable(task))
    finally:
        sender.close()


def _collect(
    receiver: Any, process: multiprocessing.process.BaseProcess, task: GradeTask
) -> ResultDict:
    try:
        outcome = receiver.recv()
    except EOFError:
        process.join()
        return error_result(
            task, f"the grading process died before returning a result ({_exit(process)})"
        )
    finally:
        receiver.close()
    process.join()
    return _unwrap(outcome)


def _exit(process: multiprocessing.process.BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


# ----------------------------------------------------------------------------- dask


def run_dask(tasks: Iterable[GradeTask], scheduler: str) -> Results:
    """Send each task to the Dask cluster at `scheduler`, yielding results as they finish."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise ExecutorError(
            "the dask executor needs dask.distributed: pip install 'gradeformer[dask]'"
        ) from exc
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        futures = {
            client.submit(run_portable, task, key=f"grade-{i}", pure=False): task
            for i, task in enumerate(tasks)
        }
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - KilledWorker and other cluster failures
                    message = f"the Dask worker failed while grading this submission: {exc!r}"
                    yield task, error_result(task, message)
                else:
                    yield task, _unwrap(outcome)
        finally:
            client.cancel(list(futures))
