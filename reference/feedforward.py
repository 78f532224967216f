r"""The position-wise feed-forward network of a transformer block, and its backward pass.

For x (..., d_model), W1 (d_model, d_ff), b1 (d_ff,), W2 (d_ff, d_model), b2 (d_model,):

    h_pre = x W1 + b1          (..., d_ff)
    h     = GELU(h_pre)        (..., d_ff)     exact GELU, x Φ(x)
    out   = h W2 + b2          (..., d_model)

It has d_model·d_ff + d_ff + d_ff·d_model + d_model parameters; in GPT-2 d_ff = 4 d_model,
so with d_model 4096 and d_ff 16384, W1 alone holds 4096 · 16384 = 67,108,864 numbers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference.activations import gelu, normal_cdf, normal_pdf
from reference.checks import require
from reference.layers import linear, linear_backward


def ffn(x: ArrayLike, W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike) -> np.ndarray:
    """GELU(x W1 + b1) W2 + b2."""
    return linear(gelu(linear(x, W1, b1)), W2, b2)


def ffn_backward(
    x: ArrayLike, W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, grad_out: ArrayLike
) -> dict[str, np.ndarray]:
    """Gradients {"x", "W1", "b1", "W2", "b2"} of :func:`ffn` given grad_out = ∂L/∂out."""
    h_pre = linear(x, W1, b1)  # (..., d_ff)
    cdf = normal_cdf(h_pre)  # Φ(h_pre), needed by GELU and by its derivative
    h = h_pre * cdf  # GELU(h_pre)
    require(
        np.shape(b2) == np.shape(W2)[1:],
        f"b2 has shape {np.shape(b2)}, expected {np.shape(W2)[1:]} (the width of W2)",
    )
    grad_h, grad_W2, grad_b2 = linear_backward(h, W2, grad_out)
    grad_h_pre = grad_h * (cdf + h_pre * normal_pdf(h_pre))  # GELU'(u) = Φ(u) + u φ(u)
    grad_x, grad_W1, grad_b1 = linear_backward(x, W1, grad_h_pre)
    return {"x": grad_x, "W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2}


def ffn_parameter_count(d_model: int, d_ff: int) -> int:
    """Parameters of W1, b1, W2, b2 together: 2·d_model·d_ff + d_ff + d_model."""
    require(d_model >= 1 and d_ff >= 1, f"d_model and d_ff must be positive, got {d_model}, {d_ff}")
    return int(2 * d_model * d_ff + d_ff + d_model)
