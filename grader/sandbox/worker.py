"""`Worker`: one persistent, isolated subprocess that imports and calls student code.

The parent side of the worker. It copies the located modules into a private run folder,
starts ``python -I worker_main.py`` inside the chosen isolation level, and exchanges
length-prefixed codec frames on two dedicated pipes (never stdout). Every call has a
wall-clock deadline; on timeout, a protocol error or a death, the whole process group is
killed and the next call starts a fresh worker. Only the parent decodes (with header and
size checks) and only the parent compares: a response carries data, never a verdict.

After each call the parent sends a ping with a fresh nonce and requires the very next
frame to be its pong: a frame forged by student code (through ``/proc/self/fd``) then
shows up as a nonce mismatch or an extra frame, and the call fails as a protocol error.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.sandbox import isolation as iso
from grader.sandbox import layout, protect, runfolder
from grader.sandbox.calls import CallOutcome, Limits, ModuleInfo, outcome_of, size_text
from grader.sandbox.protocol import PipeClosed, ProtocolError, Timeout, read_frame, write_frame
from grader.sandbox.reaper import REAPER, kill_all
from grader.threads import ONE_BLAS_THREAD

ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **ONE_BLAS_THREAD}
PING_SECONDS = 5.0
# what hides the machine's files from a worker: a root of its own (nothing but Python, numpy
# and the submission exists), Landlock (nothing else may be opened), or nothing
FILE_HIDING = ("own root", "landlock", "visible")


@functools.cache
def _codec() -> ModuleType:
    """`grader.codec`, imported on first use: it imports numpy, and a worker can be started
    before the grader has paid for that (`Worker.start_in_background`)."""
    from grader import codec

    return codec


class WorkerError(RuntimeError):
    """The worker could not be started at all (a grader-side problem, not the student's)."""


class Worker:
    """A persistent isolated worker for one submission's modules.

    >>> with Worker({"softmax": Path("softmax.py")}) as w:   # doctest: +SKIP
    ...     w.call("softmax", "softmax", kwargs={"x": x}, timeout=10.0)

    A worker may also start before the submission is known, while the grader is still
    loading (`Worker()`, `start_in_background`), and be given its modules afterwards
    (`provide`), before the first call.
    """

    def __init__(
        self,
        modules: Mapping[str, Path | str] | None = None,
        limits: Limits | None = None,
        isolation: iso.Isolation | str | None = None,
        *,
        _probing: bool = False,
    ) -> None:
        self.modules = {name: Path(path) for name, path in (modules or {}).items()}
        self.limits = limits or Limits()
        self._untried: list[iso.Isolation] = []  # weaker levels to fall back to (auto only)
        self._choosing = not _probing and isolation is None
        if self._choosing:  # the strongest level not known to fail; its first start probes it
            self.isolation, *self._untried = iso.candidates()
        else:
            self.isolation = iso.Isolation(isolation) if _probing else iso.require(isolation)
        self.uid = iso.worker_uid()  # the uid student code runs as (None: the grader's);
        #                              each start has its own
        self.files = "visible"  # what hides the machine's files from it: see FILE_HIDING
        self.startup_s = 0.0  # wall time of the last start
        self.starts = 0
        self._root = REAPER.new_folder()
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._root, ignore_errors=True)
        self._proc: subprocess.Popen[bytes] | None = None
        self._fds: dict[str, int] = {}
        self._run_dir: Path | None = None  # this start's copy of the modules
        self._run_lock = threading.Lock()  # `provide` and a (re)start both write the run folder
        self._launched = False  # launched by start_in_background, not yet known to be ready
        self._killed = False  # `kill` was called: no call runs any more
        self._began = 0.0  # when the last launch began (time.monotonic())

    # -- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker and delete its temporary folder. The worker has nothing to save, so
        its process group is killed rather than asked to exit (an interpreter's tear-down
        costs tens of milliseconds of a student's wait)."""
        self._stop()
        self._cleanup()

    def kill(self) -> None:
        """End the worker at once, from any thread (grading was stopped): a call in progress
        returns as killed and no later call restarts it. `close` still frees its resources."""
        self._killed = True
        self._kill_group()

    def start_in_background(self) -> None:
        """Launch the worker process and return at once (it imports numpy meanwhile); the
        next call, or `wait_started`, waits for it to be ready. A launch that fails is
        started again, and reported, by that call, as `start` does."""
        try:
            self._launch()
        except (WorkerError, OSError):
            self._stop()
            return
        self._launched = True

    def wait_started(self) -> None:
        """Wait for a worker launched by `start_in_background` to be ready, if it was."""
        if not self._launched:
            return
        self._launched = False
        try:
            self._await_ready()
        except (WorkerError, OSError):
            self._stop()  # the next call starts it again (and may fall back)
            return
        self._chose_level()

    def provide(self, modules: Mapping[str, Path | str]) -> None:
        """Give the worker the submission's modules (it may already be running: it imports
        a module on first use, from its run folder)."""
        with self._run_lock:
            self.modules = {name: Path(path) for name, path in modules.items()}
            if self._run_dir is not None:
                runfolder.copy_modules(self._run_dir, self.modules, self.uid)

    def start(self) -> float:
        """Start a fresh worker (stopping any running one); return its start-up seconds.

        With no level given, a start that fails at an untried level falls back to the next
        weaker one when that level's own probe fails too (else the failure is this worker's,
        e.g. its limits, and is raised); the level that starts is recorded for the process.
        """
        while True:
            try:
                self._launch()
                took = self._await_ready()
            except (WorkerError, OSError):
                if self._killed or not self._untried or iso.probe(self.isolation) is None:
                    raise
                self.isolation = self._untried.pop(0)
                continue
            self._chose_level()
            return took

    def _chose_level(self) -> None:
        """The first start with no level given succeeded: record its level for the process."""
        if self._choosing:
            iso.record_working(self.isolation)
            self._choosing, self._untried = False, []

    def _launch(self) -> None:
        """Start the worker process (from the calling thread: bwrap's --die-with-parent ties
        the sandbox to the thread that launches it)."""
        if self._killed:
            raise WorkerError("grading was stopped")
        self._stop()
        self.uid = iso.worker_uid()  # a fresh one: nothing left of the last start shares it
        self._began = time.monotonic()
        runfolder.write_support(self._root)  # rewritten each time: a student may have deleted it
        run_dir = self._fresh_run_dir()
        plan = iso.build_plan(
            self.isolation,
            layout.interpreter(),
            self._root / "support",
            run_dir,
            self.uid,
            self.limits.scratch_bytes,
        )
        runfolder.empty_root_dir(self._root)
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
        out = os.open(self._root / "output", flags, 0o600)
        config = {
            **plan.config,
            "request_fd": req_r,
            "result_fd": res_w,
            "numpy_site": layout.numpy_site(),
            "limits": self._limit_config(),
        }
        try:
            with REAPER.launching():
                self._proc = subprocess.Popen(
                    [*plan.argv, plan.script, json.dumps(config)],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=out,
                    pass_fds=(req_r, res_w),
                    env=ENV,
                    cwd=run_dir,
                    start_new_session=True,
                )
                REAPER.adopt(self._proc.pid)
        finally:
            os.close(req_r)
            os.close(res_w)
        self._fds = {"request": req_w, "result": res_r, "output": out}
        with contextlib.suppress(AttributeError, OSError):  # Linux >= 5.3; else poll the pipe
            self._fds["pidfd"] = os.pidfd_open(self._proc.pid)

    def _await_ready(self) -> float:
        """Wait for the launched worker's "ready"; return the seconds since its launch."""
        try:
            ready = _codec().decode(self._read(time.monotonic() + self.limits.start_seconds))
        except (Timeout, PipeClosed, ProtocolError, _codec().CodecError) as exc:
            output = self._take_output()
            self._stop()
            why = output.strip().splitlines()[-1:] or [type(exc).__name__]
            raise WorkerError(f"the worker did not start: {why[0][:500]}") from exc
        if not isinstance(ready, dict) or ready.get("op") != "ready":
            self._stop()
            raise WorkerError("the worker did not say ready")
        if ready.get("files") in FILE_HIDING:
            self.files = ready["files"]
        if self.files == "visible" and self.uid is not None:  # before any student code runs
            protect.close_to_others(protect.private_paths(), self._root)
        self._take_output()
        self.starts += 1
        self.startup_s = time.monotonic() - self._began
        return self.startup_s

    # -- calls -------------------------------------------------------------------------

    def call(
        self,
        module: str,
        function: str,
        kwargs: Mapping[str, Any] | None = None,
        timeout: float = 10.0,
        *,
        args: Sequence[Any] = (),
    ) -> CallOutcome:
        """Call `module.function(*args, **kwargs)` in the worker within `timeout` seconds."""
        request: dict[str, Any] = {"op": "call", "module": module, "function": function}
        request |= {"args": list(args), "kwargs": dict(kwargs or {})}
        return self._request(request, timeout)

    def inspect(self, module: str, timeout: float = 10.0) -> ModuleInfo:
        """The functions `module` defines and their signatures, or its import error."""
        outcome = self._request({"op": "inspect", "module": module}, timeout)
        if not outcome.ok:
            return ModuleInfo(
                error=outcome.message, error_kind=outcome.error_kind, traceback=outcome.traceback
            )
        return ModuleInfo(functions=outcome.value)

    def _request(self, request: dict[str, Any], timeout: float) -> CallOutcome:
        """Send one request; a CodecError for unencodable inputs is the caller's bug: raised."""
        if self._killed:
            return CallOutcome(False, error_kind="killed", message="grading was stopped")
        began = time.monotonic()
        nonce = secrets.token_hex(16)
        payload = _codec().encode({**request, "nonce": nonce})
        self.wait_started()
        if self._proc is None or self._proc.poll() is not None:
            try:
                self.start()
            except WorkerError as exc:  # costs this call, never the batch
                return CallOutcome(False, error_kind="exited", message=str(exc))
        deadline = time.monotonic() + timeout
        try:
            write_frame(self._fds["request"], payload, deadline)
            response = self._read(deadline)
            data = _codec().decode(response, max_array_bytes=self.limits.result_bytes)
            outcome = outcome_of(request["op"], nonce, data, self.limits)
            if outcome.error_kind not in ("killed", "protocol"):
                self._sync()
        except Timeout as exc:
            what = "sent an incomplete frame and " if exc.partial else ""
            outcome = CallOutcome(False, error_kind="timeout")
            outcome.message = f"{what}timed out after {timeout:g} s"
        except PipeClosed:
            outcome = self._death()
        except (ProtocolError, _codec().CodecError) as exc:
            outcome = CallOutcome(False, error_kind="protocol", message=f"protocol error: {exc}")
        outcome.output = self._take_output()
        alive = self._proc is not None and self._proc.poll() is None
        if outcome.error_kind in ("timeout", "killed", "protocol") or not alive:
            self._stop()
        outcome.duration_s = time.monotonic() - began
        return outcome

    def _read(self, deadline: float) -> bytes:
        cap = self.limits.result_bytes + 2**20
        return read_frame(self._fds["result"], cap, deadline, self._fds.get("pidfd"))

    def _sync(self) -> None:
        """Ping; the next frame must be the pong, or something forged a frame."""
        nonce = secrets.token_hex(16)
        deadline = time.monotonic() + PING_SECONDS
        write_frame(self._fds["request"], _codec().encode({"op": "ping", "nonce": nonce}), deadline)
        pong = _codec().decode(self._read(deadline), max_array_bytes=0)
        if pong != {"op": "ping", "nonce": nonce}:
            raise ProtocolError("an extra frame appeared on the result pipe")

    def _death(self) -> CallOutcome:
        """Describe a worker that closed its pipe: how it ended, in one line."""
        assert self._proc is not None
        try:
            code = self._proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:  # an escaped grandchild keeps the pipe open
            self._kill_group()
            code = self._proc.wait()
        self._kill_group()
        if self.isolation is not iso.Isolation.RLIMITS and code > 128:
            code = -(code - 128)  # bwrap and unshare report a signal as 128 + its number
        if code >= 0:
            message = f"exited with status {code} before returning a result"
            return CallOutcome(False, error_kind="exited", message=message)
        sig = -code
        if sig == signal.SIGXCPU:
            message = "killed: CPU time limit"
        elif sig == signal.SIGXFSZ:
            size = os.fstat(self._fds["output"]).st_size
            if size >= self.limits.file_bytes:
                message = "output limit exceeded"
            else:
                message = f"killed: file size limit {size_text(self.limits.file_bytes)}"
        else:
            message = f"killed by signal {signal.Signals(sig).name}"
        return CallOutcome(False, error_kind="killed", message=message)

    # -- helpers -----------------------------------------------------------------------

    def _take_output(self) -> str:
        """The captured stdout+stderr since the last call (capped), then clear it."""
        fd = self._fds.get("output")
        if fd is None:
            return ""
        size = os.fstat(fd).st_size
        data = os.pread(fd, min(size, self.limits.output_bytes), 0)
        os.ftruncate(fd, 0)
        text = data.decode("utf-8", errors="replace")
        for folder in (layout.MODULES, self._run_dir):  # name files as the student does
            if folder is not None:
                text = text.replace(f"{folder}{os.sep}", "")
        if size > self.limits.output_bytes:
            text += f"\n[output truncated: {size} bytes in all, {len(data)} shown]"
        return text

    def _limit_config(self) -> dict[str, Any]:
        limits = asdict(self.limits)
        if self.uid is None:
            limits["processes"] = None  # RLIMIT_NPROC would count all the user's processes
        return limits

    def _fresh_run_dir(self) -> Path:
        """This start's run folder, the last one's removed (see `runfolder.fresh_run_dir`)."""
        with self._run_lock:
            self._run_dir = runfolder.fresh_run_dir(
                self._root, self._run_dir, self.modules, self.uid
            )
        return self._run_dir

    def _kill_group(self) -> None:
        proc = self._proc  # read once: `kill` may run in another thread
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _stop(self) -> None:
        self._launched = False
        if self._proc is not None:
            left = REAPER.descendants(self._proc.pid)
            self._kill_group()
            kill_all(left)
            self._proc.wait()
            REAPER.bury(self._proc.pid, self.uid)
            self._proc = None
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}
