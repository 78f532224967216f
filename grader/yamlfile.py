"""YAML files (exercise specs, students' answers) read through a JSON copy in the cache.

Building Python objects from YAML is slow even with libyaml: it was most of the time a
command spent loading the twelve exercise specs (~40 ms, plus ~20 ms to import PyYAML),
on every `gradeformer check`. The same data read back as JSON takes about a millisecond.
The copy is keyed by the SHA-256 of the file's bytes, so an edited file is parsed again;
data that JSON would not give back identically (a non-string key, NaN) is never copied,
nor data too big or too deep to copy safely (YAML aliases can make a 600-byte file stand for
billions of nodes, or for a list that contains itself). PyYAML is imported only when a file
has to be parsed.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

from grader.cache import cache_root, write_atomic

MAX_COPY_NODES = 100_000  # a spec has a few thousand; more is an alias bomb, not a spec
MAX_COPY_DEPTH = 64


class YamlError(ValueError):
    """A file that is not UTF-8 YAML: `where` is " (line L, column C)" when known."""

    def __init__(self, problem: str, where: str = "") -> None:
        super().__init__(f"not valid YAML{where}: {problem}")
        self.problem = problem
        self.where = where


def load_yaml(path: Path) -> Any:
    """The data in the YAML file at `path`; `OSError` when it cannot be read, `YamlError`
    when it is not UTF-8 YAML."""
    raw = path.read_bytes()
    root = cache_root()
    copy = root / "yaml" / f"{hashlib.sha256(raw).hexdigest()}.json" if root else None
    if copy is not None:
        try:
            return json.loads(copy.read_bytes())
        except (OSError, ValueError):
            pass
    data = _parse(raw)
    if copy is not None and _json_keeps(data):
        write_atomic(copy, json.dumps(data).encode())
    return data


def _parse(raw: bytes) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    try:
        return yaml.load(raw.decode("utf-8"), Loader=loader)
    except UnicodeDecodeError as exc:
        raise YamlError(f"not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise YamlError(getattr(exc, "problem", None) or str(exc), where) from None


def _json_keeps(data: Any) -> bool:
    """True when JSON gives `data` back unchanged (str keys, finite floats, JSON types) and
    it has at most `MAX_COPY_NODES` nodes, `MAX_COPY_DEPTH` deep (walked without recursion,
    so a self-containing list ends the walk too)."""
    pending = [(data, 0)]
    for _ in range(MAX_COPY_NODES):
        if not pending:
            return True
        item, depth = pending.pop()
        kind = type(item)
        if depth > MAX_COPY_DEPTH:
            return False
        if kind is float and not math.isfinite(item):
            return False
        if kind is list:
            pending.extend((v, depth + 1) for v in item)
        elif kind is dict:
            if not all(type(k) is str for k in item):
                return False
            pending.extend((v, depth + 1) for v in item.values())
        elif item is not None and kind not in (bool, int, float, str):
            return False  # dates, bytes, sets: kept as YAML gives them, parsed every time
    return not pending
