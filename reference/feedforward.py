r"""The position-wise feed-forward network of a transformer block, and its backward pass.

For x (..., d_model), W1 (d_model, d_ff), b1 (d_ff,), W2 (d_ff, d_model), b2 (d_model,):

    h_pre = x W1 + b1          (..., d_ff)
    h     = GELU(h_pre)        (..., d_ff)     exact GELU, x Φ(x)
    out   = h W2 + b2          (..., d_model)

It has d_model·d_ff + d_ff + d_ff·d_model + d_model parameters; in GPT-2 d_ff = 4 d_model,
so with d_model 4096 and d_ff 16384, W1 alone holds 4096 · 16384 = 67,108,864 numbers.

Backward (G = ∂L/∂out): ∂L/∂h = G W2ᵀ, ∂L/∂h_pre = ∂L/∂h ⊙ GELU'(h_pre), then the two
linear layers as in :mod:`reference.layers`. :func:`ffn_forward` returns a cache of h_pre, Φ(h_pre)
and h so that :func:`ffn_backward_from_cache` need not compute them again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from reference.activations import normal_cdf, normal_pdf
from reference.checks import as_float, require
from reference.layers import linear, linear_backward

Cache = dict[str, Any]


def ffn_forward(
    x: ArrayLike, W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike
) -> tuple[np.ndarray, Cache]:
    """(out, cache): the output of :func:`ffn` and what its backward pass reads."""
    x, W1, W2 = as_float(x), as_float(W1), as_float(W2)
    h_pre = linear(x, W1, b1)  # (..., d_ff)
    cdf = normal_cdf(h_pre)  # Φ(h_pre), needed by GELU and by its derivative
    h = h_pre * cdf  # GELU(h_pre) = h_pre Φ(h_pre)
    out = linear(h, W2, b2)  # (..., d_model)
    return out, {"x": x, "W1": W1, "W2": W2, "h_pre": h_pre, "cdf": cdf, "h": h}


def ffn(x: ArrayLike, W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike) -> np.ndarray:
    """GELU(x W1 + b1) W2 + b2."""
    return ffn_forward(x, W1, b1, W2, b2)[0]


def ffn_backward_from_cache(cache: Cache, grad_out: ArrayLike) -> dict[str, np.ndarray]:
    """Gradients {"x", "W1", "b1", "W2", "b2"} from the forward's ``cache``."""
    c = cache
    grad_h, grad_W2, grad_b2 = linear_backward(c["h"], c["W2"], grad_out)
    gelu_slope = c["cdf"] + c["h_pre"] * normal_pdf(c["h_pre"])  # GELU'(u) = Φ(u) + u φ(u)
    grad_x, grad_W1, grad_b1 = linear_backward(c["x"], c["W1"], grad_h * gelu_slope)
    return {"x": grad_x, "W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2}


def ffn_backward(
    x: ArrayLike, W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike, grad_out: ArrayLike
) -> dict[str, np.ndarray]:
    """Gradients {"x", "W1", "b1", "W2", "b2"} of :func:`ffn` given grad_out = ∂L/∂out."""
    return ffn_backward_from_cache(ffn_forward(x, W1, b1, W2, b2)[1], grad_out)


def ffn_parameter_count(d_model: int, d_ff: int) -> int:
    """Parameters of W1, b1, W2, b2 together: 2·d_model·d_ff + d_ff + d_model."""
    require(d_model >= 1 and d_ff >= 1, f"d_model and d_ff must be positive, got {d_model}, {d_ff}")
    return int(2 * d_model * d_ff + d_ff + d_model)
