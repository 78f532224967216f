"""Hostile submissions against the worker, at every isolation level this machine has.

Each attack in `submissions/<attack>/softmax.py` implements the contract's `softmax`
maliciously. Every test asserts: the grader (this process) survives, the attack earns no
credit under the parent-side comparison, and the next call, in the same `Worker`, of an
honest module works. Where the outcome depends on the level (files, network, escaped
processes), the test asserts what each level guarantees; docs/security.md lists them.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import CallOutcome, Isolation, Limits, Worker, landlock, protect
from grader.sandbox import isolation as iso

SUBMISSIONS = Path(__file__).parent / "submissions"
PROJECT = Path(__file__).resolve().parents[2]
X = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
# softmax([1, 2, 3]) = e^k / (e + e^2 + e^3), e + e^2 + e^3 = 30.193; softmax([0, 0, 0]) = 1/3
EXPECTED = np.array([[0.09003057317038046, 0.24472847105479764, 0.6652409557748218], [1 / 3] * 3])


def earns_credit(outcome: CallOutcome) -> bool:
    """The parent-side coercion and comparison: a plain float64 array close to EXPECTED."""
    if not outcome.ok:
        return False
    try:
        got = np.asarray(outcome.value, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == EXPECTED.shape and bool(np.allclose(got, EXPECTED, rtol=1e-6, atol=1e-9))


@pytest.fixture(scope="module", params=list(Isolation), ids=lambda level: level.value)
def level(request: pytest.FixtureRequest) -> Isolation:
    reason = iso.probe(request.param)
    if reason is not None:
        pytest.skip(f"{request.param.value} is not available on this machine: {reason}")
    return request.param


@pytest.fixture
def attack(level: Isolation, request: pytest.FixtureRequest) -> Iterator[Worker]:
    """A worker holding the attack named by the test's `attack_name` mark and an honest module."""
    name = request.node.get_closest_marker("attack").args[0]
    modules = {
        "softmax": SUBMISSIONS / name / "softmax.py",
        "good": SUBMISSIONS / "good" / "softmax.py",
    }
    with Worker(modules, Limits(cpu_seconds=5), isolation=level) as worker:
        observe(worker, request.node)
        yield worker
        after = worker.call("good", "softmax", kwargs={"x": X}, timeout=10.0)
        assert earns_credit(after), f"the next call failed after the attack: {after}"


def observe(worker: Worker, node: pytest.Item) -> None:
    """Record what each call of the attack module did, for the table of outcomes
    (`tests/adversarial/outcomes.py`)."""
    call = worker.call

    def recorded(module: str, function: str, *args: object, **kwargs: object) -> CallOutcome:
        out = call(module, function, *args, **kwargs)  # type: ignore[arg-type]
        node.user_properties.append(("files", worker.files))
        if module == "softmax":
            node.user_properties.append(("observed", _summary(function, out)))
        return out

    worker.call = recorded  # type: ignore[method-assign]


def _summary(function: str, out: CallOutcome) -> str:
    if not out.ok:
        return f"{function}: {out.error_kind}: {out.message or out.error_type}"[:110]
    if function == "softmax":
        return "softmax: CREDIT" if earns_credit(out) else "softmax: a value, no credit"
    value = out.value
    if isinstance(value, dict):  # what an attack could see: only what it could not reach
        return f"{function}: " + ", ".join(f"{k}: {str(v)[:25]}" for k, v in value.items())
    if isinstance(value, list):
        return f"{function}: {len(value)} found"
    return f"{function}: {str(value)[:60]}"


def _softmax(worker: Worker, timeout: float = 10.0) -> CallOutcome:
    out = worker.call("softmax", "softmax", kwargs={"x": X}, timeout=timeout)
    assert not earns_credit(out)
    return out


