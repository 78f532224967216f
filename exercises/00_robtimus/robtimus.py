"""Exercise 00: the Transformer by hand ("Robtimus Prime").

Features are COLUMNS here, as in Tom Yeh's AI-by-Hand drawings: X has one column per
position (token) and one row per feature dimension.
"""

import numpy as np


def attention_weighting(X: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Mix the positions of X with the attention weight matrix A: Z = X @ A.

    Z[:, j] = sum_i A[i, j] * X[:, i], so column j of Z is a weighted sum of the columns
    (positions) of X; the weights of output position j are column j of A.

    Shapes: X (d, n), A (n, n) -> Z (d, n). Raise ValueError when A is not n x n.

    >>> X = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> A = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> attention_weighting(X, A)   # column 1 = X1 + X2, column 2 = X2
    array([[3., 2.],
           [7., 4.]])
    """
    raise NotImplementedError


def ffn_by_hand(
    Z: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    """The two-layer feed-forward network, applied to every column of Z on its own.

    H = relu(W1 @ Z + b1[:, None]);  out = W2 @ H + b2[:, None]

    Shapes: Z (d, n), W1 (h, d), b1 (h,), W2 (d_out, h), b2 (d_out,) -> out (d_out, n).
    Raise ValueError when the shapes do not fit together.

    >>> Z = np.array([[1.0, -2.0]])
    >>> ffn_by_hand(Z, np.array([[1.0], [-1.0]]), np.zeros(2), np.array([[1.0, 1.0]]), np.zeros(1))
    array([[1., 2.]])
    """
    raise NotImplementedError
