"""Class grading: every student's submission graded in parallel, resumably, atomically.

A class is a folder whose children are submissions: each child folder, `.zip` or `.ipynb`
is one student, whose id is the child's name without `.zip` / `.ipynb`. Hidden entries (``.git``,
``__MACOSX``), other files, the results folder itself and symlinks that point outside the
class folder are not graded; they are listed in `BatchSummary.ignored`. Two children that
would give the same id (``alice/`` and ``alice.zip``, or names equal up to case and Unicode
normalisation, which collide on macOS and Windows disks) stop the batch before anything is
graded; names that differ only in their Unicode form are shown escaped as well, since they
look identical.

Each result is written as ``<out_dir>/<student>.json`` (`SubmissionResult.to_dict()`)
through a temporary file in the same folder, flushed to disk and renamed over the target,
so a result file is either absent or complete. A rerun skips every student whose result
exists, parses, has no submission-level `error` (a refused zip, a grading crash, a killed
grading process: regraded, as the cause may be gone) and was graded from the same files
(`submission_sha256`, a fingerprint of the submission: a student who resubmitted is
regraded) with the same mode, seed and exercises at an isolation level at least as strong
as this run's (bwrap > unshare > rlimits), unless `force`. A run
killed at any point therefore resumes with nothing lost and nothing graded twice; the
``.*.tmp`` files a killed run leaves are never read, and the next run removes them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.executors import (
    ExecutorError,
    GradeFn,
    GradeTask,
    ResultDict,
    Results,
    run_dask,
    run_local,
)
from grader.results import SubmissionResult
from grader.sandbox.isolation import (
    Isolation,
    IsolationUnavailable,
    require,
    share_probes,
)
from grader.spec import ExerciseSpec, select
from grader.submission import fingerprint

RESULT_SUFFIX = ".json"
TEMP_SUFFIX = ".tmp"
SUBMISSION_FILES = (".zip", ".ipynb")  # a file child of the class folder that is a student
STRENGTH = {"bwrap": 3, "unshare": 2, "rlimits": 1}  # a stored result's `isolation` → rank


class BatchError(Exception):
    """An instructor-side problem that stops a batch: duplicate ids, an unwritable results
    folder, an empty class. Results written before it are intact."""


@dataclass(frozen=True)
class Submission:
    """One student's submission in a class folder."""

    student: str
    path: Path


@dataclass
class BatchSummary:
    """What a class-grading run did.

    `graded` and `skipped` count this run's students (skipped: already graded). The other
    figures cover every student of the class, including those skipped: `failed` lists the
    ids whose result has a submission-level `error`, `timed_out` and `killed` count students
    with at least one check that timed out or was killed (memory, signal).
    """

    graded: int
    skipped: int
    failed: list[str]
    mean_percent: float
    timed_out: int
    killed: int
    duration_s: float
    ignored: list[str] = field(default_factory=list)  # "name: reason", not graded

    def describe(self) -> str:
        """One line for the terminal, e.g. "30 students graded (2 already done, skipped) ·
        mean 71.2% · 1 timed out · 1 failed (eve)"; failed and ignored entries are named
        when there are at most three."""
        parts = [f"{self.graded} student{'s' if self.graded != 1 else ''} graded"]
        if self.skipped:
            parts[0] += f" ({self.skipped} already done, skipped)"
        parts.append(f"mean {self.mean_percent:.1f}%")
        for count, what, names in (
            (self.timed_out, "timed out", []),
            (self.killed, "killed", []),
            (len(self.failed), "failed", self.failed),
            (len(self.ignored), "ignored", self.ignored),
        ):
            if count:
                named = f" ({'; '.join(names)})" if 0 < len(names) <= 3 else ""
                parts.append(f"{count} {what}{named}")
        return " · ".join(parts)


def find_submissions(
    submissions_dir: Path, exclude: Path | None = None
) -> tuple[list[Submission], list[str]]:
    """The class's submissions sorted by student id, and the ignored entries with reasons.

    `exclude` is a folder not to treat as a student (the results folder when it sits inside
    the class folder). Raises `BatchError` on duplicate ids.
    """
    root = submissions_dir.resolve()
    excluded = exclude.resolve() if exclude is not None else None
    found: list[Submission] = []
    ignored: list[str] = []
    for entry in sorted(submissions_dir.iterdir(), key=lambda p: p.name):
        name = entry.name
        if name.startswith((".", "__")) or name.endswith(TEMP_SUFFIX):
            continue
        target = entry.resolve()
        if entry.is_symlink() and root not in target.parents:
            ignored.append(f"{name}: a symlink to outside the class folder, not followed")
        elif target == excluded:
            continue
        elif target.is_dir():
            found.append(Submission(name, entry))
        elif target.is_file() and name.lower().endswith(SUBMISSION_FILES):
            found.append(Submission(name.rsplit(".", 1)[0], entry))
        else:
            ignored.append(f"{name}: not a folder, a .zip or an .ipynb")
    _refuse_duplicates(found)
    return found, ignored


