"""Find the exercise modules of a submission: a folder, a `.zip` or a Jupyter `.ipynb`.

Every submission is first turned into a folder (a zip is extracted safely, a notebook is
written out as modules) and then searched: a module `softmax` is the file `softmax.py`
anywhere inside, skipping hidden folders, `__pycache__` and symlinks that lead outside (or
nowhere).
When several files have the name, the shallowest wins (then the first in sorted order).

Notebooks: the code cells are concatenated (IPython magics and shell lines commented out),
reduced to imports, definitions and simple constants (`module_source`: plots, prints and
test calls are commented out, imports of packages other than numpy, math and the standard
library may fail), and the result is written as the module of every exercise whose
contract functions the notebook defines at top level (`def softmax(...)` makes it the
`softmax` module). A
notebook inside a folder or zip is used the same way for modules no `.py` file provides.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import stat
import sys
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
    borrowed: set[str] = field(default_factory=set)  # from a sibling folder: imports only
    links_out: dict[str, Path] = field(default_factory=dict)  # module -> a link not followed


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


REQUIRED_PACKAGES = frozenset({"numpy", "math"}) | frozenset(sys.stdlib_module_names)
SAFE_BUILTINS = frozenset({
    "abs", "bool", "dict", "enumerate", "filter", "float", "frozenset", "int", "len", "list",
    "map", "max", "min", "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple",
    "zip",
})  # fmt: skip


def module_source(source: str) -> str:
    """A notebook's code reduced to what a module needs, so importing it runs no cell's work.

    Kept: top-level imports, function and class definitions, ``try`` blocks of imports, and
    simple constant assignments (``EPS = 1e-9``, ``W = np.eye(3)``: literals, numpy/math,
    a few builtins and earlier kept names). Dropped (commented out, so line numbers stay):
    expressions and other statements (plots, prints, test calls, ``x = softmax(x)``). An
    import of a package other than numpy, math and the standard library is wrapped in
    ``try: ... except ImportError: pass`` (matplotlib is not installed where code is graded).
    Source that does not parse is returned as it is: the worker reports the syntax error.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    numeric: set[str] = set()  # the names numpy and math are imported as
    known: set[str] = set()  # names bound by kept statements
    out: list[str] = []
    done = 0  # lines of `source` written so far
    for node in tree.body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        end = node.end_lineno or node.lineno
        out.extend(lines[done : start - 1])  # blank lines and comments between statements
        # the statement alone (``a = 1; plt.show()`` is two statements on one line)
        text = lines[start - 1 : node.lineno - 1]
        text += (ast.get_source_segment(source, node) or "").splitlines()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            _bind_import(node, known, numeric)
            if not _required(node):
                text = ["try: " + " ".join(ln.strip() for ln in text), "except ImportError: pass"]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            known.add(node.name)
        elif isinstance(node, ast.Try) and all(
            isinstance(n, (ast.Import, ast.ImportFrom)) for n in node.body
        ):
            for n in node.body:
                _bind_import(n, known, numeric)  # type: ignore[arg-type]
        elif _simple_assignment(node, known, numeric):
            known.update(_assigned_names(node))
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            text = ["# " + ln for ln in text]  # dropped; a docstring stays as it is
        out.extend(text)
        done = end
    out.extend(lines[done:])
    return "\n".join(out) + "\n"


def _bind_import(node: ast.Import | ast.ImportFrom, known: set[str], numeric: set[str]) -> None:
    for alias in node.names:
        bound = alias.asname or alias.name.split(".")[0]
        known.add(bound)
        full = alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
        if full.split(".")[0] in ("numpy", "math"):
            numeric.add(bound)


def _required(node: ast.Import | ast.ImportFrom) -> bool:
    """True for an import of numpy, math, the standard library or a relative module."""
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in REQUIRED_PACKAGES
    return all(a.name.split(".")[0] in REQUIRED_PACKAGES for a in node.names)


def _assigned_names(node: ast.stmt) -> set[str]:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    names = set()
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.add(sub.id)
    return names


