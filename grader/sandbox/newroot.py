"""Inside the worker: build its own filesystem root, then give up the power to change it.

Runs in the worker process before any student code (a support file: standard library
only). `enter(plan)` makes a private mount namespace, assembles on a tmpfs the tree that
`layout.py` describes (the same one bubblewrap builds), pivots into it and detaches the
old root, so nothing else on the machine is reachable any more, by any path. It needs
CAP_SYS_ADMIN in the worker's user namespace: root, or the mapped root of
``unshare -U -r``. Where mount namespaces are refused (Docker's default seccomp profile)
it raises `OSError`.

Afterwards the caller drops what let it do this: `drop_capabilities` (inside a user
namespace, where the worker stays uid 0) or a change to an unprivileged uid (as real root).
`reach_through` is the fallback for a root worker with no mount namespace whose Python
lives under a folder others cannot enter (pyenv in /root): it keeps a handle on each such
folder, so the interpreter can still import from it after the uid change.

    mount(2), pivot_root(2), capabilities(7), prctl(2)
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
from typing import Any

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 0x4000, 1 << 18
MNT_DETACH = 2
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE = 24, 38, 4
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CAPABILITY_VERSION_3 = 0x20080522
# statvfs flags that a bind in a user namespace must keep (kernel: "locked" mount flags)
LOCKED_FLAGS = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    args = [s.encode() if s is not None else None for s in (source, target, fstype)]
    _check(_libc.mount(*args, flags, data.encode() or None), f"mount {source} on {target}")


def _bind(source: str, target: str, read_only: bool = True) -> None:
    """Bind `source` at `target` (created like it), read-only unless told otherwise."""
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    if read_only:
        kept = sum(ms for st, ms in LOCKED_FLAGS.items() if os.statvfs(target).f_flag & st)
        _mount("none", target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept)


def _tmpfs(target: str, mode: str, size: int | None = None) -> None:
    os.makedirs(target, mode=0o755, exist_ok=True)
    options = f"mode={mode}" + (f",size={size}" if size else "")
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options)


def enter(plan: dict[str, Any]) -> None:
    """Build the worker's tree under `plan["root"]` and make it the root of this process.

    `plan`: the `layout.View` as config ("system", "python", "emptied", "numpy",
    "devices"); "binds", [host folder, path inside] pairs bound read-only (the worker's
    code, the modules); "run",
    the working directory, a tmpfs of "scratch_bytes"; "proc": whether this process has a
    PID namespace of its own (only then is /proc mounted).
    """
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    root = plan["root"]
    _tmpfs(root, "0755")

    def inside(path: str) -> str:
        return root + path

    for path, link in plan["system"]:
        if link is None:
            _bind(path, inside(path))
        else:
            os.symlink(link, inside(path))
    _tmpfs(inside("/tmp"), "1777")
    _tmpfs(inside("/dev"), "0755")
    for device in plan["devices"]:
        _bind("/dev/" + device, inside("/dev/" + device), read_only=False)
    os.makedirs(inside("/proc"), mode=0o555)
    if plan["proc"]:
        _mount("proc", inside("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for path in plan["python"]:
        _bind(path, inside(path))
    for path in plan["emptied"]:
        _tmpfs(inside(path), "0755")
    for path in plan["numpy"]:
        _bind(path, inside(path))
    for source, target in plan["binds"]:
        _bind(source, inside(target))
    _tmpfs(inside(plan["run"]), "0777", plan["scratch_bytes"])
    _pivot(root)
    os.chdir(plan["run"])


def _pivot(root: str) -> None:
    """Make `root` the root of this mount namespace and detach the old one entirely."""
    os.chdir(root)
    number = PIVOT_ROOT.get(platform.machine())
    if number is not None:
        _check(_libc.syscall(number, b".", b"."), "pivot_root")
        _check(_libc.umount2(b".", MNT_DETACH), "umount2 old root")
    else:  # switch_root's way: move the new tree over / and enter it
        _mount(root, "/", None, 8192)  # MS_MOVE
        os.chroot(".")
    os.chdir("/")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def drop_capabilities() -> None:
    """Give up every capability for good: bounding set, ambient, effective, permitted and
    inheritable sets emptied, and no way back through exec (no_new_privs)."""
    cap = 0
    while _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    no_new_privileges()


def no_new_privileges() -> None:
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def reach_through(folders: list[str]) -> dict[str, str]:
    """Open a handle on each folder now (as root), for use after the uid change.

    Returns {folder: "/proc/self/fd/N"}: a path through the handle reaches the folder's
    contents without passing its closed ancestors. Call `after_uid_change` once the uid
    has changed, so that the process may read its own /proc/self/fd.
    """
    return {folder: f"/proc/self/fd/{os.open(folder, os.O_PATH)}" for folder in folders}


def after_uid_change(handles: dict[str, str]) -> None:
    """Let this process read /proc/self/fd again, and import through the handles."""
    if not handles:
        return
    _check(_libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
    sys.path[:] = [through(path, handles) for path in sys.path]
    for module in list(sys.modules.values()):  # packages already imported (importlib, ...)
        search = getattr(module, "__path__", None)
        if isinstance(search, list):
            search[:] = [through(path, handles) for path in search]


def through(path: str, handles: dict[str, str]) -> str:
    """`path` rewritten to pass through the handle of the folder holding it, if any."""
    for folder, handle in handles.items():
        if path == folder or path.startswith(folder + os.sep):
            return handle + path[len(folder) :]
    return path
