"""`gradeformer grade PATH`: grade one submission or a whole class (instructor, CI)."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from grader import writers

if TYPE_CHECKING:  # the heavy modules (numpy, grading) load only once a command runs
    from grader.results import SubmissionResult
    from grader.spec import ExerciseSpec

EXERCISE_FOLDER = re.compile(r"\d+_")  # 03_softmax
EXIT_HELP = (
    "Exit codes: 0 graded; 1 graded but below --fail-under; 2 usage or input error "
    "(missing or unreadable submission, malformed exercise spec)."
)


class FormatChoice(click.Choice[str]):
    """`--format`'s choices: the writers' registry (`grader.writers.WRITERS`), read each time
    they are checked or shown, so a format registered there is an option everywhere."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return writers.formats()

    @choices.setter
    def choices(self, value: object) -> None:
        """`click.Choice.__init__` stores a copy; ours stays the registry."""


class InputError(click.ClickException):
    """A bad input (missing submission, malformed spec): one line, exit code 2."""

    exit_code = 2


def exercises_or_fail(exercises_dir: Path | None, names: Sequence[str] = ()) -> list[ExerciseSpec]:
    """Every exercise of `find_exercises_root(exercises_dir)`; the `names` must exist.

    Failures (no exercises, a malformed spec, an unknown name) become one-line CLI errors.
    """
    from grader.spec import SpecError, find_exercises_root, load_exercises, select

    try:
        exercises = load_exercises(find_exercises_root(exercises_dir))
        select(exercises, list(names))
    except (SpecError, FileNotFoundError, LookupError) as exc:
        raise InputError(str(exc)) from None
    return exercises


@contextmanager
def instructor_errors() -> Iterator[None]:
    """Turn a broken exercise (spec, cases.py, reference) into a one-line CLI error."""
    from grader.cases import CaseError
    from grader.spec import SpecError

    try:
        yield
    except (SpecError, CaseError) as exc:
        raise InputError(str(exc)) from None


def isolation_or_fail(level: str | None) -> object:
    """The `Isolation` for `--isolation`, or a CLI error; None stays None (the worker takes
    the strongest level that starts, and its first start is the probe)."""
    from grader.sandbox import IsolationUnavailable
    from grader.sandbox.isolation import require

    if level is None:
        return None
    try:
        return require(level)
    except IsolationUnavailable as exc:
        raise InputError(f"cannot isolate student code: {exc}") from None


def warn_if_uncontained(level: str) -> None:
    """Say, on stderr, when student code was not contained (see `uncontained_warning`)."""
    from grader.sandbox.isolation import uncontained_warning

    warning = uncontained_warning(level)
    if warning:
        click.echo(warning, err=True)


def also_private(paths: list[Path]) -> None:
    """The exercises, the results and the submissions stay private to the worker where
    only file modes can hide them (root, no namespaces, no Landlock: see protect.py)."""
    from grader.sandbox import protect

    protect.also_private(p.resolve() for p in paths)


def submission_workers(jobs: int | None) -> int:
    """Workers for one submission: `jobs`, else two when two cores are free to us."""
    if jobs:
        return jobs
    usable = getattr(os, "sched_getaffinity", None)  # Linux; elsewhere every core counts
    cores = len(usable(0)) if usable else os.cpu_count() or 1
    return min(2, cores)


def launch_workers(count: int, level: object) -> list[Any]:
    """`count` sandboxed workers launched at once, before the grader loads anything else:
    they boot (import numpy) while it loads the exercises and the cases, and get the
    submission's modules once it is located (`grade_submission(workers=...)`); the caller
    closes them."""
    from grader.sandbox import Worker

    workers = [Worker(isolation=level) for _ in range(count)]  # type: ignore[arg-type]
    for worker in workers:
        worker.start_in_background()
    return workers


def looks_like_class(path: Path) -> bool:
    """A guess made before the exercises load, so that no workers are launched in advance for
    a class (each student gets workers of their own): a folder with no module of its own and
    students (`_has_students`) that are not all exercise folders (`03_softmax/`).
    A wrong guess costs only speed; `is_single` decides."""
    if not path.is_dir():
        return False
    children = [c for c in path.iterdir() if not c.name.startswith((".", "__"))]
    if any(c.suffix == ".py" for c in children):
        return False
    others = [c for c in children if not (c.is_dir() and EXERCISE_FOLDER.match(c.name))]
    return _has_students(others)


def is_single(path: Path, exercises: list[ExerciseSpec]) -> bool:
    """True when `path` is one submission (docs/instructors.md, "Grading a class").

    A file; a folder holding an exercise module (`softmax.py`) or an exercise folder
    (`03_softmax/`, or `softmax/`) directly; or a folder with no student folders or zips in
    it and at most one notebook (a student's notebook; two or more are a class of notebook
    students). Anything else is a class.
    """
    if not path.is_dir():
        return True
    modules = {f"{ex.module}.py" for ex in exercises}
    folders = {ex.name for ex in exercises} | {ex.module for ex in exercises}
    children = [c for c in path.iterdir() if not c.name.startswith((".", "__"))]
    if any(
        (c.is_file() and c.name in modules) or (c.is_dir() and c.name in folders) for c in children
    ):
        return True
    return not _has_students(children)


def _has_students(children: list[Path]) -> bool:
    """Student folders or zips among `children`, or two notebooks or more."""
    notebooks = sum(c.is_file() and c.suffix.lower() == ".ipynb" for c in children)
    return notebooks > 1 or any(c.is_dir() or c.suffix.lower() == ".zip" for c in children)