def _simple_assignment(node: ast.stmt, known: set[str], numeric: set[str]) -> bool:
    """An assignment to plain names of a value built from literals, numpy/math, a few
    builtins and names already kept (no call of the student's functions, no plotting)."""
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
        targets, value = [node.target], node.value
    else:
        return False
    for target in targets:
        parts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        if not all(isinstance(p, ast.Name) for p in parts):
            return False
    if isinstance(node, ast.AugAssign) and not _assigned_names(node) <= known:
        return False
    local = {
        n.id
        for comp in ast.walk(value)
        if isinstance(comp, ast.comprehension)
        for n in ast.walk(comp.target)
        if isinstance(n, ast.Name)
    }
    allowed = known | numeric | local | SAFE_BUILTINS
    for sub in ast.walk(value):
        if isinstance(sub, ast.Name) and sub.id not in allowed:
            return False
        if isinstance(sub, ast.Call) and not _numeric_call(sub.func, numeric):
            return False
        if isinstance(sub, (ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
    return True


def _numeric_call(func: ast.expr, numeric: set[str]) -> bool:
    """A call of numpy/math (``np.eye``, ``np.arange(3).reshape``), a safe builtin, or a
    method of a literal (``"a b".split``)."""
    root = func
    while isinstance(root, (ast.Attribute, ast.Call, ast.Subscript)):
        root = root.func if isinstance(root, ast.Call) else root.value
    if isinstance(root, ast.Constant):
        return True
    if not isinstance(root, ast.Name):
        return False
    return root.id in numeric or (root is func and root.id in SAFE_BUILTINS)


def write_notebook_modules(path: Path, dest: Path, functions: dict[str, list[str]]) -> None:
    """Write the notebook's code (`module_source`) as `<module>.py` for every module whose
    functions it defines."""
    source = notebook_source(path)
    defined = defined_functions(source)
    module = module_source(source)
    for name, names in functions.items():
        if defined.intersection(names):
            (dest / f"{name}.py").write_text(module, encoding="utf-8")
    answers = path.with_name(ANSWERS_FILE)
    if answers.is_file():
        (dest / ANSWERS_FILE).write_bytes(answers.read_bytes())


def _files(root: Path, links_out: list[Path] | None = None) -> Iterator[tuple[int, Path]]:
    """(depth, file) under `root`, skipping hidden folders, __pycache__ and outside links
    (the files among those are appended to `links_out`)."""
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
            elif links_out is not None:
                links_out.append(here / name)


def locate(root: Path, modules: Iterable[str]) -> Located:
    """Find `<module>.py` for each wanted module under `root` (see the module docstring)."""
    wanted = set(modules)
    found: dict[str, tuple[int, str, Path]] = {}
    links_out: list[Path] = []
    for depth, file in _files(root, links_out):
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
    for link in links_out:
        if link.suffix == ".py" and link.stem in wanted and link.stem not in found:
            located.links_out.setdefault(link.stem, link)
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


def fingerprint(path: Path, max_bytes: int = MAX_ZIP_BYTES) -> str:
    """A SHA-256 of what would be graded at `path`: a file's bytes, or every file a folder's
    search sees (no hidden folders, `__pycache__` or outside links) with its relative path.
    Past `max_bytes` of content, a file counts by its size and modification time instead.
    Raises OSError when `path` cannot be read."""
    files = [(path.name, path)] if path.is_file() else [
        (str(f.relative_to(path)), f) for _, f in _files(path)
    ]  # fmt: skip
    digest = hashlib.sha256()
    budget = max_bytes
    for name, file in files:
        size = file.stat().st_size
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        if size <= budget:
            budget -= size
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        else:
            digest.update(f"{size}:{file.stat().st_mtime_ns}".encode())
    return digest.hexdigest()


def _inside(path: Path, real_root: Path) -> bool:
    """False for a symlink that resolves outside the submission, to nothing, or in a loop."""
    if not path.is_symlink():
        return True
    try:
        path.resolve(strict=True).relative_to(real_root)
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a loop, before Python 3.13
        return False
    return True
