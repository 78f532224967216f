"""Exercise 03 solution: softmax and log-softmax, stable for logits of any size."""

import numpy as np


def softmax(x: np.ndarray, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """exp(z_i - max z) / sum_j exp(z_j - max z) along `axis`, where z = x / temperature."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    z = np.asarray(x, dtype=float) / temperature
    z = z - z.max(axis=axis, keepdims=True)  # the largest exponent is now 0: no overflow
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """x_i - max x - log(sum_j exp(x_j - max x)) along `axis`: never log(0)."""
    z = np.asarray(x, dtype=float)
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
