"""Argument checking shared by every module: turn inputs into arrays, fail with clear messages.

Every contract function raises ``ValueError`` naming the offending shapes or values, so that a
student (or the grader) sees *what* was wrong rather than a NumPy broadcasting error.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def as_float(x: ArrayLike) -> np.ndarray:
    """``x`` as a float64 array (no copy when it already is one; callers never write to it)."""
    return np.asarray(x, dtype=np.float64)


def as_int(x: ArrayLike, name: str) -> np.ndarray:
    """``x`` as an int64 array; raise ``ValueError`` when it holds anything but integers."""
    arr = np.asarray(x)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integers, got dtype {arr.dtype}")
    return arr.astype(np.int64)


def require(condition: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``condition`` holds."""
    if not condition:
        raise ValueError(message)
