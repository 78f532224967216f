"""Containment levels for the worker, detected by trying them, and their command lines.

Three levels, strongest first:

- ``bwrap``: bubblewrap with new user (when not root), PID, network, IPC and UTS
  namespaces; a fresh root with only /usr, the Python install, numpy, the worker's support
  files and the submission's modules (read-only), and the run folder (a small tmpfs for
  scratch files) visible; killed with its parent.
- ``unshare``: ``unshare -n --pid --fork --kill-child`` (with ``-U -r`` when not root):
  no network, own PID namespace, but every file the user can read is visible.
- ``rlimits``: resource limits and an unprivileged uid (when root) only: files and
  network are not contained.

When the grader runs as root the worker drops, before any student code runs, to a uid and
gid of its own (`worker_uid`: unused by any account, different for each worker), so that
workers grading different students at the same time cannot signal each other or read each
other's files, and `RLIMIT_NPROC` counts this worker's processes only.

At the unshare and rlimits levels a root-started worker first makes a private mount
namespace (see `contain_plan`): it hides the project tree and every package beside numpy,
and, if the Python install sits under a directory others cannot enter (pyenv in /root),
mounts a tmpfs over that directory and moves the install back so the drop still works.
bubblewrap builds its own tree and needs none of this.

`detect_isolation()` tries each level once per process (starting a real worker and
pinging it) and caches the answer; a `Worker` given no level lets its own first start be
the probe (`candidates()`, `record_working()`). `share_probes()` hands the answers to the
processes this one starts (batch grading), so each student's process does not probe again.
"""

from __future__ import annotations

import enum
import functools
import importlib.util
import itertools
import json
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UID_BASE = 1_500_000_000  # far above any account's uid; 2**22 uids from here are ours
_uid_counter = itertools.count()
SANDBOX_SUPPORT = "/gf/support"
SANDBOX_RUN = "/gf/run"
SANDBOX_MODULES = "/gf/modules"


class Isolation(str, enum.Enum):
    """How strongly the worker is contained (strongest first)."""

    BWRAP = "bwrap"
    UNSHARE = "unshare"
    RLIMITS = "rlimits"

    def describe(self) -> str:
        """The line shown with every result ("rlimits only — files and network ...")."""
        if self is Isolation.RLIMITS:
            return "rlimits only — files and network not contained"
        if self is Isolation.UNSHARE:
            return "unshare — network and processes contained, files visible"
        return "bwrap"


class IsolationUnavailable(RuntimeError):
    """A required isolation level cannot be used on this machine."""


@dataclass
class LaunchPlan:
    """How to start the worker at one level: argv, and the paths the worker sees."""

    argv: list[str]
    run_dir: str  # the run folder (working directory) as the worker sees it
    modules_dir: str  # the folder of the submission's modules as the worker sees it
    script: str  # worker_main.py as the worker sees it
    drop_uid: int | None
    contain: dict[str, Any] = field(default_factory=dict)  # mounts the worker makes itself


def worker_uid() -> int | None:
    """A fresh uid for the next worker when the grader is root (None: keep the grader's).

    UID_BASE + 64 · (pid mod 65536) + (a per-process counter mod 64): distinct for the
    workers of one grader process, and for those of concurrent grader processes unless
    their pids agree modulo 65536.
    """
    if os.geteuid() != 0:
        return None
    return UID_BASE + 64 * (os.getpid() % 65536) + next(_uid_counter) % 64


@functools.cache
def _numpy_dir() -> str:
    """numpy's package folder, found without importing numpy (the grader may not have yet)."""
    found = importlib.util.find_spec("numpy")
    if found is None or found.origin is None:
        raise IsolationUnavailable("numpy is not installed")
    return os.path.dirname(os.path.realpath(found.origin))


def numpy_site() -> str:
    """The site-packages folder numpy is installed in (the only one the worker puts on sys.path)."""
    return os.path.dirname(_numpy_dir())


def python_roots() -> list[str]:
    """Directories the worker needs to run Python and import numpy."""
    roots = [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), numpy_site()]
    unique: list[str] = []
    for root in sorted(set(roots), key=len):
        if not any(root.startswith(kept + os.sep) for kept in unique):
            unique.append(root)
    return unique


def _blocked_ancestor(path: str) -> str | None:
    """The topmost ancestor of `path` that "others" cannot enter, if any."""
    parts = Path(path).parts
    for i in range(2, len(parts) + 1):
        candidate = os.path.join(*parts[:i])
        if not os.stat(candidate).st_mode & stat.S_IXOTH:
            return candidate
    return None


def numpy_dirs() -> list[str]:
    """numpy's package folder and, for wheels, the folder of its bundled libraries."""
    numpy_dir = _numpy_dir()
    extras = (numpy_dir + ".libs", os.path.join(numpy_site(), "numpy.libs"))
    return [numpy_dir] + sorted({e for e in extras if os.path.isdir(e)})


def project_root() -> str | None:
    """The source tree the grader runs from (holding reference/ and solutions/), if any."""
    root = str(Path(__file__).resolve().parents[2])
    needed = python_roots() + [tempfile.gettempdir()]
    if root == "/" or any(p == root or p.startswith(root + os.sep) for p in needed):
        return None
    return root


