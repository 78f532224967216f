"""Class grading with a fake grade function: discovery, parallel runs, resume, atomic writes.

The fake reads each submission's `score.txt` (a folder or a zip) and returns that score out
of 10, so every expected value below is the number the test itself wrote. Special files make
the fake misbehave: `crash` raises, `die` SIGKILLs the grading process, `slow` sleeps.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader import batch
from grader.batch import BatchError, grade_class
from grader.batch import run as batch_run
from grader.batch.class_folder import find_submissions
from grader.batch.result_files import read_result, write_result
from grader.results import ExerciseResult, SubmissionResult
from grader.sandbox.isolation import Isolation, IsolationUnavailable
from grader.spec import ExerciseSpec, SpecError, select

EXERCISES = [
    ExerciseSpec(
        folder=Path("01_fake"), title="Fake", module="fake", points=10.0, functions=["f"], checks=[]
    ),
]


@pytest.fixture(autouse=True)
def _importable_fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Grading processes unpickle `fake_grade` by module name: put the repo root on sys.path."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))


def _read_member(path: Path, name: str) -> str | None:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            return zf.read(name).decode() if name in zf.namelist() else None
    member = path / name
    return member.read_text() if member.is_file() else None


def fake_grade(
    path: Path,
    exercises: list[ExerciseSpec],
    *,
    mode: str,
    seed: int,
    student: str | None,
    isolation: object,
    only: list[str] | None,
) -> SubmissionResult:
    """Score = the number in score.txt (+ seed, so a new seed gives a new result)."""
    if _read_member(path, "crash") is not None:
        raise ZeroDivisionError("boom")
    if _read_member(path, "bad spec") is not None:
        raise SpecError(
            "exercises/01_fake/exercise.yaml", "checks[0].rtol", "must be a number", "x"
        )
    if _read_member(path, "die") is not None:
        os.kill(os.getpid(), signal.SIGKILL)
    if _read_member(path, "slow") is not None:
        time.sleep(float(_read_member(path, "slow") or 1))
    score = float(_read_member(path, "score.txt") or 0) + seed
    message = _read_member(path, "message.txt") or ""
    chosen = select(exercises, only)
    return SubmissionResult(
        submission=str(path),
        student=student,
        mode="hidden",
        seed=seed,
        isolation=getattr(isolation, "value", "fake"),  # an Isolation's name, when given
        score=score,
        max_score=sum(ex.points for ex in chosen),
        exercises=[
            ExerciseResult(
                ex.name, ex.title, ex.module, "graded", score if i == 0 else 0.0, ex.points, message
            )
            for i, ex in enumerate(chosen)
        ],  # fmt: skip
    )


def make_student(root: Path, name: str, as_zip: bool = False, **files: str) -> Path:
    """A submission folder (or zip) holding `files` (name -> text)."""
    if as_zip:
        path = root / f"{name}.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for member, text in files.items():
                zf.writestr(member, text)
        return path
    path = root / name
    path.mkdir(parents=True)
    for member, text in files.items():
        (path / member).write_text(text)
    return path


def run(tmp: Path, out: Path, **kwargs: object) -> batch.BatchSummary:
    options: dict[str, object] = {"progress": False, "jobs": 2, "grade_fn": fake_grade}
    options.update(kwargs)
    return grade_class(tmp, out, EXERCISES, **options)  # type: ignore[arg-type]


def scores(out: Path) -> dict[str, float]:
    return {p.stem: json.loads(p.read_text())["score"] for p in sorted(out.glob("*.json"))}


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    root = tmp_path / "class"
    root.mkdir()
    make_student(root, "alice", **{"score.txt": "7"})
    make_student(root, "bob", as_zip=True, **{"score.txt": "4"})
    make_student(root, "Zoë van Dijk", **{"score.txt": "9"})
    make_student(
        root, "carol", **{"score.txt": "10", "message.txt": "softmax: timed out after 10 s"}
    )
    make_student(root, "empty")
    return root


def test_every_child_folder_or_zip_is_a_student_graded_in_parallel(
    klass: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    summary = run(klass, out)
    assert scores(out) == {
        "alice": 7.0,
        "bob": 4.0,
        "Zoë van Dijk": 9.0,
        "carol": 10.0,
        "empty": 0.0,
    }
    assert (summary.graded, summary.skipped, summary.failed) == (5, 0, [])
    assert summary.mean_percent == pytest.approx((70 + 40 + 90 + 100 + 0) / 5)
    assert summary.timed_out == 1
    stored = SubmissionResult.from_dict(json.loads((out / "bob.json").read_text()))
    assert stored.student == "bob" and stored.submission.endswith("bob.zip")


def test_discovery_ignores_hidden_loose_files_and_symlinks_leaving_the_class(
    tmp_path: Path,
) -> None:
    root = tmp_path / "class"
    root.mkdir()
    outside = make_student(tmp_path, "mallory", **{"score.txt": "10"})
    make_student(root, "alice")
    (root / "frank.ipynb").write_text("{}")  # a notebook handed in alone is a submission
    (root / ".DS_Store").write_text("")
    (root / "notes.txt").write_text("")
    (root / "mallory").symlink_to(outside)
    (root / "alias").symlink_to(root / "alice")
    found, ignored = find_submissions(root)
    assert [(s.student, s.path.name) for s in found] == [
        ("alias", "alias"),
        ("alice", "alice"),
        ("frank", "frank.ipynb"),
    ]
    assert ignored == [
        "mallory: a symlink to outside the class folder, not followed",
        "notes.txt: not a folder, a .zip or an .ipynb",
    ]


@pytest.mark.parametrize(
    ("names", "listed"),
    [
        (["alice", "alice.zip"], "alice/ and alice.zip"),
        (["Bob", "bob"], "Bob/ and bob/"),
        (["frank", "frank.ipynb"], "frank/ and frank.ipynb"),
        (  # NFD vs NFC: the two look identical, so the escaped forms are shown too
            ["Zo\u00eb", "Zoe\u0308.zip"],
            "Zoe\u0308.zip and Zo\u00eb/ ('Zoe\\u0308' and 'Zo\\u00eb': "
            "the same name in two Unicode forms)",
        ),
    ],
)
def test_duplicate_ids_stop_the_batch_before_grading(
    tmp_path: Path, names: list[str], listed: str
) -> None:
    root = tmp_path / "class"
    root.mkdir()
    for name in names:
        if name.endswith(".ipynb"):
            (root / name).write_text("{}")
        else:
            make_student(root, name.removesuffix(".zip"), as_zip=name.endswith(".zip"))
    with pytest.raises(BatchError, match=re.escape(listed)):
        run(root, tmp_path / "results")
    assert not (tmp_path / "results").exists()


def test_a_crash_or_a_killed_grader_is_one_error_result_and_the_batch_goes_on(
    klass: Path, tmp_path: Path
) -> None:
    make_student(klass, "dave", crash="")
    make_student(klass, "eve", die="")
    out = tmp_path / "results"
    summary = run(klass, out)
    assert summary.failed == ["dave", "eve"]
    assert (summary.graded, summary.killed) == (7, 1)
    dave = json.loads((out / "dave.json").read_text())
    assert "ZeroDivisionError('boom')" in dave["error"] and dave["score"] == 0
    assert dave["max_score"] == 10.0
    eve = json.loads((out / "eve.json").read_text())
    assert "killed by SIGKILL" in eve["error"]
    assert scores(out)["alice"] == 7.0


def test_a_submission_past_the_safety_timeout_is_stopped_and_the_rest_graded(
    klass: Path, tmp_path: Path
) -> None:
    make_student(klass, "frank", slow="60")
    out = tmp_path / "results"
    summary = run(klass, out, submission_timeout=2.0)
    assert summary.failed == ["frank"] and summary.graded == 6
    frank = json.loads((out / "frank.json").read_text())
    assert frank["error"] == "grading took longer than 2 s and was stopped"
    assert scores(out)["alice"] == 7.0


def test_an_instructor_side_spec_error_stops_the_batch_as_itself(
    klass: Path, tmp_path: Path
) -> None:
    make_student(klass, "dave", **{"bad spec": ""})
    with pytest.raises(SpecError, match=r"exercise.yaml: checks\[0\].rtol must be a number"):
        run(klass, tmp_path / "results", jobs=1)


def test_rerun_skips_finished_students_and_regrades_missing_or_garbled_ones(
    klass: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    run(klass, out)
    before = {p.name: p.stat().st_ino for p in out.glob("*.json")}
    (out / "alice.json").unlink()
    (out / "bob.json").write_text('{"score": 4, "exerc')  # half a file: not read back
    (out / ".carol.abc.tmp").write_text("{}")  # a killed run's temp file: never read
    summary = run(klass, out)
    assert (summary.graded, summary.skipped) == (2, 3)
    assert list(out.glob("*.tmp")) == []
    after = {p.name: p.stat().st_ino for p in out.glob("*.json")}
    untouched = {"carol.json", "empty.json", "Zoë van Dijk.json"}
    assert {n: after[n] for n in untouched} == {n: before[n] for n in untouched}
    assert scores(out)["alice"] == 7.0 and scores(out)["bob"] == 4.0
    assert summary.mean_percent == pytest.approx((70 + 40 + 90 + 100 + 0) / 5)


def test_a_student_who_resubmitted_is_regraded_and_only_them(klass: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    run(klass, out)
    stored = json.loads((out / "alice.json").read_text())["submission_sha256"]
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    (klass / "alice" / "score.txt").write_text("8")  # a new version of a file
    make_student(klass, "bob-new", as_zip=True, **{"score.txt": "5"})
    (klass / "bob-new.zip").replace(klass / "bob.zip")  # a new zip under the old name
    (klass / "carol" / "__pycache__").mkdir()  # not part of what is graded
    (klass / "carol" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    summary = run(klass, out)
    assert (summary.graded, summary.skipped) == (2, 3)
    assert scores(out)["alice"] == 8.0 and scores(out)["bob"] == 5.0
    assert json.loads((out / "alice.json").read_text())["submission_sha256"] != stored
    assert run(klass, out).graded == 0


def test_a_result_without_a_fingerprint_is_regraded(klass: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    run(klass, out)
    old = json.loads((out / "alice.json").read_text())
    del old["submission_sha256"]  # written by an earlier version
    (out / "alice.json").write_text(json.dumps(old))
    assert (run(klass, out).graded, scores(out)["alice"]) == (1, 7.0)


def test_a_result_with_an_error_is_regraded_once_its_cause_is_gone(
    klass: Path, tmp_path: Path
) -> None:
    make_student(klass, "dave", crash="", **{"score.txt": "6"})
    out = tmp_path / "results"
    assert run(klass, out).failed == ["dave"]
    (klass / "dave" / "crash").unlink()  # e.g. a corrupt zip replaced by a valid one
    summary = run(klass, out)
    assert (summary.graded, summary.skipped, summary.failed) == (1, 5, [])
    assert json.loads((out / "dave.json").read_text())["error"] is None
    assert scores(out)["dave"] == 6.0


def test_a_stored_result_is_reused_only_at_least_as_strongly_isolated(
    klass: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"

    def isolations() -> set[str]:
        return {json.loads(p.read_text())["isolation"] for p in out.glob("*.json")}

    assert run(klass, out, isolation=Isolation.UNSHARE).graded == 5
    summary = run(klass, out, isolation=Isolation.BWRAP)  # stronger: everyone again
    assert (summary.graded, summary.skipped, isolations()) == (5, 0, {"bwrap"})
    for weaker in (Isolation.BWRAP, Isolation.UNSHARE, Isolation.RLIMITS):
        summary = run(klass, out, isolation=weaker)
        assert (summary.graded, summary.skipped, isolations()) == (0, 5, {"bwrap"})
    (out / "alice.json").write_text(
        (out / "alice.json").read_text().replace('"bwrap"', '"none (trusted)"')
    )
    assert run(klass, out, isolation=Isolation.RLIMITS).graded == 1  # no sandbox at all


def test_the_run_level_is_what_require_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    def require(level: object) -> Isolation:
        if level is None:
            return Isolation.UNSHARE  # say bwrap does not work here
        raise IsolationUnavailable(f"isolation {level} is not available here")

    monkeypatch.setattr(batch_run, "require", require)
    monkeypatch.setattr(batch_run, "share_probes", lambda: None)
    assert batch_run._run_level(None, probe=True) is Isolation.UNSHARE
    assert batch_run._run_level("bwrap", probe=True) is Isolation.BWRAP  # each result says why
    assert batch_run._run_level(None, probe=False) is None  # a Dask cluster: its own strongest
    assert batch_run._run_level("rlimits", probe=False) is Isolation.RLIMITS


def test_a_class_run_opens_with_its_isolation_workers_and_seed(
    klass: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(klass, tmp_path / "results", progress=True, isolation=Isolation.BWRAP, seed=3)
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "isolation: bwrap · 2 workers · term seed 3"
    assert "5/5" in err  # then the progress bar


def test_force_or_a_new_seed_regrades_everyone(klass: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    run(klass, out)
    assert run(klass, out, force=True).graded == 5
    summary = run(klass, out, seed=1)
    assert (summary.graded, summary.skipped) == (5, 0)
    assert scores(out)["alice"] == 8.0


def test_a_different_choice_of_exercises_regrades(klass: Path, tmp_path: Path) -> None:
    more = ExerciseSpec(
        folder=Path("02_more"), title="More", module="more", points=5.0, functions=["g"], checks=[]
    )
    out, both = tmp_path / "results", [*EXERCISES, more]
    options: dict[str, Any] = {"progress": False, "grade_fn": fake_grade}
    assert grade_class(klass, out, both, only=["fake"], **options).graded == 5
    assert (grade_class(klass, out, both, **options).graded, scores(out)["alice"]) == (5, 7.0)
    assert grade_class(klass, out, both, **options).skipped == 5
    assert json.loads((out / "alice.json").read_text())["max_score"] == 15.0


def test_results_folder_inside_the_class_is_not_a_student(klass: Path) -> None:
    summary = run(klass, klass / "results")
    assert summary.graded == 5 and "results" not in scores(klass / "results")


def test_unwritable_results_folder_is_a_clear_error_before_grading(
    klass: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(BatchError, match="cannot write results to"):
        run(klass, blocker / "results")


def test_disk_full_midway_keeps_earlier_results_and_leaves_no_temp_file(
    klass: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "results"
    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync_until_full(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > 4:  # two results written (file + folder fsync each), then full
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_until_full)
    with pytest.raises(BatchError, match="No space left on device.*intact"):
        run(klass, out, jobs=1)
    monkeypatch.setattr(os, "fsync", real_fsync)
    written = sorted(out.glob("*.json"))
    assert len(written) == 2
    assert all(read_result(p) is not None for p in written)
    assert list(out.glob("*.tmp")) == []
    summary = run(klass, out)
    assert (summary.graded, summary.skipped) == (3, 2)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB tmpfs (root with mount rights only)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_really_full_disk_then_room_again(tmp_path: Path, small_disk: Path) -> None:
    root = tmp_path / "class"
    for name in ("a", "b", "c", "d", "e"):  # ~24 KB each: two fit in 64 KiB, not three
        make_student(root, name, **{"score.txt": "5", "message.txt": "x" * 24_000})
    out = small_disk / "results"
    with pytest.raises(BatchError, match="No space left on device.*intact"):
        run(root, out, jobs=1)
    written = sorted(out.glob("*.json"))
    assert len(written) == 2 and all(read_result(p) is not None for p in written)
    assert list(out.glob("*.tmp")) == []
    subprocess.run(["mount", "-o", "remount,size=1m", str(small_disk)], check=True)
    summary = run(root, out)
    assert (summary.graded, summary.skipped) == (3, 2)


def test_a_read_only_disk_is_refused_before_grading(klass: Path, small_disk: Path) -> None:
    (small_disk / "results").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(BatchError, match="cannot write results to .*Read-only file system"):
        run(klass, small_disk / "results")


def test_write_result_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    write_result(target, {"a": 1})
    write_result(target, {"a": 2, "name": "Zoë"})
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": 2, "name": "Zoë"}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_summary_line_names_what_happened() -> None:
    summary = batch.BatchSummary(
        graded=28,
        skipped=2,
        failed=["eve"],
        mean_percent=71.25,
        timed_out=1,
        killed=0,
        duration_s=3.0,
        ignored=["a: x", "b: y", "c: z", "d: w"],
    )
    assert summary.describe() == (
        "28 students graded (2 already done, skipped) · mean 71.2% · 1 timed out · "
        "1 failed (eve) · 4 ignored"
    )


def test_the_summary_line_counts_one_student_in_the_singular() -> None:
    from grader.batch import BatchSummary

    one = BatchSummary(1, 0, [], 50.0, 0, 0, 1.0)
    assert one.describe().startswith("1 student graded · mean 50.0%")
