"""The worker's folder on the grader's side: its code, its run folder, its root's mount point.

One temporary folder per `Worker` (named by `reaper.REAPER.new_folder`) holds:

    support/     the worker's own code, copied from the grader (SUPPORT_FILES), read-only
    run-XXXX/    this start's copy of the submission's modules (a new one every start)
    root/        an empty folder on which the worker may build its own root (newroot.py)
    output       the worker's captured stdout and stderr

As root, everything is made so that the worker's uid can pass through the folder but not
list it, and reads only its own run folder's files.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

ROOT_MOUNT = "root"  # the folder on which the worker may build its own root
SUPPORT_FILES = {
    "grader/codec.py": Path(__file__).parents[1] / "codec.py",
    "grader/sandbox/callables.py": Path(__file__).with_name("callables.py"),
    "grader/sandbox/landlock.py": Path(__file__).with_name("landlock.py"),
    "grader/sandbox/newroot.py": Path(__file__).with_name("newroot.py"),
    "grader/sandbox/protocol.py": Path(__file__).with_name("protocol.py"),
    "grader/sandbox/worker_main.py": Path(__file__).with_name("worker_main.py"),
    "grader/__init__.py": None,
    "grader/sandbox/__init__.py": None,
}


def write_support(root: Path) -> None:
    """Copy the worker's code into `root`/support (rewritten each start: a student may have
    deleted it); the worker's uid may pass through `root`, not list it."""
    support = root / "support"
    shutil.rmtree(support, ignore_errors=True)
    for rel, source in SUPPORT_FILES.items():
        target = support / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.parent.chmod(0o755)
        target.write_bytes(source.read_bytes() if source else b"")
        target.chmod(0o644)
    root.chmod(0o711)


def fresh_run_dir(
    root: Path, last: Path | None, modules: Mapping[str, Path], uid: int | None
) -> Path:
    """A new run folder in `root` holding a copy of each module; `last` removed, best effort
    (a leftover of the last start may still be writing to it).

    Made root-only, filled, and only then handed to the worker's uid: nothing a former
    worker left running can plant a symlink for root to follow while it copies.
    """
    if last is not None:
        shutil.rmtree(last, ignore_errors=True)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=root))  # 0700, ours
    copy_modules(run_dir, modules, uid)
    run_dir.chmod(0o711)  # bwrap, root without capabilities, must enter it
    if uid is not None:  # the worker's uid only: other workers' uids cannot list it
        os.chown(run_dir, uid, uid)
    return run_dir


def copy_modules(run_dir: Path, modules: Mapping[str, Path], uid: int | None) -> None:
    """Copy the modules in, never following a link at the target (see `fresh_run_dir`);
    readable by the worker's uid only."""
    for name, path in modules.items():
        target = run_dir / f"{name}.py"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with os.fdopen(os.open(target, flags, 0o600), "wb") as copy:
            copy.write(Path(path).read_bytes())
            if uid is not None:
                os.fchown(copy.fileno(), uid, uid)


def empty_root_dir(root: Path) -> None:
    """The empty folder on which the worker may build its own root (see newroot.py)."""
    folder = root / ROOT_MOUNT
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
