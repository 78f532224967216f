"""Exercise 04 solution: mean cross-entropy of logits and its gradient.

Uses my softmax and log_softmax from exercise 03.
"""

import numpy as np
from softmax import log_softmax, softmax


def _checked(logits: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """logits as float (..., C) and targets as int (...), or a ValueError saying why not."""
    z = np.asarray(logits, dtype=float)
    y = np.asarray(targets)
    if z.ndim < 1 or z.shape[:-1] != y.shape:
        raise ValueError(f"logits (..., C) and targets (...) do not fit: {z.shape} and {y.shape}")
    if y.size == 0 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"targets must be a non-empty array of class ids, got {y.dtype} {y.shape}")
    if np.any(y < 0) or np.any(y >= z.shape[-1]):
        raise ValueError(f"targets must lie in [0, {z.shape[-1]}), got {y.min()} to {y.max()}")
    return z, y


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """L = -(1/N) sum_n log softmax(logits_n)[targets_n], N = number of positions."""
    z, y = _checked(logits, targets)
    log_p = log_softmax(z, axis=-1)
    log_p_target = np.take_along_axis(log_p, y[..., None], axis=-1)
    return float(-log_p_target.mean())


def cross_entropy_grad(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """dL/dlogits = (softmax(logits) - onehot(targets)) / N."""
    z, y = _checked(logits, targets)
    onehot = np.zeros_like(z)
    np.put_along_axis(onehot, y[..., None], 1.0, axis=-1)
    return (softmax(z, axis=-1) - onehot) / y.size