def _processes_mentioning(text: str, settle: float = 0.0) -> list[int]:
    """Live processes whose command line contains `text`, waiting up to `settle` seconds for
    a killed namespace's processes to finish dying (the kernel kills them asynchronously)."""
    deadline = time.monotonic() + settle
    while (pids := _scan(text)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def _scan(text: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if text.encode() in cmdline:
                pids.append(int(entry))
    return pids


@pytest.mark.attack("eq_always_true")
def test_eq_always_true(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.error_kind == "bad_value"
    assert out.message == "returned an AlwaysEqual object, expected an array"


@pytest.mark.attack("ndarray_subclass")
def test_ndarray_subclass_with_lying_comparisons(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.error_kind == "bad_value"
    assert "an Agreeable object (dtype float64, shape (2, 3)), a subclass" in out.message


@pytest.mark.attack("object_array")
def test_object_array(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.error_kind == "bad_value"
    assert out.message == (
        "returned a ndarray object (dtype object, shape (2, 3)), expected an array of numbers"
    )


@pytest.mark.attack("lying_float")
def test_lazy_object_with_a_lying_float(attack: Worker) -> None:
    assert _softmax(attack).message == "returned a Lazy object, expected an array"
    out = attack.call("softmax", "log_softmax", kwargs={"x": X})
    assert out.error_kind == "bad_value" and "LyingFloat" in out.message


@pytest.mark.attack("monkeypatch_numpy")
def test_monkeypatching_numpy_and_builtins_changes_nothing_here(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.ok  # the patches live and die in the worker; the parent compares
    assert not np.allclose(np.zeros(1), np.ones(1))


@pytest.mark.attack("frame_hunting")
def test_frame_and_heap_hunting_finds_no_expected_value(attack: Worker) -> None:
    _softmax(attack)
    loot = attack.call("softmax", "loot", kwargs={"x": X})
    assert loot.ok
    assert not any(np.allclose(a, EXPECTED) for a in loot.value)


def _python_install_under_tmp() -> list[str]:
    """The entries of /tmp the worker must see: only where Python itself lives (a virtual
    environment made under /tmp, as in a throwaway CI run); usually none."""
    tops = {
        Path(p).resolve().relative_to("/tmp").parts[0]
        for p in (sys.prefix, sys.base_prefix, np.__file__)
        if Path(p).resolve().is_relative_to("/tmp")
    }
    return sorted(tops)


def _files_hidden(worker: Worker) -> bool:
    """Whether this worker's machine files are hidden: a root of its own, or Landlock. Only
    an ordinary user's rlimits worker on a kernel without Landlock sees them (documented)."""
    return worker.files != "visible"


@pytest.mark.attack("read_secrets")
def test_the_answer_key_and_project_files(attack: Worker, level: Isolation) -> None:
    out = attack.call("softmax", "softmax", kwargs={"x": X})
    seen = attack.call("softmax", "snoop", kwargs={"project": str(PROJECT)}).value
    # absent (its own root, or -S keeping editable-install finders off), or unreadable (Landlock)
    assert not earns_credit(out) and out.error_type in ("ModuleNotFoundError", "PermissionError")
    assert seen["import reference"].startswith("failed")
    if _files_hidden(attack):
        for key in ("import grader", "list project", "read solution", "read /etc/passwd"):
            assert seen[key].startswith("failed"), key
    if attack.files == "own root":  # nothing but Python, numpy, modules, run folder
        assert seen["list parent"] == "['modules', 'run', 'support']"
        assert seen["list /tmp"] == str(_python_install_under_tmp())


@pytest.mark.attack("disk_search")
def test_searching_the_disk_for_the_answer_key(attack: Worker) -> None:
    out = attack.call("softmax", "softmax", kwargs={"x": X}, timeout=60.0)
    loot = attack.call("softmax", "loot", timeout=60.0)
    assert loot.ok, loot.message
    if _files_hidden(attack):
        assert not earns_credit(out) and loot.value == []
    elif os.geteuid() == 0:  # modes only (protect.py): none of this grader's answer key
        private = protect.private_paths()
        assert [p for p in loot.value if any(p.startswith(f"{d}/") for d in private)] == []
    else:  # documented: an ordinary user's files are the student's to read at rlimits
        assert loot.value, "the attack found nothing even where files are visible"


@pytest.mark.attack("fake_result_output")
def test_printing_fake_results_is_only_output(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.ok and "PASSED softmax 10/10" in out.output


@pytest.mark.attack("sys_exit_zero")
def test_sys_exit_zero(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.error_kind == "exited"
    assert out.message == "exited with status 0 before returning a result (sys.exit)"


@pytest.mark.attack("os_exit_zero")
def test_os_exit_zero(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.error_kind == "exited"
    assert out.message == "exited with status 0 before returning a result"


@pytest.mark.attack("kill_parent")
def test_killing_the_parent(attack: Worker, level: Isolation) -> None:
    if level is Isolation.RLIMITS and os.geteuid() != 0 and landlock.abi() < 6:
        pytest.skip("rlimits as a user, no Landlock signal scoping: the worker could kill us")
    _softmax(attack)  # a PID namespace's init ignores it; as own uid: EPERM; Landlock: EPERM
    assert os.getpid() > 0


@pytest.mark.attack("infinite_loop")
def test_infinite_loop(attack: Worker) -> None:
    out = _softmax(attack, timeout=1.0)
    assert out.error_kind == "timeout" and out.message == "timed out after 1 s"


@pytest.mark.attack("sleep_past_timeout")
def test_sleep_past_timeout(attack: Worker) -> None:
    out = _softmax(attack, timeout=1.0)
    assert out.error_kind == "timeout" and out.message == "timed out after 1 s"


@pytest.mark.attack("allocate_20gb")
def test_allocating_20_gb(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.error_kind == "killed" and out.message == "killed: memory limit 1 GiB"


@pytest.mark.attack("fork_bomb")
def test_fork_bomb_is_killed_with_its_process_group(attack: Worker) -> None:
    out = _softmax(attack, timeout=1.5)
    assert out.error_kind in ("timeout", "killed")
    assert _processes_mentioning(str(attack._root), settle=5.0) == []


@pytest.mark.attack("flood_stdout")
def test_a_gigabyte_to_stdout(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.error_kind == "killed" and out.message == "output limit exceeded"
    assert len(out.output) < Limits().output_bytes + 200


@pytest.mark.attack("huge_file")
def test_a_huge_file(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.error_kind == "killed" and out.message == "killed: file size limit 64 MiB"


@pytest.mark.attack("open_socket")
def test_opening_a_socket(attack: Worker, level: Isolation) -> None:
    _softmax(attack)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        reached = attack.call("softmax", "reach", kwargs={"port": port}).value
    if level is Isolation.RLIMITS and (attack.files != "landlock" or landlock.abi() < 4):
        assert reached == "connected"  # documented: rlimits alone do not contain the network
    else:  # a network namespace, or Landlock (ABI 4) refusing TCP connects
        assert reached.startswith("failed")


@pytest.mark.attack("outliving_subprocess")
def test_a_subprocess_that_outlives_the_worker(attack: Worker, level: Isolation) -> None:
    marker = "gradeformer-escapee-" + secrets.token_hex(8)
    spawned = attack.call("softmax", "spawn", kwargs={"marker": marker})
    attack.start()  # kill the worker that spawned it
    escaped = _processes_mentioning(marker, settle=5.0)
    for pid in escaped:  # end a leftover by id, so a failure here leaves nothing running
        os.kill(pid, signal.SIGKILL)
    assert spawned.ok, spawned.message
    assert escaped == []  # the PID namespace dies with the worker; at rlimits, the reaper


@pytest.mark.attack("fork_chain")
def test_a_chain_of_forks_that_exit_at_once_is_killed(attack: Worker, level: Isolation) -> None:
    assert attack.call("softmax", "spawn").value == "spawned"
    folder = str(attack._run_dir)  # on the command line of every process of the chain
    attack.start()  # stop the worker that spawned it
    escaped = _processes_mentioning(folder, settle=5.0)
    for pid in escaped:
        os.kill(pid, signal.SIGKILL)
    if level is Isolation.RLIMITS and attack.uid is None:
        pytest.skip("an ordinary user's rlimits worker has no uid of its own (documented)")
    assert escaped == []  # a PID namespace, or kill(-1) as the worker's own uid


@pytest.mark.attack("delete_parent")
def test_deleting_the_parent_folder(attack: Worker, level: Isolation) -> None:
    attack.call("good", "softmax", kwargs={"x": X})  # imported before its file goes
    out = _softmax(attack)
    if attack.files == "own root":  # the parent is a tmpfs of mount points and read-only binds
        assert out.ok and not out.value.any()  # removed nothing
    elif os.geteuid() == 0 or attack.files == "landlock":  # the folder is not the worker's
        assert out.error_type == "PermissionError" or (out.ok and not out.value.any())


@pytest.mark.attack("forged_frame")
def test_a_forged_frame_without_the_nonce_is_a_protocol_error(attack: Worker) -> None:
    out = _softmax(attack)
    assert out.error_kind == "protocol"
    assert out.message == "protocol error: a response that does not answer this request"


@pytest.mark.attack("forged_frame")
def test_a_forged_frame_with_the_stolen_nonce_is_caught_as_an_extra_frame(
    attack: Worker,
) -> None:
    out = attack.call("softmax", "log_softmax", kwargs={"x": X})
    assert out.error_kind == "protocol" and not out.ok
    assert out.message == "protocol error: an extra frame appeared on the result pipe"


@pytest.mark.attack("forged_frame")
def test_a_forged_huge_length_is_refused_before_reading(attack: Worker) -> None:
    out = attack.call("softmax", "garbage", kwargs={"x": X})
    assert out.error_kind == "protocol" and "exceeds the cap" in out.message


@pytest.mark.attack("import_side_effects")
def test_a_thread_started_at_import_spamming_forged_frames(attack: Worker) -> None:
    for _ in range(2):  # each call is lost, and each starts a fresh worker
        out = _softmax(attack)
        assert out.error_kind == "protocol"
