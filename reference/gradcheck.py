r"""Numerical gradients: the check every backward pass must pass.

Central differences, for a scalar function f of an array x:

    ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε)

The error is O(ε²) (the O(ε) terms cancel), e.g. f(x) = x² at 3 with ε = 1e-5 gives
((3 + ε)² − (3 − ε)²) / 2ε = 12ε / 2ε = 6 exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_float, require


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of scalar ``f`` at ``x`` (same shape as x; x is not changed)."""
    require(eps > 0, f"eps must be > 0, got {eps}")
    point = as_float(x).copy()  # we nudge this copy, never the caller's array
    grad = np.zeros_like(point)
    for i in np.ndindex(point.shape):
        original = point[i]
        point[i] = original + eps
        f_plus = float(f(point.copy()))
        point[i] = original - eps
        f_minus = float(f(point.copy()))
        point[i] = original
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def rel_error(a: ArrayLike, b: ArrayLike) -> float:
    """max|a − b| / max(1e-8, max(|a| + |b|)): 0 when equal, ~1e-10 for a good gradient."""
    a, b = as_float(a), as_float(b)
    require(a.shape == b.shape, f"rel_error needs equal shapes, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))
