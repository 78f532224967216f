"""Nothing a worker starts outlives it, and nothing it leaves on disk outlives the grader.

Processes. The process that owns workers makes itself a child subreaper (Linux), so a
process orphaned by a worker's descendants (a double fork, a new session) is re-parented
to it instead of to init and stays findable. When a worker stops, `bury` kills: every
descendant of the worker; then every child of this process that is not a live worker and
is in a session other than this process's (only a worker or something it started can be:
what this process starts itself, a forkserver or a Dask nanny, shares its session); and,
when the worker ran as a uid of its own (the grader is root), every process of that uid,
with kill(-1) from that uid (`kill_uid`). An ordinary user's rlimits worker has no uid of
its own: there a chain of processes that fork and exit faster than /proc can be read may
escape (documented in docs/security.md; the other levels have a PID namespace).
At bwrap and unshare a worker's PID namespace dies with it anyway; this is what makes the
rlimits level keep the same promise.

Temporary folders. Each worker's folder is named ``gradeformer-<pid>-...`` after the
process that made it (an unpacked zip or notebook ``gradeformer-sub-<pid>-...``,
``gradeformer-nb-<pid>-...``). It is removed when the worker closes or this process exits
normally (and on SIGTERM, which the CLI turns into a normal exit); `sweep_stale_folders`
removes, on the next run, those a killed process (SIGKILL) left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
FOLDER_PREFIX = "gradeformer-"
# a worker's folder, an unpacked submission (sub-) or notebook (nb-), after the owner's pid
OWNED_FOLDER = re.compile(r"gradeformer-(?:sub-|nb-)?(\d+)-")
ROUNDS = 20  # kill passes: a process that forks while being killed is caught by the next


class Reaper:
    """The live workers of this process, and the killing of what they leave behind."""

    def __init__(self) -> None:
        self._workers: set[int] = set()
        self._lock = threading.RLock()  # held from a worker's launch until it is adopted
        self._subreaper = False
        self._swept = False

    def launching(self) -> threading.RLock:
        """Hold this around starting a worker and `adopt`ing it: until it is adopted, a
        new worker looks like an orphan to `bury` in another thread."""
        return self._lock

    def adopt(self, pid: int) -> None:
        """A worker process has started: from now on its orphans come to us."""
        with self._lock:
            self._workers.add(pid)
            if not self._subreaper and sys.platform.startswith("linux"):
                libc = ctypes.CDLL(None, use_errno=True)
                self._subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0

    def new_folder(self) -> Path:
        """A private temporary folder for one worker, named after this process; the first
        call also removes the folders killed processes left (`sweep_stale_folders`)."""
        with self._lock:
            if not self._swept:
                self._swept = True
                sweep_stale_folders()
        return Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))

    def descendants(self, pid: int) -> list[int]:
        """Every live descendant of `pid` (an empty list where /proc cannot tell)."""
        table = _process_table()
        children: dict[int, list[int]] = {}
        for child, (parent, _session) in table.items():
            children.setdefault(parent, []).append(child)
        found, todo = [], list(children.get(pid, []))
        while todo:
            child = todo.pop()
            found.append(child)
            todo += children.get(child, [])
        return found

    def bury(self, pid: int, uid: int | None) -> None:
        """Kill what the stopped worker `pid` left running (see the module docstring).
        Call it with the worker's descendants already killed or found (`descendants`)."""
        with self._lock:  # no worker is being launched while we look for orphans
            self._workers.discard(pid)
            if uid is not None:
                kill_uid(uid)
            self._kill_orphans()

    def _kill_orphans(self) -> None:
        """Kill our children that are no live worker and in another session than ours."""
        live, me, session = set(self._workers), os.getpid(), os.getsid(0)
        for _ in range(ROUNDS):
            table = _process_table()
            doomed = [
                p
                for p, (parent, sid) in table.items()
                if parent == me and p not in live and sid != session
            ]
            if not doomed:
                return
            for p in doomed:
                _kill(p)
                for child in self.descendants(p):
                    _kill(child)
            for p in doomed:  # ours once re-parented: reap them, or they stay as zombies
                if table[p][0] == me:
                    with contextlib.suppress(ChildProcessError, OSError):
                        os.waitpid(p, 0)


def kill_uid(uid: int) -> None:
    """Kill every process of `uid` (the grader is root): a child that becomes `uid` sends
    SIGKILL to all it may signal, which the kernel does in one pass over the process table,
    so a chain of processes that fork and exit cannot outrun it as it can a scan of /proc."""
    for _ in range(3):  # a fork racing the first pass is caught by the next
        child = os.fork()
        if child == 0:
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(child, 0)


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        _kill(pid)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _process_table() -> dict[int, tuple[int, int]]:
    """{pid: (parent pid, session id)} of every live, non-zombie process."""
    table = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return {}
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":  # state; then ppid, pgrp, session
            table[int(entry)] = (int(fields[1]), int(fields[3]))
    return table


def sweep_stale_folders() -> int:
    """Remove the worker folders of processes that no longer exist (killed with SIGKILL);
    only this user's. Returns how many were removed."""
    removed = 0
    for path in Path(tempfile.gettempdir()).glob(FOLDER_PREFIX + "*-*"):
        named = OWNED_FOLDER.match(path.name)
        if named is None or _alive(int(named.group(1))):
            continue
        with contextlib.suppress(OSError):
            if path.is_dir() and path.stat().st_uid == os.geteuid():
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


REAPER = Reaper()
