"""Exercise 00 solution: attention weighting and the FFN of the Transformer-by-hand exercise.

Features are columns: X is (d, n), one column per position.
"""

import numpy as np


def attention_weighting(X: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Z = X @ A: column j of Z is sum_i A[i, j] * X[:, i] (positions are mixed)."""
    X = np.asarray(X, dtype=float)
    A = np.asarray(A, dtype=float)
    if X.ndim != 2 or A.ndim != 2 or A.shape != (X.shape[1], X.shape[1]):
        raise ValueError(f"X must be (d, n) and A (n, n); got X {X.shape} and A {A.shape}")
    return X @ A


def ffn_by_hand(
    Z: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    """out = W2 @ relu(W1 @ Z + b1[:, None]) + b2[:, None] (features are mixed, per column)."""
    Z, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (Z, W1, b1, W2, b2))
    fits = (
        Z.ndim == 2
        and W1.ndim == 2
        and W2.ndim == 2
        and W1.shape[1] == Z.shape[0]
        and b1.shape == (W1.shape[0],)
        and W2.shape[1] == W1.shape[0]
        and b2.shape == (W2.shape[0],)
    )
    if not fits:
        raise ValueError(
            f"shapes do not fit: Z {Z.shape}, W1 {W1.shape}, b1 {b1.shape}, "
            f"W2 {W2.shape}, b2 {b2.shape} (need W1 (h, d), b1 (h,), W2 (d_out, h), b2 (d_out,))"
        )
    hidden = np.maximum(W1 @ Z + b1[:, None], 0.0)
    return W2 @ hidden + b2[:, None]
