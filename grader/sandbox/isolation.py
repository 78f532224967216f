"""Containment levels for the worker, detected by trying them, and their command lines.

Three levels, strongest first:

- ``bwrap``: bubblewrap with new user (when not root), PID, network, IPC and UTS
  namespaces, building the tree of `layout.py`; killed with its parent.
- ``unshare``: ``unshare -n --pid --fork --kill-child`` (with ``-U -r`` when not root),
  inside which the worker builds the same tree itself (`newroot.py`) and then gives up its
  capabilities: what student code sees is what it sees under bwrap.
- ``rlimits``: resource limits and, when the grader is root, an unprivileged uid; a root
  worker also builds the tree when the machine allows a mount namespace. Otherwise (Docker,
  Gradescope) files are hidden only by their modes (`protect.py`), and for an ordinary
  user (macOS, a CI runner) not at all.

When the grader runs as root the worker drops, before any student code runs, to a uid and
gid of its own (`worker_uid`: unused by any account, different for each worker), so that
workers grading different students at the same time cannot signal each other or read each
other's files, and `RLIMIT_NPROC` counts this worker's processes only.

`detect_isolation()` tries each level once per process (starting a real worker and
pinging it) and caches the answer; a `Worker` given no level lets its own first start be
the probe (`candidates()`, `record_working()`). `share_probes()` hands the answers to the
processes this one starts (batch grading), so each student's process does not probe again.
"""

from __future__ import annotations

import enum
import itertools
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox import landlock, layout, runfolder

UID_BASE = 1_500_000_000  # far above any account's uid; 2**22 uids from here are ours
_uid_counter = itertools.count()


class Isolation(str, enum.Enum):
    """How strongly the worker is contained (strongest first)."""

    BWRAP = "bwrap"
    UNSHARE = "unshare"
    RLIMITS = "rlimits"


class IsolationUnavailable(RuntimeError):
    """A required isolation level cannot be used on this machine."""


@dataclass
class LaunchPlan:
    """How to start the worker at one level: argv, and what the worker does before any
    student code runs (`config`, read by worker_main: its own root, the uid change)."""

    argv: list[str]
    script: str  # worker_main.py as the starting interpreter sees it
    config: dict[str, Any] = field(default_factory=dict)


def worker_uid() -> int | None:
    """A fresh uid for the next worker when the grader is root (None: keep the grader's).

    UID_BASE + 64 · (pid mod 65536) + (a per-process counter mod 64): distinct for the
    workers of one grader process, and for those of concurrent grader processes unless
    their pids agree modulo 65536.
    """
    if os.geteuid() != 0:
        return None
    return UID_BASE + 64 * (os.getpid() % 65536) + next(_uid_counter) % 64


def build_plan(
    level: Isolation,
    python: str,
    support_dir: Path,
    run_dir: Path,
    uid: int | None,
    scratch_bytes: int = 128 * 2**20,
) -> LaunchPlan:
    """The command line that starts the worker at `level` (the script's config is appended).

    `support_dir` holds the worker's code, `run_dir` the submission's modules (recopied on
    every start; more may be copied in after the start). The worker sees the tree of
    `layout.py` at every level that can build it: bwrap builds it; at unshare the worker
    builds it in its own namespaces (required: unshare promises it); at rlimits a root
    worker builds it when the machine allows a mount namespace and otherwise runs in the
    host's tree as its own uid. Then `config["paths"]` says where the worker finds
    "support", "modules" and "run": the view's paths, or the host's when it has no root of
    its own.
    """
    script_rel = os.path.join("grader", "sandbox", "worker_main.py")
    view = layout.view()
    view_paths = {"support": layout.SUPPORT, "modules": layout.MODULES, "run": layout.RUN}
    host_paths = {"support": str(support_dir), "modules": str(run_dir), "run": str(run_dir)}
    config: dict[str, Any] = {"drop_uid": uid, "paths": view_paths, "files": "own root"}
    if level is Isolation.BWRAP:
        argv = ["bwrap", *_bwrap_args(view, support_dir, run_dir, uid, scratch_bytes)]
        script = os.path.join(layout.SUPPORT, script_rel)
        return LaunchPlan([*argv, python, "-I", "-S"], script, config)
    config["files"] = "visible"  # until the worker has built its own root
    prefix: list[str] = []
    if level is Isolation.UNSHARE:  # killed with the grader: setpriv, then --kill-child
        user = [] if uid is not None or os.geteuid() == 0 else ["-U", "-r"]
        prefix = ["unshare", *user, "-n", "--pid", "--fork", "--kill-child"]
        if shutil.which("setpriv"):
            prefix = ["setpriv", "--pdeathsig", "KILL", *prefix]
    elif sys.platform.startswith("linux"):
        config["die_with"] = os.getpid()
    if level is Isolation.UNSHARE or uid is not None:
        config["new_root"] = {
            **view.to_config(),
            "root": str(support_dir.parent / runfolder.ROOT_MOUNT),
            "binds": [[str(support_dir), layout.SUPPORT], [str(run_dir), layout.MODULES]],
            "run": layout.RUN,
            "scratch_bytes": scratch_bytes,
            "proc": level is Isolation.UNSHARE,
            "required": level is Isolation.UNSHARE,
        }
        config["host_paths"] = host_paths
        config["unreachable"] = [r for r in layout.python_roots() if layout.blocked_ancestor(r)]
    else:
        config["paths"] = host_paths
    if level is Isolation.RLIMITS:  # should the worker have no root of its own
        read = [*layout.readable(view), str(support_dir)]
        write = [str(run_dir), *(f"/dev/{name}" for name in layout.DEVICES)]
        config["landlock"] = {"read": read, "write": write}
    script = str(support_dir / script_rel)
    argv = [*prefix, python, "-I", "-S"]  # -S: no site, so no .pth finders (editable installs)
    return LaunchPlan(argv, script, config)


def _bwrap_args(
    view: layout.View, support_dir: Path, run_dir: Path, uid: int | None, scratch: int
) -> list[str]:
    """bubblewrap's arguments for the tree of `layout.py`."""
    if uid is None:
        args = ["--unshare-all"]
    else:  # root: no user namespace, so that the worker can setuid to a real uid
        args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        args += ["--unshare-cgroup-try", "--cap-drop", "ALL"]
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    args += ["--die-with-parent", "--new-session"]
    for path, link in view.system:
        args += ["--ro-bind", path, path] if link is None else ["--symlink", link, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for root in view.python:
        args += _mkdirs(root) + ["--ro-bind", root, root]
    for site in view.emptied:
        args += ["--tmpfs", site]
    for path in view.numpy:
        args += ["--ro-bind", path, path]
    args += _mkdirs(layout.SUPPORT) + ["--ro-bind", str(support_dir), layout.SUPPORT]
    args += ["--ro-bind", str(run_dir), layout.MODULES]
    args += ["--perms", "0777", "--size", str(scratch), "--tmpfs", layout.RUN]
    args += ["--chdir", layout.RUN]
    return args


def _mkdirs(path: str) -> list[str]:
    """bwrap arguments creating every ancestor of `path` with mode 0755."""
    args: list[str] = []
    parts = Path(path).parts
    for i in range(2, len(parts)):
        args += ["--perms", "0755", "--dir", os.path.join(*parts[:i])]
    return args


_probed: dict[Isolation, str | None] = {}
PROBES_ENV = "GRADEFORMER_ISOLATION_PROBES"  # {"bwrap": null, "unshare": "reason", ...}


def probe(level: Isolation) -> str | None:
    """None when `level` works here (a worker starts and answers), else the reason; cached,
    and inherited from a parent process that called `share_probes()`."""
    if level not in _probed:
        inherited = _inherited_probes()
        _probed[level] = inherited[level] if level in inherited else _try(level)
    return _probed[level]


def share_probes() -> None:
    """Pass this process's probe results to the processes it starts, through the environment."""
    os.environ[PROBES_ENV] = json.dumps({level.value: why for level, why in _probed.items()})


def _inherited_probes() -> dict[Isolation, str | None]:
    try:
        data = json.loads(os.environ.get(PROBES_ENV, "{}"))
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        level: data[level.value]
        for level in Isolation
        if level.value in data and isinstance(data[level.value], str | None)
    }


def _missing_prerequisite(level: Isolation) -> str | None:
    """Why `level` cannot work here, found without starting anything; None if it may."""
    tool = {Isolation.BWRAP: "bwrap", Isolation.UNSHARE: "unshare"}.get(level)
    if tool and shutil.which(tool) is None:
        return f"{tool} is not installed"
    if not sys.platform.startswith("linux") and level is not Isolation.RLIMITS:
        return "needs Linux namespaces"
    return None


def _try(level: Isolation) -> str | None:
    missing = _missing_prerequisite(level)
    if missing:
        return missing
    from grader.sandbox.worker import Worker  # lazy: the worker imports this module

    try:
        with Worker({}, isolation=level, _probing=True) as worker:
            worker.start()
    except Exception as exc:  # any failure means "not available here"
        return str(exc) or type(exc).__name__
    return None


def candidates() -> list[Isolation]:
    """The levels not known to fail here, strongest first (rlimits always among them)."""
    known = {**_inherited_probes(), **_probed}
    found = [
        level
        for level in Isolation
        if known.get(level) is None and _missing_prerequisite(level) is None
    ]
    return found or [Isolation.RLIMITS]


def record_working(level: Isolation) -> None:
    """Note that a worker started at `level`, so it need not be probed again."""
    _probed.setdefault(level, None)


def detect_isolation() -> Isolation:
    """The strongest level that works on this machine (tried once per process)."""
    for level in Isolation:
        if probe(level) is None:
            return level
    raise IsolationUnavailable(f"no isolation level works here: {probe(Isolation.RLIMITS)}")


def uncontained_warning(level: Isolation | str) -> str | None:
    """The one line to print when student code graded at `level` can read this user's
    files and use the network (rlimits with no Landlock: macOS, old kernels), else None."""
    if Isolation(level) is not Isolation.RLIMITS or landlock.abi() > 0:
        return None
    if os.geteuid() == 0:
        return (
            "warning: isolation rlimits as root, no Landlock: student code can use the network "
            "and read what other users can; the answer key, cache, exercises, results and "
            "submissions were made unreadable to them (chmod o-rwx)"
        )
    return (
        "warning: isolation rlimits: student code runs as you: it can read your files, use "
        "the network and signal or trace this grader (no namespaces or Landlock here); "
        "--isolation bwrap refuses to grade"
    )


def require(level: Isolation | str | None) -> Isolation:
    """Resolve a requested level: None → the strongest available; a level → itself or raise."""
    if level is None:
        return detect_isolation()
    wanted = Isolation(level)
    reason = probe(wanted)
    if reason is not None:
        raise IsolationUnavailable(f"isolation {wanted.value} is not available here: {reason}")
    return wanted
