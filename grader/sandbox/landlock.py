"""Inside the worker: hide the filesystem without namespaces, with Landlock (Linux >= 5.13).

Runs in the worker process (a support file: standard library only). Where the worker has
no root of its own (the rlimits level: an ordinary user on a CI runner, or root in Docker
where mount namespaces are refused), Landlock still lets an unprivileged process give up,
for itself and everything it starts, all access to files outside an allow-list:

- read (and execute) the folders of `layout.py`: the system, the Python install without
  its site-packages, numpy, the worker's own code;
- read and write the run folder and a few devices (/dev/null, /dev/urandom, ...);
- from Landlock ABI 4, no TCP connect or bind; from ABI 6, no signal to a process outside
  the worker, and no abstract unix socket outside it.

`prepare` opens the allowed paths and builds the rule set (before the uid change, while
every folder is reachable); `restrict` applies it just before student code can run.

    landlock(7): https://docs.kernel.org/userspace-api/landlock.html
"""

from __future__ import annotations

import ctypes
import os
import stat
import struct
import sys

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446  # the same on every architecture
RULESET_VERSION, RULE_PATH_BENEATH = 1, 1
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1, 2, 4, 8
ALL_FS_V1 = (1 << 13) - 1  # execute .. make_sym
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2
FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi() -> int:
    """The Landlock ABI version of this kernel; 0 when Landlock is missing or disabled."""
    if not sys.platform.startswith("linux"):
        return 0
    version = _libc.syscall(CREATE_RULESET, None, ctypes.c_size_t(0), RULESET_VERSION)
    return max(int(version), 0)


def _all_fs(version: int) -> int:
    every = ALL_FS_V1
    if version >= 2:
        every |= REFER
    if version >= 3:
        every |= TRUNCATE
    if version >= 5:
        every |= IOCTL_DEV
    return every


def prepare(read: list[str], write: list[str]) -> int | None:
    """A rule set allowing reads beneath `read` and everything beneath `write`; returns its
    file descriptor, or None when this kernel has no Landlock. Missing paths are skipped."""
    version = abi()
    if version < 1:
        return None
    every = _all_fs(version)
    fields = [every]
    if version >= 4:
        fields.append(NET_BIND_TCP | NET_CONNECT_TCP)
    if version >= 6:
        fields.append(SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    attr = ctypes.create_string_buffer(struct.pack(f"{len(fields)}Q", *fields))
    ruleset = _libc.syscall(CREATE_RULESET, attr, ctypes.c_size_t(len(attr.raw)), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    for paths, access in ((read, EXECUTE | READ_FILE | READ_DIR), (write, every)):
        for path in paths:
            _allow(int(ruleset), path, access)
    return int(ruleset)


def _allow(ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= FILE_ONLY
        rule = ctypes.create_string_buffer(struct.pack("=Qi", access, fd))
        if _libc.syscall(ADD_RULE, ruleset, RULE_PATH_BENEATH, rule, 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
    finally:
        os.close(fd)


def restrict(ruleset: int) -> None:
    """Apply the rule set to this process and all it starts, for good (no_new_privs first)."""
    if _libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if _libc.syscall(RESTRICT_SELF, ruleset, 0) != 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    os.close(ruleset)