@click.command(name="grade", epilog=EXIT_HELP)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=FormatChoice(), default="terminal", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="One submission: the file to write (default: print). A class: the results folder.",
)
@click.option(
    "--hidden/--public",
    default=True,
    help="Run every check (default) or only the public and hand-worked ones.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Term seed of hidden inputs.")
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    help="Exit 1 when the score (a class: the mean) is below this percentage.",
)
@click.option(
    "--isolation",
    type=click.Choice(["bwrap", "unshare", "rlimits"]),
    help="Require this containment (default: the strongest available).",
)
@click.option("--exercise", "only", multiple=True, help="Grade only this exercise (repeatable).")
@click.option("--exercises", "exercises_dir", type=click.Path(path_type=Path))
@click.option("--single/--batch", default=None, help="Force one submission or a class.")
@click.option(
    "--jobs",
    type=click.IntRange(1),
    help="A class: submissions at once (default: cores). One submission: workers grading "
    "its exercises at once (default: 2, or 1 on a one-core machine).",
)
@click.option("--force", is_flag=True, help="Class: regrade students already graded.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local")
@click.option("--scheduler", help="Class with --executor dask: the scheduler address.")
@click.option(
    "--timings/--no-timings",
    default=True,
    help="One submission: include wall-clock fields (--no-timings: byte-identical reruns).",
)
def command(
    path: Path,
    fmt: str,
    out: Path | None,
    hidden: bool,
    seed: int,
    fail_under: float | None,
    isolation: str | None,
    only: tuple[str, ...],
    exercises_dir: Path | None,
    single: bool | None,
    jobs: int | None,
    force: bool,
    executor: str,
    scheduler: str | None,
    timings: bool,
) -> None:
    """Grade PATH: a submission (folder, .zip, .ipynb) or a class (a folder of them)."""
    if not path.exists():
        raise InputError(f"no submission at {path} (no such file or folder)")
    iso = isolation_or_fail(isolation)
    also_private([p for p in (exercises_dir, out, path) if p is not None])
    class_likely = single is False or (single is None and looks_like_class(path))
    early = [] if class_likely else launch_workers(submission_workers(jobs), iso)
    try:
        exercises = exercises_or_fail(exercises_dir, only)
        mode = "hidden" if hidden else "public"
        if single is False or (single is None and not is_single(path, exercises)):
            for worker in early:  # a class: each student gets workers of their own
                worker.close()
            early.clear()
            percent = _grade_class(path, out, exercises, mode, seed, iso, list(only), jobs,
                                   force, executor, scheduler)  # fmt: skip
        else:
            percent = _grade_one(path, exercises, mode, seed, iso, list(only), early, fmt, out,
                                 timings)  # fmt: skip
    finally:
        for worker in early:
            worker.close()
    if fail_under is not None and percent < fail_under:
        click.echo(f"score {percent:.1f}% is below --fail-under {fail_under:g}%", err=True)
        sys.exit(1)


def _grade_one(
    path: Path,
    exercises: list[ExerciseSpec],
    mode: str,
    seed: int,
    iso: object,
    only: list[str],
    workers: list[Any],
    fmt: str,
    out: Path | None,
    timings: bool,
) -> float:
    from grader.grading import grade_submission

    if out is not None and out.is_dir():
        raise InputError(f"--out {out} is a folder: name the file to write the result to")
    with instructor_errors():
        result = grade_submission(
            path, exercises, mode, seed, isolation=iso, only=only, workers=workers,  # type: ignore[arg-type]
        )  # fmt: skip
    if not (result.error and fmt == "terminal" and out is None):  # else: said once below
        _write(result, fmt, out, timings)
    warn_if_uncontained(result.isolation)
    if result.error:
        raise InputError(result.error)
    return result.percent


def _write(result: SubmissionResult, fmt: str, out: Path | None, timings: bool) -> None:
    """Print the result, or write it to `out`; a result that cannot be written is printed
    instead (grading it again would cost the user the whole run) and the command fails."""
    if out is None:
        writers.write(result, fmt, sys.stdout, timings=timings)
        return
    text = io.StringIO()
    writers.write(result, fmt, text, timings=timings)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text.getvalue(), encoding="utf-8")
    except OSError as exc:
        sys.stdout.write(text.getvalue())
        why = exc.strerror or type(exc).__name__
        raise InputError(f"cannot write {out} ({why}): the result was printed instead") from None
    click.echo(f"{result.percent:.1f}% · written to {out}", err=True)


def _grade_class(
    path: Path,
    out: Path | None,
    exercises: list[ExerciseSpec],
    mode: str,
    seed: int,
    iso: object,
    only: list[str],
    jobs: int | None,
    force: bool,
    executor: str,
    scheduler: str | None,
) -> float:
    from grader.batch import BatchError, grade_class
    from grader.sandbox.isolation import detect_isolation

    if out is None:
        raise click.UsageError("grading a class needs --out DIR (one result file per student)")
    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS")
    try:
        summary = grade_class(
            path, out, exercises, mode=mode, seed=seed, jobs=jobs, force=force,
            executor=executor, scheduler=scheduler, isolation=iso, only=only or None,
        )  # fmt: skip
    except BatchError as exc:
        raise InputError(str(exc)) from None
    click.echo(summary.describe())
    warn_if_uncontained(getattr(iso, "value", None) or detect_isolation().value)
    click.echo(f"results in {out} · next: gradeformer report {out} --out report/")
    return summary.mean_percent
