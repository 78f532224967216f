"""The script that runs inside the worker process: it imports and calls student code.

Started by `grader.sandbox.worker.Worker` as ``python -I -S worker_main.py CONFIG_JSON``
from a copy of the grader's codec, protocol, callables and newroot (the project itself is
not visible to the worker). In order, it: builds its own root when told to (newroot.py),
drops to an unprivileged uid or gives up its capabilities, sets its resource limits
(hard = soft, so student code cannot raise them), imports numpy, says "ready" (and whether
it has a root of its own), then answers requests until the request pipe closes.

Every request is one frame on the request fd; every response one frame on the result fd.
Responses carry data only (a value or an error description), never a verdict: the
parent compares. Student stdout/stderr go to fds 1 and 2, files the parent reads back.
"""

from __future__ import annotations

import builtins
import difflib
import functools
import importlib
import importlib.util
import inspect
import json
import math
import os
import resource
import signal
import sys
import traceback
import warnings
from typing import Any

SUPPORT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_TEXT = 4000


def main() -> None:
    config = json.loads(sys.argv[1])
    if os.getpid() == 1:
        _run_under_init()
    paths, files, numpy_site, hide_files = _confine(config)
    if config.get("die_with") is not None:
        _die_with(int(config["die_with"]))
    sys.path.insert(0, paths["support"])
    os.environ["HOME"] = paths["run"]
    _set_limits(config["limits"])
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # exceeding the file size limit kills
    sys.dont_write_bytecode = True  # the run folder holds the submission's files only
    sys.path.append(numpy_site)  # started with -S: no other site-packages
    import numpy  # noqa: F401  (imported once, before any student code)

    from grader.codec import CodecError, decode, encode
    from grader.sandbox.protocol import PipeClosed, read_frame, write_frame

    sys.path.insert(1, paths["modules"])  # after the support folder: no module shadows ours
    if hide_files is not None:
        hide_files()
        files = "landlock"

    request_fd, result_fd = config["request_fd"], config["result_fd"]
    for fd in (request_fd, result_fd):
        os.set_inheritable(fd, False)
    ready = {"op": "ready", "uid": os.getuid(), "files": files}
    write_frame(result_fd, encode(ready))
    handler = _Handler(paths["modules"], config["limits"], CodecError, encode)
    streams = sys.stdout, sys.stderr
    while True:
        try:
            request = decode(read_frame(request_fd, 1 << 31))
        except PipeClosed:
            return
        response = handler.handle(request)
        sys.stdout, sys.stderr = streams  # student code may have replaced or closed them
        for stream in streams:
            try:
                stream.flush()
            except (OSError, ValueError):  # closed by student code: its output is lost
                pass
        write_frame(result_fd, response)


def _die_with(parent: int) -> None:
    """Be killed when the grader that started this worker dies, even by SIGKILL (set after
    the uid change, which clears it); if it already has, end now."""
    import ctypes

    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _run_under_init() -> None:
    """As PID 1 of a namespace (unshare --pid), fork and act as init for the real worker.

    The kernel ignores default-action signals sent to a namespace's init, so SIGXCPU,
    SIGXFSZ and even a student's kill(getpid(), SIGKILL) would not end the worker. The
    child returns and runs the worker; this process reaps and exits with the child's status
    (128 + signal number for a signal).
    """
    child = os.fork()
    if child == 0:
        return
    while True:
        pid, status = os.wait()
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            os._exit(128 - code if code < 0 else code)


def _confine(config: dict[str, Any]) -> tuple[dict[str, str], str, str, Any]:
    """Before any student code: the worker's own root, then the uid change or the end of
    its capabilities (see newroot.py); with no root of its own, a Landlock rule set to
    apply once numpy is loaded (see landlock.py).

    Returns where the worker's folders are, what hides the machine's files ("own root",
    or "visible" until Landlock applies), where numpy's site-packages is reached, and the
    call that applies the Landlock rule set (None: no Landlock).
    """
    newroot = _support_module("newroot")
    plan, uid = config.get("new_root"), config.get("drop_uid")
    paths, files, hide_files = config["paths"], config["files"], None
    handles: dict[str, str] = {}
    if plan is not None:
        try:
            newroot.enter(plan)
            files = "own root"
        except OSError as exc:
            if plan["required"]:
                raise SystemExit(f"cannot build the worker's own root: {exc}") from exc
            paths = config["host_paths"]
            handles = newroot.reach_through(config["unreachable"]) if uid is not None else {}
    if files != "own root" and "landlock" in config:
        landlock, allowed = _support_module("landlock"), config["landlock"]
        ruleset = landlock.prepare(allowed["read"], allowed["write"])
        if ruleset is not None:
            hide_files = functools.partial(landlock.restrict, ruleset)
    if uid is not None:
        _drop_privileges(int(uid))
        newroot.no_new_privileges()
        newroot.after_uid_change(handles)
    elif plan is not None:
        newroot.drop_capabilities()
    return paths, files, newroot.through(config["numpy_site"], handles), hide_files


