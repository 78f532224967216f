r"""Layer normalisation over the last axis, and its backward pass.

For one row x of d features (population statistics, ε inside the square root):

    μ = (1/d) Σ_i x_i,   σ² = (1/d) Σ_i (x_i − μ)²,   x̂ = (x − μ) / √(σ² + ε)
    y = γ ⊙ x̂ + β

Backward, with G = ∂L/∂y and r = 1/√(σ² + ε) (means taken over the row):

    ∂L/∂β = Σ_rows G,    ∂L/∂γ = Σ_rows G ⊙ x̂,    Ĝ = G ⊙ γ
    ∂L/∂x = r (Ĝ − mean(Ĝ) − x̂ · mean(Ĝ ⊙ x̂))

(The two subtracted terms come from μ and σ² depending on every x_i.)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_float, require


def _normalise(x: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """x̂ = (x − μ) / √(σ² + ε) and r = 1/√(σ² + ε), both per row of the last axis."""
    d = x.shape[-1]
    mu = x.sum(axis=-1, keepdims=True) / d  # (..., 1)
    centred = x - mu
    var = (centred * centred).sum(axis=-1, keepdims=True) / d  # population variance, (..., 1)
    r = 1.0 / np.sqrt(var + eps)
    return centred * r, r


def layer_norm(x: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float = 1e-5) -> np.ndarray:
    """γ ⊙ (x − μ)/√(σ² + ε) + β over the last axis of x (..., d)."""
    x, gamma, beta = as_float(x), as_float(gamma), as_float(beta)
    require(
        x.ndim >= 1 and gamma.shape == x.shape[-1:] and beta.shape == x.shape[-1:],
        f"layer_norm needs x (..., d), gamma (d,), beta (d,), "
        f"got x {x.shape}, gamma {gamma.shape}, beta {beta.shape}",
    )
    x_hat, _ = _normalise(x, eps)
    return gamma * x_hat + beta


def layer_norm_backward(
    x: ArrayLike, gamma: ArrayLike, grad_out: ArrayLike, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂L/∂x, ∂L/∂γ, ∂L/∂β) of :func:`layer_norm` given grad_out = ∂L/∂y."""
    x, gamma, grad_out = as_float(x), as_float(gamma), as_float(grad_out)
    require(
        x.ndim >= 1 and gamma.shape == x.shape[-1:] and grad_out.shape == x.shape,
        f"layer_norm_backward needs x (..., d), gamma (d,), grad_out like x, "
        f"got x {x.shape}, gamma {gamma.shape}, grad_out {grad_out.shape}",
    )
    x_hat, r = _normalise(x, eps)
    d = x.shape[-1]
    rows_g = grad_out.reshape(-1, d)  # (N, d)
    grad_beta = rows_g.sum(axis=0)
    grad_gamma = (rows_g * x_hat.reshape(-1, d)).sum(axis=0)
    g_hat = grad_out * gamma  # ∂L/∂x̂, (..., d)
    mean_g_hat = g_hat.sum(axis=-1, keepdims=True) / d  # (..., 1)
    mean_g_hat_x_hat = (g_hat * x_hat).sum(axis=-1, keepdims=True) / d  # (..., 1)
    grad_x = r * (g_hat - mean_g_hat - x_hat * mean_g_hat_x_hat)
    return grad_x, grad_gamma, grad_beta
