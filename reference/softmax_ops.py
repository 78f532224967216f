r"""Softmax and log-softmax, stable for any logits, and their backward passes.

    softmax(x)_i     = e^{x_i / τ} / Σ_j e^{x_j / τ}          (τ = temperature > 0)
    log_softmax(x)_i = x_i − log Σ_j e^{x_j}

Both are unchanged when a constant is added to every x_i, so we subtract the maximum first:
then every exponent is <= 0, e^{...} never overflows, and the largest term is exactly 1.

Backward (s = softmax(x), G = ∂L/∂s, along the softmax axis):

    ∂L/∂x_i = s_i (G_i − Σ_j G_j s_j)                 (the Jacobian is diag(s) − s sᵀ)

and for ℓ = log_softmax(x), G = ∂L/∂ℓ:

    ∂L/∂x_i = G_i − s_i Σ_j G_j                        (s = e^ℓ)

Both backward functions take the forward *output*, which is all the Jacobian needs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_float, require


def softmax(x: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Probabilities e^{x/τ} / Σ e^{x/τ} along ``axis``; each slice sums to 1."""
    require(temperature > 0, f"temperature must be > 0, got {temperature}")
    z = as_float(x)
    if temperature != 1.0:
        z = z / temperature
    z = z - z.max(axis=axis, keepdims=True)  # every exponent <= 0
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: ArrayLike, axis: int = -1) -> np.ndarray:
    """log softmax(x) = (x − m) − log Σ e^{x − m}, with m the maximum along ``axis``."""
    x = as_float(x)
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def softmax_backward(probs: ArrayLike, grad_out: ArrayLike, axis: int = -1) -> np.ndarray:
    """∂L/∂x = s ⊙ (G − Σ G ⊙ s) for s = softmax(x) (temperature 1) and G = ∂L/∂s."""
    s, g = as_float(probs), as_float(grad_out)
    return s * (g - (g * s).sum(axis=axis, keepdims=True))


def log_softmax_backward(log_probs: ArrayLike, grad_out: ArrayLike, axis: int = -1) -> np.ndarray:
    """∂L/∂x = G − e^ℓ Σ G for ℓ = log_softmax(x) and G = ∂L/∂ℓ."""
    g = as_float(grad_out)
    return g - np.exp(as_float(log_probs)) * g.sum(axis=axis, keepdims=True)
