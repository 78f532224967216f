"""The worker: calls, errors, limits and restarts, at every isolation level this machine has."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import (
    CallOutcome,
    Isolation,
    IsolationUnavailable,
    Limits,
    Worker,
    detect_isolation,
)
from grader.sandbox import isolation as iso

STUDENT = """
import os, sys, time
import numpy as np

def softmax(x, axis=-1, temperature=1.0):
    print("computing softmax")
    e = np.exp((x - x.max(axis=axis, keepdims=True)) / temperature)
    return e / e.sum(axis=axis, keepdims=True)

def log_softmax(x, axis=-1):
    raise NotImplementedError("TODO")

def divide(a, b):
    return helper(a, b)

def helper(a, b):
    return a / b

def environment():
    return {"uid": os.getuid(), "blas": os.environ.get("OPENBLAS_NUM_THREADS"),
            "secret": os.environ.get("GRADEFORMER_TEST_SECRET"), "stdin": sys.stdin.read(),
            "module_files": sorted(os.listdir(os.path.dirname(__file__))),
            "cwd_files": sorted(os.listdir("."))}

def returns_set():
    return {1, 2}

def exits(code):
    sys.exit(code)

def hard_exit(code):
    os._exit(code)

def sleeps(seconds):
    time.sleep(seconds)
    return "awake"

