"""The "Robtimus" transformer-by-hand walk-through (after Tom Yeh's AI-by-Hand exercise).

Here features are *columns*: a sequence of n tokens with d features each is a d×n matrix X,
so "mixing tokens" multiplies on the right and "transforming features" on the left.

1. Attention weighting: Z = X A, where column j of the n×n matrix A says how much of each
   token goes into output token j (Z_j = Σ_i A_ij X_i).
2. Feed-forward network, applied to every column (token) on its own:
   out = W2 · ReLU(W1 Z + b1) + b2.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference.activations import relu
from reference.checks import as_float, require


def attention_weighting(X: ArrayLike, A: ArrayLike) -> np.ndarray:
    """Z = X @ A: X is d×n (one column per token), A is n×n attention weights."""
    X, A = as_float(X), as_float(A)
    require(
        X.ndim == 2 and A.ndim == 2 and X.shape[1] == A.shape[0],
        f"X (d, n) and A (n, n) do not fit: X has shape {X.shape}, A has shape {A.shape}",
    )
    return X @ A  # (d, n)


def ffn_by_hand(
    Z: ArrayLike, W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike
) -> np.ndarray:
    """W2 @ ReLU(W1 @ Z + b1[:, None]) + b2[:, None], the biases added to every column."""
    Z, W1, b1, W2, b2 = (as_float(a) for a in (Z, W1, b1, W2, b2))
    require(
        Z.ndim == 2 and W1.ndim == 2 and W1.shape[1] == Z.shape[0] and b1.shape == (W1.shape[0],),
        f"W1 {W1.shape}, b1 {b1.shape} do not fit Z {Z.shape}: need W1 (h, d), b1 (h,), Z (d, n)",
    )
    require(
        W2.ndim == 2 and W2.shape[1] == W1.shape[0] and b2.shape == (W2.shape[0],),
        f"W2 {W2.shape}, b2 {b2.shape} do not fit the hidden size {W1.shape[0]}",
    )
    hidden = relu(W1 @ Z + b1[:, None])  # (h, n)
    return W2 @ hidden + b2[:, None]  # (d_out, n)