def _support_module(name: str) -> Any:
    """grader/sandbox/NAME.py of the worker's code, loaded by path: importing the `grader`
    package from the host's support folder would leave it pointing at a folder the new
    root no longer has."""
    path = os.path.join(SUPPORT_ROOT, "grader", "sandbox", name + ".py")
    spec = importlib.util.spec_from_file_location("gradeformer_" + name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("could not drop privileges")


def _set_limits(limits: dict[str, Any]) -> None:
    pairs = {
        resource.RLIMIT_AS: limits["memory_bytes"],
        resource.RLIMIT_FSIZE: limits["file_bytes"],
        resource.RLIMIT_NOFILE: limits["open_files"],
        resource.RLIMIT_CORE: 0,
    }
    if limits.get("processes") is not None:
        pairs[resource.RLIMIT_NPROC] = limits["processes"]
    for which, value in pairs.items():
        resource.setrlimit(which, (int(value), int(value)))
    total = int(limits["cpu_total_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (total, total))


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Handler:
    """Answers one request at a time: ping, inspect or call."""

    def __init__(
        self,
        modules_dir: str,
        limits: dict[str, Any],
        codec_error: type[Exception],
        encode: Any,
    ) -> None:
        self.modules_dir = os.path.realpath(modules_dir)
        self.limits = limits
        self.codec_error = codec_error
        self.encode = encode
        self.builtins = dict(vars(builtins))

    def _restore_builtins(self) -> None:
        """Undo a student's monkeypatching of builtins (the worker's own code needs them)."""
        namespace = vars(builtins)
        for name in [n for n in namespace if n not in self.builtins]:
            del namespace[name]
        namespace.update(self.builtins)

    def handle(self, request: Any) -> bytes:
        op = request.get("op") if isinstance(request, dict) else None
        base = {"op": op, "nonce": request.get("nonce") if op else None}
        if op == "ping":
            return self.encode(base)
        if op == "inspect":
            return self.encode({**base, **self._inspect(request["module"])})
        if op == "call":
            return self._call(base, request)
        return self.encode({**base, "status": "protocol", "message": "unknown request"})

    def _import(self, name: str) -> tuple[Any, dict[str, Any] | None]:
        try:
            try:
                return importlib.import_module(name), None
            finally:
                self._restore_builtins()
        except BaseException as exc:  # a student module may raise anything on import
            return None, self._error("import", exc, prefix="could not import " + name)

    def _inspect(self, name: str) -> dict[str, Any]:
        module, error = self._import(name)
        if error is not None:
            return {**error, "functions": {}}
        functions = {}
        for attr, obj in list(vars(module).items()):
            if inspect.isfunction(obj) and getattr(obj, "__module__", None) == name:
                try:
                    functions[attr] = str(inspect.signature(obj))
                except (TypeError, ValueError):
                    functions[attr] = "(...)"
        return {"status": "ok", "functions": functions}

    def _call(self, base: dict[str, Any], request: dict[str, Any]) -> bytes:
        module, error = self._import(request["module"])
        if error is not None:
            return self.encode({**base, **error})
        function = getattr(module, request["function"], None)
        if not callable(function):
            message = f"{request['module']}.py has no function {request['function']}"
            defined = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")]
            close = difflib.get_close_matches(request["function"], defined, n=1, cutoff=0.6)
            if close:
                message += f" (found {close[0]}: name it {request['function']})"
            return self.encode({**base, "status": "missing_function", "message": message})
        cpu_soft = min(
            math.ceil(_cpu_used() + self.limits["cpu_seconds"]), self.limits["cpu_total_seconds"]
        )
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_soft, self.limits["cpu_total_seconds"]))
        try:
            try:
                with warnings.catch_warnings():  # each call shows its own warnings, once each,
                    warnings.simplefilter("default")  # whichever worker ran what before it
                    value = function(*request["args"], **request["kwargs"])
            finally:
                self._restore_builtins()
        except NotImplementedError as exc:
            return self.encode({**base, **self._error("not_implemented", exc)})
        except MemoryError as exc:
            return self.encode({**base, **self._error("memory", exc)})
        except SystemExit as exc:
            return self.encode({**base, **self._error("exit", exc), "code": _exit_code(exc)})
        except BaseException as exc:
            return self.encode({**base, **self._error("exception", exc)})
        try:
            return self.encode({**base, "status": "ok", "value": value})
        except self.codec_error as exc:
            return self.encode({**base, "status": "bad_value", "message": str(exc)})
        except BaseException as exc:  # e.g. RecursionError on a self-referencing list
            message = f"returned a value that cannot be sent back ({type(exc).__name__})"
            return self.encode({**base, "status": "bad_value", "message": message})

    def _error(self, status: str, exc: BaseException, prefix: str = "") -> dict[str, Any]:
        """Describe `exc` with the student's frames only (files in the modules folder)."""
        lines = []
        try:
            frames = [
                f
                for f in traceback.extract_tb(exc.__traceback__)
                if os.path.realpath(f.filename).startswith(self.modules_dir + os.sep)
            ]
            for frame in frames:
                frame.filename = os.path.basename(frame.filename)
            only = traceback.format_exception_only(type(exc), exc)
            if frames:
                lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
            lines += only
            summary = only[-1].strip()
        except BaseException:  # a student exception whose __str__ raises
            summary = type(exc).__name__
        if isinstance(exc, SyntaxError) and exc.lineno is not None:
            summary += f" ({os.path.basename(exc.filename or '?')}, line {exc.lineno})"
        message = f"{prefix}: {summary}" if prefix else summary
        return {
            "status": status,
            "error_type": type(exc).__name__,
            "message": message[:MAX_TEXT],
            "traceback": "".join(lines)[-MAX_TEXT:],
        }


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    return code if type(code) is int else 1


if __name__ == "__main__":
    main()
