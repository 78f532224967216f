"""The last resort as root: hide the answer key from workers by file modes alone.

A root grader's worker runs as a uid of its own, with no groups, so to it every file is an
"other" file. Where the worker can have neither a root of its own (mount namespaces
refused) nor Landlock (a kernel older than 5.13, or a container profile that refuses it),
the only thing between student code and the answer key is the "other" permission bits. So
before such a worker runs, `close_to_others` removes them (``chmod o-rwx``) from what must
stay private: the installed grader and `reference` packages, the source checkout they come
from, the case cache, and what the command names (the exercises, the results folder, a
class folder). A folder the worker needs (the Python install, numpy) is left open; a
private folder that holds one is closed around it, entry by entry.

The Gradescope `setup.sh` does the same for the installed package when it builds the image.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from grader.cache import cache_root
from grader.sandbox import layout

OTHERS = stat.S_IROTH | stat.S_IWOTH | stat.S_IXOTH
PRIVATE_ENV = "GRADEFORMER_PRIVATE"  # more private paths, set by the command (os.pathsep)


def also_private(paths: Iterable[str | Path]) -> None:
    """Name more paths to keep private (the exercises, results, a class folder), for this
    process and those it starts (class grading)."""
    known = [p for p in os.environ.get(PRIVATE_ENV, "").split(os.pathsep) if p]
    os.environ[PRIVATE_ENV] = os.pathsep.join(sorted({*known, *map(str, paths)}))


def private_paths(extra: Iterable[str | Path] = ()) -> list[str]:
    """What must stay private: the grader and reference packages, the checkout they were
    installed from, the case cache, what `also_private` named, and `extra`."""
    named = [str(p) for p in extra]
    named += [p for p in os.environ.get(PRIVATE_ENV, "").split(os.pathsep) if p]
    paths = named + [holder for p in named if (holder := _checkout_of(p))]
    for package in ("grader", "reference"):
        found = importlib.util.find_spec(package)
        if found is not None and found.origin is not None:
            paths.append(os.path.dirname(found.origin))
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "reference").is_dir():
        paths.append(str(checkout))
    cache = cache_root()
    if cache is not None:
        paths.append(str(cache))
    return sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})


def close_to_others(paths: Iterable[str], worker_folder: str | Path) -> list[str]:
    """Remove the "other" permission bits from each of `paths`, keeping reachable what a
    worker needs (the Python install without its site-packages, numpy, its own folder);
    returns the paths whose mode changed."""
    needed = [*layout.readable(layout.view()), str(worker_folder)]
    keep = [os.path.realpath(p) for p in needed]
    changed: list[str] = []
    for path in paths:
        _close(os.path.realpath(path), keep, changed)
    return changed


def _close(path: str, keep: list[str], changed: list[str]) -> None:
    if any(_within(path, k) for k in keep):  # needed itself: leave it as it is
        return
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return
    if stat.S_ISLNK(mode):
        return
    holds_needed = stat.S_ISDIR(mode) and any(_within(k, path) for k in keep)
    closed = mode & ~(stat.S_IROTH | stat.S_IWOTH) if holds_needed else mode & ~OTHERS
    if stat.S_IMODE(closed) != stat.S_IMODE(mode):
        with contextlib.suppress(OSError):
            os.chmod(path, stat.S_IMODE(closed))
            changed.append(path)
    if holds_needed:  # passable, not listable: close each entry but the needed ones
        for entry in sorted(os.listdir(path)):
            _close(os.path.join(path, entry), keep, changed)


def _checkout_of(path: str) -> str:
    """The gradeformer checkout holding `path` (an exercises folder in it), else ""."""
    parent = Path(path).resolve().parent
    return (
        str(parent) if (parent / "reference").is_dir() and (parent / "exercises").is_dir() else ""
    )


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