def _refuse_duplicates(found: list[Submission]) -> None:
    groups: dict[str, list[Submission]] = {}
    for sub in found:
        key = unicodedata.normalize("NFC", sub.student).casefold()
        groups.setdefault(key, []).append(sub)
    clashes = [_clash(subs) for subs in groups.values() if len(subs) > 1]
    if clashes:
        raise BatchError(
            "two submissions would have the same student id (rename or remove one of each): "
            + "; ".join(clashes)
        )


def _clash(subs: list[Submission]) -> str:
    """ "alice/ and alice.zip"; when the ids differ only in their Unicode form (NFC "ë" and
    NFD "e" + combining diaeresis look the same), the escaped ids too."""
    listed = " and ".join(s.path.name + ("/" if s.path.is_dir() else "") for s in subs)
    ids = [s.student for s in subs]
    forms = {unicodedata.normalize("NFC", i) for i in ids}
    if len(set(ids)) > 1 and len(forms) < len(set(ids)):
        escaped = " and ".join(f"'{_escape(i)}'" for i in ids)
        listed += f" ({escaped}: the same name in two Unicode forms)"
    return listed


def _escape(text: str) -> str:
    """`text` with every non-ASCII character as a \\uXXXX (or \\UXXXXXXXX) escape."""
    return "".join(
        c if c.isascii() else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
        for c in text
    )


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
    _prepare_out_dir(out_dir)
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

    return _summarise(results, skipped, ignored, time.perf_counter() - start)


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


def _prepare_out_dir(out_dir: Path) -> None:
    """Create `out_dir`, remove temp files a killed run left behind, and prove the folder
    takes a file, before any grading time is spent. (Two batches writing into the same
    folder at once are not supported.)"""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for leftover in out_dir.glob(f".*{TEMP_SUFFIX}"):
            leftover.unlink()
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".probe-", suffix=TEMP_SUFFIX):
            pass
    except OSError as exc:
        raise BatchError(f"cannot write results to {out_dir}: {exc.strerror or exc}") from exc


def read_result(path: Path) -> ResultDict | None:
    """The result stored at `path`, or None when it is missing or does not parse."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        SubmissionResult.from_dict(data)
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return data if isinstance(data, dict) else None


def write_result(path: Path, result: ResultDict) -> None:
    """Write `result` as JSON at `path` atomically: a temp file in the same folder, fsync,
    rename over `path`, fsync the folder. On failure `path` is untouched and no temp file is
    left behind; raises `BatchError`."""
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=TEMP_SUFFIX)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(path.parent)
    except OSError as exc:
        raise BatchError(
            f"cannot write {path}: {exc.strerror or exc}; the results already written in "
            f"{path.parent} are intact, rerun to resume once there is room"
        ) from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def _summarise(
    results: dict[str, ResultDict], skipped: int, ignored: list[str], duration_s: float
) -> BatchSummary:
    percents = [float(r.get("percent", 0.0)) for r in results.values()]
    messages = {student: list(_messages(r)) for student, r in results.items()}
    return BatchSummary(
        graded=len(results) - skipped,
        skipped=skipped,
        failed=sorted(s for s, r in results.items() if r.get("error")),
        mean_percent=sum(percents) / len(percents) if percents else 0.0,
        timed_out=sum(any("timed out after" in m for m in ms) for ms in messages.values()),
        killed=sum(any("killed" in m for m in ms) for ms in messages.values()),
        duration_s=duration_s,
        ignored=ignored,
    )


def _messages(result: ResultDict) -> Iterator[str]:
    """The submission's error and every exercise and check message of a result dict (hidden
    checks do not say why they failed, so a timeout there is not counted)."""
    yield result.get("error") or ""
    for exercise in result.get("exercises", []):
        yield exercise.get("message", "")
        for check in exercise.get("checks", []):
            yield check.get("message", "")
