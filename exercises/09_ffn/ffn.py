"""Exercise 09: the position-wise feed-forward network (FFN) of a transformer block.

Check your work with:  gradeformer check ffn
"""

from __future__ import annotations

import numpy as np


def ffn(
    x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    """out = gelu(x W1 + b1) W2 + b2, with the exact GELU: gelu(z) = z * (1 + erf(z/sqrt(2))) / 2.

    Shapes: x (..., d_model); W1 (d_model, d_ff); b1 (d_ff,); W2 (d_ff, d_model);
    b2 (d_model,); returns (..., d_model). Usually d_ff = 4 * d_model.
    math.erf takes one number; np.vectorize(math.erf) applies it to an array.

    Example:
        >>> ffn(np.array([[1.0]]), np.array([[1.0, -1.0]]), np.zeros(2),
        ...     np.array([[1.0], [1.0]]), np.zeros(1))          # gelu(1) + gelu(-1)
        array([[0.68268949]])
    """
    raise NotImplementedError


def ffn_backward(
    x: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    grad_out: np.ndarray,
) -> dict[str, np.ndarray]:
    """Gradients of a loss L through out = ffn(x, W1, b1, W2, b2), given grad_out = dL/dout.

    Returns {"x": dL/dx, "W1": ..., "b1": ..., "W2": ..., "b2": ...}, each shaped like the
    argument of the same name. Weight and bias gradients sum over every leading axis of x.
    gelu'(z) = Phi(z) + z * phi(z), Phi the standard normal CDF and phi its density.

    Example:
        >>> g = ffn_backward(np.array([[1.0]]), np.array([[1.0, -1.0]]), np.zeros(2),
        ...                  np.array([[1.0], [1.0]]), np.zeros(1), np.array([[1.0]]))
        >>> g["b2"], g["W2"]        # sum of grad_out; h^T grad_out with h = [gelu(1), gelu(-1)]
        (array([1.]), array([[ 0.84134475],
               [-0.15865525]]))
    """
    raise NotImplementedError


def ffn_parameter_count(d_model: int, d_ff: int) -> int:
    """The number of parameters in W1, b1, W2 and b2 together. Raise ValueError unless both
    sizes are positive.

    Example:
        >>> ffn_parameter_count(2, 8)
        42
    """
    raise NotImplementedError