def allocates(gib):
    return np.ones(int(gib * 2**30 // 8)).sum()

def read_file(path):
    with open(path) as f:
        return f.read()

def hijack_stdout():
    sys.stdout = None
    return 1

def vandal():
    here = os.path.dirname(__file__)
    for name in os.listdir(here):
        try:
            os.remove(os.path.join(here, name))
        except OSError:  # under bwrap the modules are a read-only mount
            pass
    os._exit(0)

def chatty(n):
    sys.stdout.write("x" * n)
    return n
"""

USES_SOFTMAX = """
from softmax import softmax

def attention_weights(scores):
    return softmax(scores)
"""


def _levels() -> list[Isolation]:
    return list(Isolation)


@pytest.fixture(scope="module", params=_levels(), ids=lambda level: level.value)
def level(request: pytest.FixtureRequest) -> Isolation:
    reason = iso.probe(request.param)
    if reason is not None:
        pytest.skip(f"{request.param.value} is not available on this machine: {reason}")
    return request.param


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("student")
    (folder / "softmax.py").write_text(STUDENT)
    (folder / "attention.py").write_text(USES_SOFTMAX)
    (folder / "broken.py").write_text("def f(x):\n    return x +\n")
    return {name: folder / f"{name}.py" for name in ("softmax", "attention", "broken")}


@pytest.fixture(scope="module")
def worker(level: Isolation, modules: dict[str, Path]) -> Iterator[Worker]:
    with Worker(modules, Limits(output_bytes=1000), isolation=level) as w:
        yield w


def _call(w: Worker, function: str, *args: object, timeout: float = 10.0) -> CallOutcome:
    return w.call("softmax", function, args=args, timeout=timeout)


def test_a_call_returns_the_value_and_the_printed_output(worker: Worker) -> None:
    out = worker.call("softmax", "softmax", kwargs={"x": np.log(np.array([1.0, 3.0]))})
    assert out.ok and out.error_kind is None
    np.testing.assert_allclose(out.value, [0.25, 0.75])  # 1/(1+3), 3/(1+3)
    assert out.output == "computing softmax\n"


def test_one_worker_serves_many_calls_and_later_modules_import_earlier_ones(
    worker: Worker,
) -> None:
    worker.call("attention", "attention_weights", kwargs={"scores": np.zeros(1)})
    starts = worker.starts
    for _ in range(3):
        out = worker.call("attention", "attention_weights", kwargs={"scores": np.zeros(4)})
        np.testing.assert_allclose(out.value, [0.25] * 4)
    assert worker.starts == starts


def test_not_implemented(worker: Worker) -> None:
    out = _call(worker, "log_softmax", np.zeros(2))
    assert (out.ok, out.error_kind) == (False, "not_implemented")
    assert out.error_type == "NotImplementedError"


def test_an_exception_shows_the_students_frames_only(worker: Worker) -> None:
    out = _call(worker, "divide", 1, 0)
    assert out.error_kind == "exception" and out.error_type == "ZeroDivisionError"
    assert out.message == "ZeroDivisionError: division by zero"
    assert 'File "softmax.py", line 14, in divide' in out.traceback
    assert 'File "softmax.py", line 17, in helper' in out.traceback
    assert "worker_main" not in out.traceback and "/gf/" not in out.traceback


def test_a_syntax_error_names_the_line(worker: Worker) -> None:
    out = worker.call("broken", "f", kwargs={"x": 1})
    assert out.error_kind == "import" and out.error_type == "SyntaxError"
    assert "broken.py, line 2" in out.message
    info = worker.inspect("broken")
    assert info.error is not None and "line 2" in info.error and info.functions == {}


def test_a_missing_function(worker: Worker) -> None:
    out = _call(worker, "sigmoid", 0.0)
    assert out.error_kind == "missing_function"
    assert out.message == "softmax.py has no function sigmoid"
    typo = _call(worker, "log_softmx", 0.0)  # a near miss names what the module does define
    assert (
        typo.message
        == "softmax.py has no function log_softmx (found log_softmax: name it log_softmx)"
    )


def test_inspect_lists_functions_and_signatures(worker: Worker) -> None:
    info = worker.inspect("softmax")
    assert info.error is None
    assert info.functions["softmax"] == "(x, axis=-1, temperature=1.0)"
    assert info.functions["divide"] == "(a, b)"
    assert "np" not in info.functions  # imported names are not the module's functions


def test_a_value_that_cannot_cross_is_a_bad_value(worker: Worker) -> None:
    out = _call(worker, "returns_set")
    assert out.error_kind == "bad_value"
    assert out.message == "returned a set object, expected an array"


def test_the_environment_is_scrubbed(worker: Worker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADEFORMER_TEST_SECRET", "s3cret")
    worker.start()  # a fresh worker started while the secret is in our environment
    env = _call(worker, "environment").value
    assert env["blas"] == "1" and env["secret"] is None and env["stdin"] == ""
    assert env["module_files"] == ["attention.py", "broken.py", "softmax.py"]
    if worker.files == "own root":  # the working directory is a scratch tmpfs
        assert env["cwd_files"] == []
    else:
        assert env["cwd_files"] == env["module_files"]
    if os.geteuid() == 0:
        assert env["uid"] == worker.uid and worker.uid >= iso.UID_BASE


def test_a_replaced_stdout_is_restored_after_the_call(worker: Worker) -> None:
    assert _call(worker, "hijack_stdout").value == 1
    out = worker.call("softmax", "softmax", kwargs={"x": np.zeros(2)})
    assert out.ok and out.output == "computing softmax\n"


def test_output_is_capped(worker: Worker) -> None:
    out = _call(worker, "chatty", 5000)
    assert out.ok and out.value == 5000
    assert out.output.startswith("x" * 1000 + "\n[output truncated: 5000 bytes in all")


def test_sys_exit_is_not_a_result(worker: Worker) -> None:
    out = _call(worker, "exits", 3)
    assert out.error_kind == "exited"
    assert out.message.startswith("exited with status 3 before returning a result")


def test_os_exit_kills_only_that_call(worker: Worker) -> None:
    out = _call(worker, "hard_exit", 0)
    assert out.error_kind == "exited"
    assert out.message == "exited with status 0 before returning a result"
    assert _call(worker, "divide", 1, 4).value == 0.25


def test_a_timeout_kills_the_worker_and_the_next_call_gets_a_fresh_one(worker: Worker) -> None:
    assert _call(worker, "sleeps", 0).value == "awake"  # a running worker
    starts = worker.starts
    out = _call(worker, "sleeps", 30, timeout=0.5)
    assert out.error_kind == "timeout" and out.message == "timed out after 0.5 s"
    assert 0.5 <= out.duration_s < 5
    assert _call(worker, "sleeps", 0).value == "awake"
    assert worker.starts == starts + 1


def test_the_memory_limit(worker: Worker) -> None:
    out = _call(worker, "allocates", 4)
    assert out.error_kind == "killed" and out.message == "killed: memory limit 1 GiB"
    assert _call(worker, "allocates", 0.01).value == 2**30 * 0.01 // 8


def test_numpy_fits_in_the_default_memory_limit(worker: Worker) -> None:
    big = _call(worker, "allocates", 0.25)  # 256 MiB on top of the interpreter and numpy
    assert big.ok and big.value == 2**25


def test_writing_past_the_file_size_limit_is_output_limit_exceeded(
    level: Isolation, modules: dict[str, Path]
) -> None:
    with Worker(modules, Limits(file_bytes=2**20), isolation=level) as w:
        out = _call(w, "chatty", 2**21)
        assert out.error_kind == "killed" and out.message == "output limit exceeded"


def test_detect_isolation_returns_an_available_level() -> None:
    assert iso.probe(detect_isolation()) is None


def test_requiring_an_unavailable_level_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iso, "_probed", {})
    monkeypatch.setattr(iso.shutil, "which", lambda name: None)
    with pytest.raises(IsolationUnavailable, match="isolation bwrap is not available here"):
        Worker({}, isolation="bwrap")
    with pytest.raises(ValueError):
        Worker({}, isolation="docker")


def test_rlimits_is_always_available() -> None:
    assert iso.probe(Isolation.RLIMITS) is None


@pytest.mark.parametrize(
    ("function", "arg", "kind"),
    [("hard_exit", 3, "exited"), ("sleeps", 30, "timeout"), ("allocates", 4, "killed")],
)
def test_fault_outcomes_are_not_ok(worker: Worker, function: str, arg: int, kind: str) -> None:
    out = _call(worker, function, arg, timeout=0.5)
    assert not out.ok and out.value is None and out.error_kind == kind


def test_each_fresh_worker_gets_a_fresh_copy_of_the_modules(worker: Worker) -> None:
    assert _call(worker, "vandal").error_kind == "exited"
    listing = _call(worker, "environment").value["module_files"]
    assert listing == ["attention.py", "broken.py", "softmax.py"]


def test_a_worker_started_before_the_submission_is_known_gets_its_modules_later(
    level: Isolation, modules: dict[str, Path]
) -> None:
    with Worker(isolation=level) as w:
        w.start_in_background()  # as the CLI does, while it is still loading
        w.provide(modules)  # the start may or may not be done: either way they are seen
        out = w.call("attention", "attention_weights", kwargs={"scores": np.zeros(2)})
        np.testing.assert_allclose(out.value, [0.5, 0.5])  # attention imports softmax
        assert w.starts == 1
        assert _call(w, "environment").value["module_files"] == sorted(
            f"{name}.py" for name in modules
        )
        assert _call(w, "vandal").error_kind == "exited"  # a restart copies them again
        assert _call(w, "divide", 1, 4).value == 0.25 and w.starts == 2


def test_a_worker_that_cannot_start_costs_the_call_not_the_grader(
    modules: dict[str, Path],
) -> None:
    with Worker(modules, Limits(memory_bytes=8 * 2**20), isolation=Isolation.RLIMITS) as w:
        out = _call(w, "divide", 1, 2)
    assert out.error_kind == "exited" and out.message.startswith("the worker did not start: ")
    message = out.message.lower()  # 8 MiB of address space cannot import numpy:
    assert "memory" in message or "failed to map segment" in message  # a MemoryError or dlopen's


def test_as_root_each_worker_gets_its_own_uid(modules: dict[str, Path]) -> None:
    if os.geteuid() != 0:
        pytest.skip("uids are dropped only when the grader runs as root")
    with Worker(modules, isolation=Isolation.RLIMITS) as a, Worker(modules) as b:
        uids = {_call(w, "environment").value["uid"] for w in (a, b)}
        neighbour = str(b._run_dir / "softmax.py")  # b is running: its files exist
        snooping = _call(a, "read_file", neighbour)
    assert len(uids) == 2 and min(uids) >= iso.UID_BASE
    # not even at the weakest level: not there (a root of its own) or not its uid's to read
    assert snooping.error_type in ("FileNotFoundError", "PermissionError")


def test_inputs_the_codec_refuses_are_the_callers_error(worker: Worker) -> None:
    from grader.codec import CodecError

    with pytest.raises(CodecError, match="returned a function object"):
        worker.call("softmax", "divide", kwargs={"a": lambda: 0, "b": 1})


def test_probe_results_are_inherited_by_child_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batch grading probes once and shares the answers: a child process must not probe."""
    strongest = iso.detect_isolation()
    monkeypatch.setenv(iso.PROBES_ENV, "{}")  # restored after the test
    iso.share_probes()
    child = (
        "from grader.sandbox import isolation as iso\n"
        "iso._try = None  # probing again would fail: None is not callable\n"
        "print(iso.detect_isolation().value)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == strongest.value


@pytest.mark.parametrize("launched_early", [False, True], ids=["on first call", "in background"])
def test_with_no_level_the_first_start_is_the_probe_and_falls_back(
    modules: dict[str, Path], monkeypatch: pytest.MonkeyPatch, launched_early: bool
) -> None:
    """A level that cannot start (its own probe fails too) gives way to the next one."""
    from grader.sandbox.worker import WorkerError

    monkeypatch.setattr(iso, "_probed", {})
    monkeypatch.setattr(iso, "candidates", lambda: [Isolation.BWRAP, Isolation.RLIMITS])
    real_probe, real_launch = iso.probe, Worker._launch
    monkeypatch.setattr(
        iso, "probe", lambda lvl: "refused" if lvl is Isolation.BWRAP else real_probe(lvl)
    )

    def launch(self: Worker) -> None:
        if self.isolation is Isolation.BWRAP:
            raise WorkerError("the worker did not start: namespaces refused")
        real_launch(self)

    monkeypatch.setattr(Worker, "_launch", launch)
    with Worker(modules) as w:
        if launched_early:
            w.start_in_background()
        out = _call(w, "divide", 1, 2)
    assert out.ok and out.value == 0.5
    assert w.isolation is Isolation.RLIMITS
    assert iso._probed[Isolation.RLIMITS] is None  # recorded: not probed again


def test_with_no_level_a_start_that_fails_on_its_own_limits_is_not_a_fallback(
    modules: dict[str, Path],
) -> None:
    strongest = iso.detect_isolation()
    with Worker(modules, Limits(memory_bytes=8 * 2**20)) as w:
        out = _call(w, "divide", 1, 2)
    assert out.error_kind == "exited" and out.message.startswith("the worker did not start: ")
    assert w.isolation is strongest  # the level works: the limits were the problem