def contain_plan(uid: int | None) -> dict[str, Any]:
    """Mounts a root-started worker makes in its own mount namespace before dropping to `uid`.

    In order: stage the Python install folders that uid cannot reach and numpy; mount an
    empty tmpfs over each folder that "others" cannot enter (e.g. /root) and move the
    install back; empty numpy's site-packages and move numpy back (so `reference` or
    `grader` installed beside it stay out of reach); hide the project tree. `required` says
    whether the worker can run without these mounts (it can when nothing is blocked).
    """
    if uid is None:
        return {}
    blocked = [r for r in python_roots() if _blocked_ancestor(r)]
    stage = blocked + numpy_dirs()
    closed = sorted({a for r in blocked if (a := _blocked_ancestor(r)) is not None})
    ops: list[list[Any]] = [["tmpfs", a] for a in closed]
    ops += [["move", i, path] for i, path in enumerate(blocked)]
    ops += [["tmpfs", numpy_site()]]
    ops += [["move", len(blocked) + i, path] for i, path in enumerate(numpy_dirs())]
    if (project := project_root()) is not None:
        ops.append(["tmpfs", project])
    return {"stage": stage, "ops": ops, "required": bool(blocked)}


def build_plan(
    level: Isolation,
    python: str,
    support_dir: Path,
    run_dir: Path,
    uid: int | None,
    scratch_bytes: int = 128 * 2**20,
) -> LaunchPlan:
    """The command line that starts the worker at `level` (the script's config is appended).

    `run_dir` holds the submission's modules; the worker imports them from there. Under
    bwrap it is bound read-only at `SANDBOX_MODULES` (a bind of the folder, so modules
    copied in after the start are seen too) and the working directory is a tmpfs of
    `scratch_bytes`: student code can write scratch files but cannot fill the disk or
    alter the modules. At the other levels `run_dir` is also the working directory.
    """
    script_rel = os.path.join("grader", "sandbox", "worker_main.py")
    if level is Isolation.BWRAP:
        args = _bwrap_args(support_dir, run_dir, uid, scratch_bytes)
        argv = ["bwrap", *args, python, "-I", "-S"]
        script = os.path.join(SANDBOX_SUPPORT, script_rel)
        return LaunchPlan(argv, SANDBOX_RUN, SANDBOX_MODULES, script, uid)
    prefix: list[str] = []
    if level is Isolation.UNSHARE:
        user = [] if os.geteuid() == 0 else ["-U", "-r"]
        prefix = ["unshare", *user, "-n", "--pid", "--fork", "--kill-child"]
    script = str(support_dir / script_rel)
    argv = [*prefix, python, "-I", "-S"]  # -S: no site, so no .pth finders (editable installs)
    return LaunchPlan(argv, str(run_dir), str(run_dir), script, uid, contain_plan(uid))


def _bwrap_args(support_dir: Path, run_dir: Path, uid: int | None, scratch: int) -> list[str]:
    if uid is None:
        args = ["--unshare-all"]
    else:  # root: no user namespace, so that the worker can setuid to a real uid
        args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        args += ["--unshare-cgroup-try", "--cap-drop", "ALL"]
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    args += ["--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + name
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for root in python_roots():
        args += _mkdirs(root) + ["--ro-bind", root, root]
    args += _hide_site_packages()
    args += _mkdirs(SANDBOX_SUPPORT) + ["--ro-bind", str(support_dir), SANDBOX_SUPPORT]
    args += ["--ro-bind", str(run_dir), SANDBOX_MODULES]
    args += ["--perms", "0777", "--size", str(scratch), "--tmpfs", SANDBOX_RUN]
    args += ["--chdir", SANDBOX_RUN]
    return args


def _mkdirs(path: str) -> list[str]:
    """bwrap arguments creating every ancestor of `path` with mode 0755."""
    args: list[str] = []
    parts = Path(path).parts
    for i in range(2, len(parts)):
        args += ["--perms", "0755", "--dir", os.path.join(*parts[:i])]
    return args


def _hide_site_packages() -> list[str]:
    """Empty every site-packages on sys.path, then bind numpy (and its libs) back.

    So `reference`, `grader` or anything else installed beside numpy stays invisible.
    """
    sites = {
        os.path.realpath(p)
        for p in sys.path
        if os.path.basename(p) in ("site-packages", "dist-packages") and os.path.isdir(p)
    }
    args: list[str] = []
    for site in sorted(sites | {numpy_site()}):
        args += ["--tmpfs", site]
    for path in numpy_dirs():
        args += ["--ro-bind", path, path]
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


def require(level: Isolation | str | None) -> Isolation:
    """Resolve a requested level: None → the strongest available; a level → itself or raise."""
    if level is None:
        return detect_isolation()
    wanted = Isolation(level)
    reason = probe(wanted)
    if reason is not None:
        raise IsolationUnavailable(f"isolation {wanted.value} is not available here: {reason}")
    return wanted
