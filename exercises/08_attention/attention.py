"""Exercise 08: scaled dot-product attention, the causal mask, multi-head self-attention.

Check your work with:  gradeformer check attention
"""

from __future__ import annotations

import numpy as np


def causal_mask(T: int) -> np.ndarray:
    """Boolean (T, T) mask, True where query i may attend to key j: on and below the diagonal.

    Example:
        >>> causal_mask(3)
        array([[ True, False, False],
               [ True,  True, False],
               [ True,  True,  True]])
    """
    raise NotImplementedError


def scaled_dot_product_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Attention: weights = softmax(q k^T / sqrt(d_k)) over the keys, out = weights v.

    Where mask is False the weight must be exactly 0 (mask the scores with -inf before the
    softmax); every row of weights sums to 1.

    Shapes: q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v), mask broadcastable to
    (..., T_q, T_k). Returns (out (..., T_q, d_v), weights (..., T_q, T_k)).

    Example (math.sqrt(2) = 1.4142):
        >>> q = np.array([[1.0, 0.0]]); k = np.eye(2); v = np.array([[1.0, 2.0], [3.0, 4.0]])
        >>> out, w = scaled_dot_product_attention(q, k, v)
        >>> w                     # softmax([1, 0] / 1.4142)
        array([[0.66976155, 0.33023845]])
        >>> out
        array([[1.6604769, 2.6604769]])
    """
    raise NotImplementedError


def multi_head_attention(
    x: np.ndarray,
    Wq: np.ndarray,
    Wk: np.ndarray,
    Wv: np.ndarray,
    Wo: np.ndarray,
    n_heads: int,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Multi-head self-attention, no biases.

    q = x Wq, k = x Wk, v = x Wv, each (..., T, d). Head h works on the contiguous columns
    h*d_head ... (h+1)*d_head - 1 of q, k and v (d_head = d / n_heads) with
    scaled_dot_product_attention and the given mask. The heads' outputs are put back side by
    side in the same order, (..., T, d), and multiplied by Wo.
    Raise ValueError when n_heads does not divide d.

    Shapes: x (..., T, d_model); Wq, Wk, Wv (d_model, d); Wo (d, d_out); returns (..., T, d_out).

    Example:
        >>> x = np.array([[1.0, 0.0], [0.0, 1.0]]); I = np.eye(2)
        >>> multi_head_attention(x, I, I, I, I, n_heads=2, mask=causal_mask(2))
        array([[1.        , 0.        ],
               [0.5       , 0.73105858]])
    """
    raise NotImplementedError
