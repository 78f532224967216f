"""Find the exercise modules of a submission: a folder, a `.zip` or a Jupyter `.ipynb`.

Every submission is first turned into a folder (a zip is extracted safely, a notebook is
written out as modules) and then searched: a module `softmax` is the file `softmax.py`
anywhere inside, skipping hidden folders, `__pycache__` and symlinks that lead outside.
When several files have the name, the shallowest wins (then the first in sorted order).

Notebooks: the code cells are concatenated (IPython magics and shell lines commented out)
and the result is written as the module of every exercise whose contract functions the
notebook defines at top level (`def softmax(...)` makes it the `softmax` module). A
notebook inside a folder or zip is used the same way for modules no `.py` file provides.
"""

from __future__ import annotations

import ast
import json
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_ZIP_BYTES = 50 * 2**20  # total uncompressed size of a zip submission
MAX_ZIP_MEMBERS = 2000
ANSWERS_FILE = "answers.yaml"


class SubmissionError(Exception):
    """A submission that cannot be read at all (bad zip, invalid notebook, missing path)."""


@dataclass
class Located:
    """The modules found in a submission (module name -> file) and their answers.yaml files."""

    root: Path
    modules: dict[str, Path] = field(default_factory=dict)
    answers: dict[str, Path] = field(default_factory=dict)  # module -> answers.yaml beside it


def materialise(path: Path, workdir: Path, functions: dict[str, list[str]]) -> Path:
    """Turn the submission at `path` into a folder and return it.

    A folder is returned as is; a `.zip` is extracted into `workdir`; an `.ipynb` is written
    out into `workdir` as the modules it defines (`functions`: module -> contract functions).
    Raises `SubmissionError` with a one-line message for unreadable input.
    """
    if not path.exists():
        raise SubmissionError(f"no submission at {path} (no such file or folder)")
    if path.is_dir():
        return path
    suffix = path.suffix.lower()
    workdir.mkdir(parents=True, exist_ok=True)
    if suffix == ".zip":
        extract_zip(path, workdir)
        return workdir
    if suffix == ".ipynb":
        write_notebook_modules(path, workdir, functions)
        return workdir
    if suffix == ".py":
        return path.parent
    raise SubmissionError(f"{path} is not a folder, a .zip or an .ipynb; nothing was graded")


def extract_zip(path: Path, dest: Path, max_bytes: int = MAX_ZIP_BYTES) -> None:
    """Extract `path` into `dest`, refusing absolute paths, `..`, symlinks and zip bombs."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise SubmissionError(
                    f"{path.name} holds {len(members)} files (limit {MAX_ZIP_MEMBERS}); "
                    "nothing was graded"
                )
            total = sum(m.file_size for m in members)
            if total > max_bytes:
                raise SubmissionError(
                    f"{path.name} unpacks to {total / 2**20:.1f} MiB "
                    f"(limit {max_bytes / 2**20:.0f} MiB); nothing was graded"
                )
            for m in members:
                _check_member_name(path, m.filename)
            for m in members:
                mode = m.external_attr >> 16
                if m.is_dir() or stat.S_ISLNK(mode):
                    continue
                target = dest.joinpath(*PurePosixPath(m.filename.replace("\\", "/")).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(m) as src, open(target, "wb") as out:
                    _copy_capped(src, out, m.file_size, path.name)
    except zipfile.BadZipFile as exc:
        raise SubmissionError(
            f"{path.name} is not a valid zip file ({exc}); nothing was graded"
        ) from None
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise SubmissionError(
            f"{path.name} could not be unpacked ({exc}); nothing was graded"
        ) from None


def _check_member_name(path: Path, name: str) -> None:
    posix = name.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix) or ".." in parts:
        raise SubmissionError(
            f"{path.name} contains an unsafe path {name!r} (absolute or with ..); "
            "nothing was graded"
        )


def _copy_capped(src, out, declared: int, zip_name: str) -> None:
    """Copy at most `declared` bytes: a member that inflates past its header is refused."""
    written = 0
    while chunk := src.read(1 << 16):
        written += len(chunk)
        if written > declared:
            raise SubmissionError(f"{zip_name}: a member is larger than it declares")
        out.write(chunk)


_MAGIC = re.compile(r"^\s*[%!]")


def notebook_source(path: Path) -> str:
    """The code cells of a notebook, concatenated, magics and shell lines commented out."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SubmissionError(f"{path.name} is not a valid notebook (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SubmissionError(
            f"{path.name} is not a valid notebook (invalid JSON at line {exc.lineno} "
            f"column {exc.colno}); nothing was graded"
        ) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise SubmissionError(f"{path.name} is not a valid notebook (no list of cells)")
    chunks = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        lines = [("# " + ln if _MAGIC.match(ln) else ln) for ln in text.splitlines()]
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"


def defined_functions(source: str) -> set[str]:
    """Names of top-level functions defined in `source` (a regex fallback on syntax errors)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(re.findall(r"^def\s+([A-Za-z_]\w*)", source, flags=re.MULTILINE))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def write_notebook_modules(path: Path, dest: Path, functions: dict[str, list[str]]) -> None:
    """Write the notebook's code as `<module>.py` for every module whose functions it defines."""
    source = notebook_source(path)
    defined = defined_functions(source)
    for module, names in functions.items():
        if defined.intersection(names):
            (dest / f"{module}.py").write_text(source, encoding="utf-8")
    answers = path.with_name(ANSWERS_FILE)
    if answers.is_file():
        (dest / ANSWERS_FILE).write_bytes(answers.read_bytes())


def _files(root: Path) -> Iterator[tuple[int, Path]]:
    """(depth, file) under `root`, skipping hidden folders, __pycache__ and outside links."""
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and d != "__pycache__" and _inside(here / d, real_root)
        )
        depth = len(here.relative_to(root).parts)
        for name in sorted(filenames):
            if _inside(here / name, real_root):
                yield depth, here / name


def locate(root: Path, modules: Iterable[str]) -> Located:
    """Find `<module>.py` for each wanted module under `root` (see the module docstring)."""
    wanted = set(modules)
    found: dict[str, tuple[int, str, Path]] = {}
    for depth, file in _files(root):
        if file.suffix != ".py" or file.stem not in wanted:
            continue
        key = (depth, str(file.relative_to(root)), file)
        if file.stem not in found or key[:2] < found[file.stem][:2]:
            found[file.stem] = key
    located = Located(root=root)
    for module, (_, _, file) in sorted(found.items()):
        located.modules[module] = file
        answers = file.with_name(ANSWERS_FILE)
        if answers.is_file():
            located.answers[module] = answers
    return located


def add_notebook_modules(located: Located, workdir: Path, functions: dict[str, list[str]]) -> None:
    """Fill modules still missing from the notebooks inside the submission, in path order."""
    for i, (_, notebook) in enumerate(p for p in _files(located.root) if p[1].suffix == ".ipynb"):
        missing = {m: f for m, f in functions.items() if m not in located.modules}
        if not missing:
            return
        out = workdir / f"notebook-{i}"
        out.mkdir(parents=True)
        write_notebook_modules(notebook, out, missing)
        found = locate(out, missing)
        located.modules.update(found.modules)
        located.answers.update(found.answers)


def _inside(path: Path, real_root: Path) -> bool:
    """False for a symlink (or a path through one) that resolves outside the submission."""
    if not path.is_symlink():
        return True
    try:
        path.resolve().relative_to(real_root)
    except (ValueError, OSError):
        return False
    return True
