"""Nothing outlives grading, and the user is told when nothing contains student code.

The processes and folders a worker leaves behind when the grader stops (SIGTERM), dies
(SIGKILL) or simply finishes; and the one-line warning where rlimits hide nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.sandbox import isolation, landlock
from grader.sandbox.reaper import FOLDER_PREFIX, sweep_stale_folders

ROOT = Path(__file__).resolve().parents[2]
SLOW = ROOT / "tests" / "adversarial" / "submissions" / "sleep_past_timeout"
LEVELS = [level for level in isolation.Isolation if isolation.probe(level) is None]


def _folders_of(pid: int) -> list[Path]:
    return sorted(Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}{pid}-*"))


def _workers_of(pid: int) -> list[int]:
    """Live worker processes whose folder was made by grader process `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if f"{FOLDER_PREFIX}{pid}-".encode() in cmdline and b"worker_main" in cmdline:
            found.append(int(entry))
    return found


def _grade_slowly(level: isolation.Isolation) -> subprocess.Popen[bytes]:
    """`gradeformer grade` on a softmax that sleeps past its timeout; returns once its
    workers are running student code."""
    command = [sys.executable, "-c", "from grader.cli import main; main()"]
    command += ["grade", str(SLOW), "--exercise", "softmax"]
    command += ["--exercises", str(ROOT / "exercises"), "--isolation", level.value]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not _workers_of(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # past start-up: the call is in the student's sleep
    assert _workers_of(proc.pid), "no worker started"
    return proc


def _gone(find: object, pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while find(pid) and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.1)
    return not find(pid)  # type: ignore[operator]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("level", LEVELS, ids=lambda level: level.value)
def test_sigterm_stops_workers_and_removes_their_folders(level: isolation.Isolation) -> None:
    proc = _grade_slowly(level)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert _gone(_workers_of, proc.pid) and _folders_of(proc.pid) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("level", LEVELS, ids=lambda level: level.value)
def test_workers_die_with_a_killed_grader_and_the_next_run_removes_folders(
    level: isolation.Isolation,
) -> None:
    proc = _grade_slowly(level)
    proc.kill()
    proc.wait(timeout=30)
    assert _gone(_workers_of, proc.pid), "a worker outlived its SIGKILLed grader"
    assert _folders_of(proc.pid), "SIGKILL should have left the folders for the next run"
    assert sweep_stale_folders() >= 1
    assert _folders_of(proc.pid) == []


def test_sweeping_keeps_the_folders_of_live_processes(tmp_path: Path) -> None:
    mine = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
    try:
        sweep_stale_folders()
        assert mine.is_dir()
    finally:
        mine.rmdir()


def test_the_warning_names_what_is_not_contained_only_where_nothing_hides_files() -> None:
    assert isolation.uncontained_warning("bwrap") is None
    with mock.patch.object(landlock, "abi", return_value=7):
        assert isolation.uncontained_warning("rlimits") is None
    with mock.patch.object(landlock, "abi", return_value=0):
        assert isolation.uncontained_warning("unshare") is None
        warning = isolation.uncontained_warning("rlimits")
    assert warning is not None and "network" in warning
    expected = "made unreadable to them" if os.geteuid() == 0 else "signal or trace this grader"
    assert expected in warning


def test_grade_prints_the_warning_once_on_stderr() -> None:
    args = ["grade", str(ROOT / "solutions"), "--exercises", str(ROOT / "exercises")]
    args += ["--exercise", "dot_product", "--isolation", "rlimits"]
    with mock.patch.object(landlock, "abi", return_value=0):
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning: isolation rlimits") == 1
    assert "warning" not in result.stdout


SIMULATED = sys.platform.startswith("linux") and os.uname().machine in ("x86_64", "aarch64")
SNOOP = """
import json, sys
from pathlib import Path
from grader.sandbox import Worker
attack = Path(sys.argv[1]) / "tests/adversarial/submissions/read_secrets/softmax.py"
with Worker({"softmax": attack}, isolation="rlimits") as worker:
    seen = {p: worker.call("softmax", "snoop", kwargs={"project": p}).value for p in sys.argv[2:]}
    print(json.dumps({"files": worker.files, "seen": seen}))
"""


@pytest.mark.skipif(os.geteuid() != 0 or not SIMULATED, reason="simulates Docker: root, Linux")
def test_as_root_without_namespaces_or_landlock_modes_hide_what_is_private() -> None:
    """The last resort (protect.py): world-readable private folders are closed to the
    worker's uid; a folder nobody named private stays readable, so the test can fail."""
    folders = [Path(tempfile.mkdtemp(prefix="gf-modes-")) for _ in range(2)]
    try:
        for folder in folders:
            solution = folder / "solutions" / "03_softmax" / "softmax.py"
            solution.parent.mkdir(parents=True)
            solution.write_text("def softmax(x): ...\n")
            for path in [folder, *folder.rglob("*")]:
                path.chmod(0o755 if path.is_dir() else 0o644)
        private, public = (str(f) for f in folders)
        wrapper = [sys.executable, str(ROOT / "tests" / "tools" / "no_namespaces.py")]
        command = [*wrapper, "--no-landlock", sys.executable, "-c", SNOOP, str(ROOT)]
        env = {**os.environ, "GRADEFORMER_PRIVATE": private}
        done = subprocess.run([*command, private, public], env=env, capture_output=True)
        assert done.returncode == 0, done.stderr.decode()
        report = json.loads(done.stdout)
    finally:
        for folder in folders:
            shutil.rmtree(folder)
    assert report["files"] == "visible"  # neither a root of its own nor Landlock
    assert report["seen"][private]["read solution"] == "failed: PermissionError"
    assert report["seen"][public]["read solution"].startswith("def softmax")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_being_launched_is_not_taken_for_an_orphan() -> None:
    """`bury` in one thread must not kill a process another thread is launching (in a new
    session, like a worker) before it is adopted."""
    from grader.sandbox.reaper import REAPER

    with REAPER.launching():
        proc = subprocess.Popen(["sleep", "30"], start_new_session=True)
        buried = threading.Thread(target=REAPER.bury, args=(999_999_999, None))
        buried.start()
        time.sleep(0.2)  # bury waits for the launch to finish
        assert proc.poll() is None
        REAPER.adopt(proc.pid)
    buried.join(timeout=10)
    try:
        assert proc.poll() is None, "a launched, adopted process was killed as an orphan"
    finally:
        proc.kill()
        proc.wait()
        REAPER.bury(proc.pid, None)


def test_unpacked_submissions_of_a_killed_run_are_swept_too() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = [
        Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{kind}{dead.pid}-"))
        for kind in ("", "sub-", "nb-")
    ]
    sweep_stale_folders()
    assert [path for path in left if path.exists()] == []
