"""Similarity flags: pairs of submissions whose code for an exercise is suspiciously alike.

For a human to look at; it never changes a grade. Per exercise module:

1. Parse the student's `<module>.py` and the starter stub; drop docstrings.
2. Normalise: every identifier (variables, arguments, function names) becomes `_`, every
   literal `0`; attribute names (`np.exp`, `.sum`) and the tree's shape are kept. Renaming
   variables or changing constants changes nothing.
3. Fingerprint: the set of k-grams (k = 6) of the pre-order sequence of normalised nodes
   (node type plus operator / attribute name). k-grams that also occur in the starter stub
   are removed, so the shared skeleton (signatures, `import numpy as np`) scores nothing.
4. Score a pair by the Jaccard index |A ∩ B| / |A ∪ B| of their fingerprints; flag pairs
   scoring at least `threshold` whose fingerprints both have at least `min_size` k-grams
   (tiny modules are alike by necessity).
"""

from __future__ import annotations

import ast
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path

K = 6
DEFAULT_THRESHOLD = 0.8
DEFAULT_MIN_SIZE = 20
MAX_SOURCE_BYTES = 1_000_000


@dataclass(frozen=True)
class SimilarPair:
    """Two students whose code for `exercise` scores `score` (0…1) alike."""

    exercise: str
    module: str
    student_a: str
    student_b: str
    score: float


def fingerprint(source: str, starter: frozenset[str] = frozenset()) -> frozenset[str]:
    """The k-gram fingerprint of `source` minus the starter's k-grams (empty if unparsable)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return frozenset()
    tokens = [_token(node) for node in _walk(tree)]
    grams = {" ".join(tokens[i : i + K]) for i in range(max(0, len(tokens) - K + 1))}
    return frozenset(grams - starter)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| = |a ∩ b| / (|a| + |b| - |a ∩ b|), 0 when both are empty."""
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def similar_pairs(
    sources: dict[str, str],
    *,
    exercise: str,
    module: str,
    starter: str = "",
    threshold: float = DEFAULT_THRESHOLD,
    min_size: int = DEFAULT_MIN_SIZE,
) -> list[SimilarPair]:
    """Flagged pairs among `sources` (student id → module source), most alike first."""
    skip = fingerprint(starter) if starter else frozenset()
    prints = {
        sid: fp for sid, src in sources.items() if len(fp := fingerprint(src, skip)) >= min_size
    }
    pairs = []
    for a, b in itertools.combinations(sorted(prints), 2):
        small, large = sorted((len(prints[a]), len(prints[b])))
        if small < threshold * large:  # Jaccard <= |smaller| / |larger|: cannot reach it
            continue
        score = jaccard(prints[a], prints[b])
        if score >= threshold:
            pairs.append(SimilarPair(exercise, module, a, b, round(score, 3)))
    return sorted(pairs, key=lambda p: (-p.score, p.student_a, p.student_b))


def read_module(submission: Path, module: str) -> str | None:
    """The source of `<module>.py` in a student's folder or `.zip`, or None if absent.

    The shallowest match wins (ties: the first in sorted order); oversized files are ignored.
    """
    name = f"{module}.py"
    try:
        if submission.is_dir():
            found = sorted(submission.rglob(name), key=lambda p: (len(p.parts), str(p)))
            for path in found:
                if path.is_file() and path.stat().st_size <= MAX_SOURCE_BYTES:
                    return path.read_text(encoding="utf-8", errors="replace")
        elif submission.suffix == ".zip" and submission.is_file():
            with zipfile.ZipFile(submission) as zf:
                members = sorted(
                    (i for i in zf.infolist() if i.filename.rsplit("/", 1)[-1] == name),
                    key=lambda i: (i.filename.count("/"), i.filename),
                )
                for info in members:
                    if info.file_size <= MAX_SOURCE_BYTES:
                        return zf.read(info).decode("utf-8", errors="replace")
    except (OSError, zipfile.BadZipFile):
        return None
    return None


def find_submission(submissions_dir: Path, student: str) -> Path | None:
    """`submissions_dir/<student>` or `<student>.zip`, whichever exists."""
    for candidate in (submissions_dir / student, submissions_dir / f"{student}.zip"):
        if candidate.exists():
            return candidate
    return None


def _walk(node: ast.AST) -> list[ast.AST]:
    """Pre-order nodes of `node`, docstrings left out."""
    nodes = [node]
    body = getattr(node, "body", None)
    children = list(ast.iter_child_nodes(node))
    if isinstance(body, list) and body and _is_docstring(body[0]):
        children = [c for c in children if c is not body[0]]
    for child in children:
        nodes += _walk(child)
    return nodes


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _token(node: ast.AST) -> str:
    """The node's type, plus the attribute name for `x.attr` (identifiers and literals
    themselves are left out, which abstracts them)."""
    if isinstance(node, ast.Attribute):
        return f"Attribute.{node.attr}"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return f"{type(node).__name__}.{','.join(a.name for a in node.names)}"
    return type(node).__name__
