"""What the worker sees: one filesystem view, whichever level builds it.

Student code sees the same tree at every level that can build one (bwrap builds it from
command-line arguments, the unshare and rlimits levels build it in the worker itself, see
`newroot.py`)::

    /usr, /bin, /lib, ...      the system, read-only
    <python roots>             the interpreter (and virtual environment), read-only, at
                               their real paths; every site-packages in them is emptied
    <numpy dirs>               numpy and its bundled libraries, bound back, read-only
    /proc /dev /tmp            a private proc (own PID namespace only), a few devices, a tmpfs
    /gf/support                the worker's own code (codec, protocol, worker_main), read-only
    /gf/modules                the submission's modules, read-only
    /gf/run                    the working directory: a small tmpfs for scratch files

Everything else (the project checkout, the installed grader and answer key, home folders,
the case cache, results, other students' work) does not exist there. The paths come from
where this interpreter and numpy really are, never from the project checkout, so an
editable install, a wheel, a virtual environment and a system-wide install all work.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import site
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

SUPPORT = "/gf/support"
RUN = "/gf/run"
MODULES = "/gf/modules"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
DEVICES = ("null", "zero", "full", "random", "urandom")


@functools.cache
def numpy_dir() -> str:
    """numpy's package folder, found without importing numpy (the grader may not have yet)."""
    found = importlib.util.find_spec("numpy")
    if found is None or found.origin is None:
        raise FileNotFoundError("numpy is not installed")
    return os.path.dirname(os.path.realpath(found.origin))


def interpreter() -> str:
    """This interpreter's path with its folder resolved (no "..", no symlinked folder, so it
    exists in the view) but its own name kept (a virtual environment's python is a symlink
    that must stay one, or the environment is lost)."""
    folder, name = os.path.split(sys.executable)
    return os.path.join(os.path.realpath(folder), name)


def numpy_site() -> str:
    """The site-packages folder numpy is installed in (the only one the worker puts on sys.path)."""
    return os.path.dirname(numpy_dir())


def numpy_dirs() -> list[str]:
    """numpy's package folder and, for wheels, the folder of its bundled libraries."""
    extras = (numpy_dir() + ".libs", os.path.join(numpy_site(), "numpy.libs"))
    return [numpy_dir()] + sorted({e for e in extras if os.path.isdir(e)})


def python_roots() -> list[str]:
    """The outermost folders holding the interpreter, its standard library and numpy."""
    roots = [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), numpy_site()]
    unique: list[str] = []
    for root in sorted(set(roots), key=len):
        if not any(_within(root, kept) for kept in unique):
            unique.append(root)
    return unique


def site_packages() -> list[str]:
    """Every site-packages (or dist-packages) folder this interpreter or its base could
    import from: those on sys.path, and those of sys.prefix and sys.base_prefix (a virtual
    environment's base install has its own, and Debian's Python has some under /usr/local)."""
    candidates = [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
    candidates += site.getsitepackages([sys.prefix, sys.base_prefix])
    sites = {os.path.realpath(p) for p in candidates if os.path.isdir(p)}
    return sorted(sites | {numpy_site()})


def blocked_ancestor(path: str) -> str | None:
    """The topmost ancestor of `path` (itself included) that "others" cannot enter, if any."""
    parts = Path(path).parts
    for i in range(2, len(parts) + 1):
        candidate = os.path.join(*parts[:i])
        if not os.stat(candidate).st_mode & stat.S_IXOTH:
            return candidate
    return None


@dataclass(frozen=True)
class View:
    """The host paths that make up the worker's tree (see the module docstring)."""

    system: tuple[tuple[str, str | None], ...]  # (path, symlink target or None: a folder)
    python: tuple[str, ...]
    emptied: tuple[str, ...]
    numpy: tuple[str, ...]

    def to_config(self) -> dict[str, list[object]]:
        return {
            "system": [list(entry) for entry in self.system],
            "python": list(self.python),
            "emptied": list(self.emptied),
            "numpy": list(self.numpy),
            "devices": list(DEVICES),
        }


def view() -> View:
    """The view for this interpreter and this machine."""
    system: list[tuple[str, str | None]] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            system.append((path, os.readlink(path)))
        elif os.path.isdir(path):
            system.append((path, None))
    roots = python_roots()
    visible = roots + [path for path, link in system if link is None]
    emptied = [s for s in site_packages() if any(_within(s, top) for top in visible)]
    return View(tuple(system), tuple(roots), tuple(emptied), tuple(numpy_dirs()))


def readable(view: View) -> list[str]:
    """The view's read-only part as paths on this machine (for Landlock, which allows
    whole subtrees): the system and each Python root without their site-packages, numpy."""
    paths: list[str] = []
    for top in [path for path, link in view.system if link is None] + list(view.python):
        paths += _subtree_without(top, view.emptied)
    return sorted(set(paths)) + list(view.numpy)


def _subtree_without(root: str, excluded: tuple[str, ...]) -> list[str]:
    """The fewest folders and files that cover `root`'s subtree except `excluded` (real
    paths; a symlink counts as what it points to, one that points back up is left out)."""
    inside = tuple(e for e in excluded if _within(e, root))
    if not inside:
        return [root]
    if root in inside or not os.path.isdir(root):
        return []
    paths: list[str] = []
    for entry in sorted(os.listdir(root)):
        real = os.path.realpath(os.path.join(root, entry))
        if not _within(root, real):
            paths += _subtree_without(real, inside)
    return paths


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
