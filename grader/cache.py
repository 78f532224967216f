"""The on-disk cache: cases computed from the reference (`cases/`) and parsed YAML files
(`yaml/`), under ``$GRADEFORMER_CACHE`` or ``~/.cache/gradeformer``.

Everything in it can be recomputed: a cache that cannot be read or written only costs time.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "GRADEFORMER_CACHE"


def cache_root() -> Path | None:
    """``$GRADEFORMER_CACHE`` ("off" disables caching), else ``~/.cache/gradeformer``."""
    env = os.environ.get(CACHE_ENV)
    if env == "off":
        return None
    return Path(env) if env else Path.home() / ".cache" / "gradeformer"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file renamed over it; a cache that cannot
    be written is skipped (the caller computes again next time)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass
