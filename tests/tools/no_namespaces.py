"""Run a command the way Docker's default seccomp profile would: no new namespaces, no mounts.

    python tests/tools/no_namespaces.py gradeformer grade solutions/
    python tests/tools/no_namespaces.py pytest -q
    python tests/tools/no_namespaces.py --no-landlock pytest -q    # and a kernel before 5.13

A seccomp filter, inherited by every process the command starts, makes ``unshare``,
``setns``, ``mount``, ``umount2`` and ``pivot_root`` fail with EPERM, ``clone`` fail with
EPERM when asked for a new namespace, and ``clone3`` fail with ENOSYS (so the C library
falls back to ``clone``), which is what Docker does for a container without
CAP_SYS_ADMIN. bubblewrap and unshare(1) then fail as they do on Gradescope, and the
grader's own mount namespace is refused, so the rlimits level is all that is left.
With ``--no-landlock`` the Landlock calls fail with ENOSYS too, as on a kernel older than
5.13 or a Docker whose profile predates Landlock. Linux on x86_64 or aarch64 only.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

LANDLOCK = (444, 445, 446)  # landlock_create_ruleset, _add_rule, _restrict_self (all arches)
# syscall numbers: unshare, setns, mount, umount2, pivot_root, clone, clone3
SYSCALLS = {
    "x86_64": (0xC000003E, (272, 308, 165, 166, 155), 56, 435),
    "aarch64": (0xC00000B7, (97, 268, 40, 39, 41), 220, 435),
}
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME
CLONE_NEW_FLAGS = 0x7E020080
LOAD, JEQ, JSET, RET = 0x20, 0x15, 0x45, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def program(landlock: bool = True) -> list[tuple[int, int, int, int]]:
    """The BPF filter for this machine, as (code, jump-if-true, jump-if-false, k) rows."""
    arch, refused, clone, clone3 = SYSCALLS[platform.machine()]
    eperm, enosys = ERRNO | errno.EPERM, ERRNO | errno.ENOSYS
    rows = [(LOAD, 0, 0, 4), (JEQ, 1, 0, arch), (RET, 0, 0, ALLOW), (LOAD, 0, 0, 0)]
    for nr in refused:
        rows += [(JEQ, 0, 1, nr), (RET, 0, 0, eperm)]
    for nr in () if landlock else LANDLOCK:
        rows += [(JEQ, 0, 1, nr), (RET, 0, 0, enosys)]
    rows += [(JEQ, 0, 1, clone3), (RET, 0, 0, enosys)]
    rows += [(JEQ, 0, 3, clone), (LOAD, 0, 0, 16), (JSET, 0, 1, CLONE_NEW_FLAGS)]
    rows += [(RET, 0, 0, eperm), (RET, 0, 0, ALLOW)]
    return rows


def install(landlock: bool = True) -> None:
    """Install the filter on this process (and so on everything it starts)."""
    rows = program(landlock)
    code = b"".join(struct.pack("HBBI", *row) for row in rows)
    buffer = ctypes.create_string_buffer(code)

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Program(len(rows), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    ulong = ctypes.c_ulong
    libc.prctl.argtypes = [ctypes.c_int, ulong, ctypes.c_void_p, ulong, ulong]
    if os.geteuid() != 0 and libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


if __name__ == "__main__":
    args = sys.argv[1:]
    keep_landlock = args[:1] != ["--no-landlock"]
    args = args if keep_landlock else args[1:]
    if not args:
        sys.exit("usage: no_namespaces.py [--no-landlock] COMMAND [ARGS...]")
    install(keep_landlock)
    os.execvp(args[0], args)
