"""Share the checks of a submission's exercises among its workers, one thread per worker.

A job is either the start of an exercise (`ExerciseRun.begin`: the forbidden-call scan and
the module's first import) or one of its checks. A free thread takes the first job in the
exercises' order: the next check of an exercise already begun, else the start of the next
exercise not yet begun. `grade_located` orders exercises latest first, so every worker helps
with the costliest exercise before the short ones fill in the end. The thread that
completes an exercise's last check calls `finish` (answers and scoring).

Shown checks before hidden ones: every exercise's start and every shown check are handed
out before any hidden check, and a worker that has run a hidden check takes no shown job
after it. Student code keeps state in its worker (module globals, scratch files), so
otherwise one exercise's code could stash a hidden check's inputs and another's print them,
or put them in an error message, during a shown check, whose output the student sees.

Results do not depend on which worker ran what: each check result goes to its place in
its exercise, and a check's inputs and outputs do not depend on other checks. The one
exception is a function that hangs: with several workers it may time out once per worker
before the others skip it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.grading.exercise_run import ExerciseRun
    from grader.results import ExerciseResult

Job = tuple[int, int | None, bool]  # (exercise position, check index or None for its
#                                      start, whether the check is hidden)


class Scheduler:
    """Hands out the jobs of `runs` to the threads that call `serve`."""

    def __init__(self, runs: list[ExerciseRun]) -> None:
        self.runs = runs
        self._cond = threading.Condition()
        self._begun: set[int] = set()
        self._ready: set[int] = set()  # begun, and `begin` has returned
        self._running = [0] * len(runs)  # checks in flight per exercise
        self._finishing: set[int] = set()
        self._results: dict[int, ExerciseResult] = {}
        self._failed = False

    def serve(self, runner: Any) -> None:
        """Run jobs on `runner` until none is left (the body of one worker's thread).

        A worker that has run a hidden check takes no shown job after it (see the module
        docstring). An exception (an instructor-side error such as a broken cases.py) stops
        every thread's next take and is raised here.
        """
        seen_hidden = False
        while (job := self._take(shown=not seen_hidden)) is not None:
            position, index, hidden = job
            seen_hidden |= hidden
            run = self.runs[position]
            try:
                if index is None:
                    run.begin(runner)
                else:
                    run.run(index, runner)
                self._done(position, index)
            except BaseException:
                self.cancel()
                raise

    def cancel(self) -> None:
        """No thread takes another job (the grader is stopping)."""
        with self._cond:
            self._failed = True
            self._cond.notify_all()

    def results(self) -> list[ExerciseResult]:
        """The exercises' results in the order of `runs` (after every `serve` returned)."""
        return [self._results[i] for i in range(len(self.runs))]

    def _take(self, shown: bool) -> Job | None:
        """The next job: shown ones (exercise starts, then shown checks) first, for a thread
        that may still take them; hidden checks once no shown job is left to hand out."""
        with self._cond:
            while not self._failed and len(self._results) < len(self.runs):
                if shown:
                    for position, run in enumerate(self.runs):
                        if position not in self._begun:
                            self._begun.add(position)
                            return position, None, False
                        if (
                            position in self._ready
                            and (index := run.take(hidden=False)) is not None
                        ):
                            self._running[position] += 1
                            return position, index, False
                if not shown or self._shown_all_handed_out():
                    for position, run in enumerate(self.runs):
                        index = run.take(hidden=True) if position in self._ready else None
                        if index is not None:
                            self._running[position] += 1
                            return position, index, True
                self._cond.wait()
            return None

    def _shown_all_handed_out(self) -> bool:
        """Every exercise has begun and none has a shown check left to take."""
        return len(self._ready) == len(self.runs) and not any(
            run.has_untaken(hidden=False) for run in self.runs
        )

    def _done(self, position: int, index: int | None) -> None:
        with self._cond:
            if index is None:
                self._ready.add(position)
            else:
                self._running[position] -= 1
            run = self.runs[position]
            last = self._running[position] == 0 and run.exhausted()
            if not last or position in self._finishing:
                self._cond.notify_all()
                return
            self._finishing.add(position)
        result = run.finish()
        with self._cond:
            self._results[position] = result
            self._cond.notify_all()
