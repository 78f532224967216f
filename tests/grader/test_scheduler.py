"""The scheduler shares checks among runner threads: each check once, results in order."""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from grader.grading.scheduler import Scheduler


class FakeRun:
    """Stands in for `ExerciseRun`: records which runner ran each check, and when."""

    def __init__(
        self, name: str, checks: int, seconds: float = 0.01, fail_at: int = -1, hidden: int = 0
    ) -> None:
        self.name, self.checks, self.seconds, self.fail_at = name, checks, seconds, fail_at
        self.remaining = {  # the last `hidden` checks are hidden ones
            False: deque(range(checks - hidden)),
            True: deque(range(checks - hidden, checks)),
        }
        self.hidden_from = checks - hidden
        self.journal: list[tuple[str, str, str]] | None = None  # (runner, exercise, kind)
        self.ran: dict[int, str] = {}
        self.begun_by: str | None = None
        self.finished = 0
        self.lock = threading.Lock()

    def begin(self, runner: str) -> None:
        self.begun_by = runner
        if self.journal is not None:
            self.journal.append((runner, self.name, "begin"))

    def take(self, hidden: bool) -> int | None:
        return self.remaining[hidden].popleft() if self.remaining[hidden] else None

    def has_untaken(self, hidden: bool) -> bool:
        return bool(self.remaining[hidden])

    def exhausted(self) -> bool:
        return not any(self.remaining.values())

    def run(self, index: int, runner: str) -> None:
        assert self.begun_by is not None, "a check ran before its exercise began"
        if index == self.fail_at:
            raise RuntimeError("cases.py is broken")
        time.sleep(self.seconds)
        with self.lock:
            assert index not in self.ran
            self.ran[index] = runner
            if self.journal is not None:
                kind = "hidden" if index >= self.hidden_from else "shown"
                self.journal.append((runner, self.name, kind))

    def finish(self) -> Any:
        assert len(self.ran) == self.checks, "finished before every check ran"
        self.finished += 1
        return self.name


def serve_all(schedule: Scheduler, runners: list[str]) -> None:
    with ThreadPoolExecutor(len(runners)) as pool:
        for future in [pool.submit(schedule.serve, r) for r in runners]:
            future.result()


def test_every_check_runs_once_and_results_keep_the_exercise_order() -> None:
    runs = [FakeRun("11_training", 12), FakeRun("03_softmax", 3), FakeRun("00_empty", 0)]
    schedule = Scheduler(runs)  # type: ignore[arg-type]
    serve_all(schedule, ["A", "B", "C"])
    assert schedule.results() == ["11_training", "03_softmax", "00_empty"]
    assert all(run.finished == 1 for run in runs)
    assert sorted(runs[0].ran) == list(range(12))
    assert set(runs[0].ran.values()) == {"A", "B", "C"}  # the first exercise is shared out


def test_one_runner_runs_everything_in_order() -> None:
    runs = [FakeRun("b", 3), FakeRun("a", 2)]
    schedule = Scheduler(runs)  # type: ignore[arg-type]
    schedule.serve("only")
    assert schedule.results() == ["b", "a"]
    assert list(runs[0].ran) == [0, 1, 2] and set(runs[1].ran.values()) == {"only"}


def test_an_instructor_error_stops_every_runner_and_is_raised() -> None:
    runs = [FakeRun("broken", 40, fail_at=2), FakeRun("later", 40)]
    schedule = Scheduler(runs)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="cases.py is broken"):
        serve_all(schedule, ["A", "B"])
    assert len(runs[0].ran) + len(runs[1].ran) < 20  # the other runner stopped too


@pytest.mark.parametrize("runners", [["only"], ["A", "B"], ["A", "B", "C"]])
def test_no_worker_runs_a_shown_job_after_a_hidden_check(runners: list[str]) -> None:
    """One exercise's code could stash a hidden input in its worker for another exercise's
    code to print during a shown check: every start and shown check comes first."""
    journal: list[tuple[str, str, str]] = []
    runs = [FakeRun("04_ce", 6, hidden=3), FakeRun("03_softmax", 5, hidden=2), FakeRun("x", 2)]
    for run in runs:
        run.journal = journal
    schedule = Scheduler(runs)  # type: ignore[arg-type]
    serve_all(schedule, runners)
    assert schedule.results() == ["04_ce", "03_softmax", "x"]
    for runner in runners:
        kinds = [kind for who, _, kind in journal if who == runner]
        assert "hidden" not in kinds or set(kinds[kinds.index("hidden") :]) == {"hidden"}
    assert sum(kind == "hidden" for _, _, kind in journal) == 5
